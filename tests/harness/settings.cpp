#include "settings.hpp"

namespace grader {

Settings& settings() {
    static Settings the_settings;
    return the_settings;
}

bool built_with_sanitizer() {
#if defined(__SANITIZE_THREAD__) || defined(__SANITIZE_ADDRESS__)
    return true;
#else
    return false;
#endif
}

}  // namespace grader
