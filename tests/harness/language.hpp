#pragma once
// The language of the grader's reports. Under LAB_LANG=es everything the
// student reads is Spanish: the hints, the framing of a report (what
// happened, the server, expected ... but), the test's title and the closing
// line; the protocol's own words (what was sent, 'listening on HOST:PORT')
// stay as they are on the wire.
//
// LAB_LANG=es (or a Spanish locale: LC_ALL, LC_MESSAGES or LANG starting
// with "es") selects Spanish; LAB_LANG=en forces English. Translations come
// from the catalogs beside this file: hints.es.txt (the hints),
// reports.es.txt (the report's own sentences) and names.es.txt (a Spanish
// title per test; the English name stays the test's id, for points files
// and -tc filters). A line with no translation is shown in English.

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
// The same for the report's own text (each line looked up on its own, its
// indentation kept), and for a test's name (its Spanish title).
std::string localized_text(std::string_view english_text);
std::string localized_test_name(std::string_view english_name);

// The Spanish for one line of a hint, if the catalog has it (exactly, or
// through a pattern whose {} stand for the parts that vary).
std::optional<std::string> spanish_for(std::string_view english_line);

}  // namespace grader
