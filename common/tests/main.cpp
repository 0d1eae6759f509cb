// The main() of the unit-test programs (doctest's own; its implementation is
// doctest.cpp, beside this file).
#include <doctest/doctest.h>

int main(int argc, char** argv) { return doctest::Context(argc, argv).run(); }
