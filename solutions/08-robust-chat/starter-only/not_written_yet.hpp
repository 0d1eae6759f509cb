#pragma once
// The starter's parts you have not written yet each call this: it names the
// function on standard error and stops the program at once, so the grader
// reports "the server died" with that line, rather than waiting for
// answers that cannot come. Once every YOUR CODE is written, nothing calls
// it (and this file can go).

#include <cstdlib>
#include <iostream>

[[noreturn]] inline void not_written_yet(const char* what) {
    std::cerr << "robust-chat: not written yet: " << what << " (lab 08, YOUR CODE)" << std::endl;
    std::abort();
}
