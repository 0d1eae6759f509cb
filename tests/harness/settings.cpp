#include "settings.hpp"

#include <fmt/core.h>

namespace grader {

Settings& settings() {
    static Settings the_settings;
    return the_settings;
}

std::string seconds_text(std::chrono::milliseconds duration) {
    return fmt::format("{:.1f} s", static_cast<double>(duration.count()) / 1000.0);
}

bool built_with_sanitizer() {
#if defined(__SANITIZE_THREAD__) || defined(__SANITIZE_ADDRESS__)
    return true;
#else
    return false;
#endif
}

}  // namespace grader
