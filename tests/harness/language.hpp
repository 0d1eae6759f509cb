#pragma once
// The language of the grader's hints. The grader's own messages (what was
// sent, what came back, what was expected) stay in English, like the
// program's protocol; the hint, the part that teaches, can be in Spanish.
//
// LAB_LANG=es (or a Spanish locale: LC_ALL, LC_MESSAGES or LANG starting
// with "es") selects Spanish; LAB_LANG=en forces English. Translations come
// from the catalog hints.es.txt, beside this file. A hint with no
// translation there is shown in English: the catalog may lag the suites.

#include <optional>
#include <string>
#include <string_view>

namespace grader {

enum class Language { english, spanish };

// The language the environment asks for. LAB_LANG wins; then the locale
// variables, in POSIX order of precedence (LC_ALL, LC_MESSAGES, LANG).
Language hint_language();
// The same decision, from given values (null or empty: not set). For tests.
Language language_from(const char* lab_lang, const char* lc_all, const char* lc_messages, const char* lang);

// The hint as the student should read it: in English, or translated line by
// line from the catalog (a line without a translation stays in English).
// This is the one call the report makes: localized_hint(hint).
std::string localized_hint(std::string_view english_hint);
std::string localized_hint(std::string_view english_hint, Language language);

// The Spanish for one line of a hint, if the catalog has it (exactly, or
// through a pattern whose {} stand for the parts that vary).
std::optional<std::string> spanish_for(std::string_view english_line);

}  // namespace grader
