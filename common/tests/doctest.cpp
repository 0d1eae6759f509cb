// doctest's implementation, compiled once (the heaviest file of every test
// program) for every program with doctest cases: the unit tests' main()
// beside it, and the grading suites' own main() (tests/harness/main.cpp).
#define DOCTEST_CONFIG_IMPLEMENT
#include <doctest/doctest.h>
