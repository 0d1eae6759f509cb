// Until the harness's grader::skip_test lands (transcript.hpp, issue 17):
// a check that could not be made is reported, never passed. Removed when
// it lands.
#include <string>

#include "browser.hpp"

namespace grader {

void skip_test(const std::string& why) {
    fail("SKIPPED: not checked on this machine (not the program's fault): " + why,
         "install what is missing, or grade where it is");
}

}  // namespace grader
