// The Spanish hints: a catalog (hints.es.txt) of English hint -> Spanish
// hint, compiled in, and the lookup the failure report makes.

#include "language.hpp"

#include <cstdlib>
#include <string>
#include <unordered_map>
#include <vector>

namespace grader {

namespace {

// hints.es.txt is a list of raw string literals, one per suite, each
// under the 64 KiB a compiler must accept in one literal.
constexpr std::string_view catalog_parts[] = {
#include "hints.es.txt"
,
#include "reports.es.txt"
,
#include "names.es.txt"
};

// An English hint with "{}" where it varies ("this is line {} ..."): its
// fixed pieces, and the Spanish, whose {} (or {1}, {2}...) take the parts
// that matched, in order.
struct Pattern {
    std::vector<std::string> pieces;  // one more than the number of {}
    std::string spanish;
};

struct Catalog {
    std::unordered_map<std::string, std::string> exact;
    std::vector<Pattern> patterns;
};

std::string_view trim(std::string_view text) {
    while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
    while (!text.empty() && (text.back() == ' ' || text.back() == '\t' || text.back() == '\r')) text.remove_suffix(1);
    return text;
}

std::vector<std::string> split_on_placeholders(std::string_view text) {
    std::vector<std::string> pieces;
    std::size_t start = 0;
    for (auto at = text.find("{}"); at != std::string_view::npos; at = text.find("{}", start)) {
        pieces.emplace_back(text.substr(start, at - start));
        start = at + 2;
    }
    pieces.emplace_back(text.substr(start));
    return pieces;
}

void add_entry(Catalog& catalog, const std::string& english, const std::string& spanish) {
    if (english.empty() || spanish.empty()) return;  // an entry not yet translated
    if (english.find("{}") == std::string::npos) {
        catalog.exact.emplace(english, spanish);
    } else {
        catalog.patterns.push_back({split_on_placeholders(english), spanish});
    }
}

// Entries are "en: TEXT" then "es: TEXT"; a line that starts with a space
// continues the one before (joined with one space); '#' starts a comment.
Catalog parse(std::string_view text) {
    Catalog catalog;
    std::string english;
    std::string spanish;
    std::string* current = nullptr;
    auto flush = [&] {
        add_entry(catalog, english, spanish);
        english.clear();
        spanish.clear();
        current = nullptr;
    };
    while (!text.empty()) {
        const auto newline = text.find('\n');
        std::string_view line = text.substr(0, newline);
        text.remove_prefix(newline == std::string_view::npos ? text.size() : newline + 1);
        if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
        if (line.starts_with("en:")) {
            flush();
            english = trim(line.substr(3));
            current = &english;
        } else if (line.starts_with("es:")) {
            spanish = trim(line.substr(3));
            current = &spanish;
        } else if (!line.empty() && (line.front() == ' ' || line.front() == '\t') && current && !trim(line).empty()) {
            *current += ' ';
            *current += trim(line);
        } else if (trim(line).empty() || line.front() == '#') {
            if (current == &spanish) flush();
        }
    }
    flush();
    return catalog;
}

const Catalog& catalog() {
    static const Catalog parsed = [] {
        Catalog all;
        for (const std::string_view part : catalog_parts) {
            Catalog one = parse(part);
            all.exact.merge(one.exact);
            all.patterns.insert(all.patterns.end(), one.patterns.begin(), one.patterns.end());
        }
        return all;
    }();
    return parsed;
}

// Does `text` from `from` on match pieces[index...], each {} taking at least
// one character? Tries every place a piece occurs, so repeated words work.
bool match_from(const std::vector<std::string>& pieces, std::size_t index, std::string_view text, std::size_t from,
                std::vector<std::string>& captures) {
    if (index == pieces.size()) return from == text.size();
    const std::string& piece = pieces[index];
    if (index + 1 == pieces.size()) {
        // The last piece ends the text.
        if (text.size() < from + 1 + piece.size() || !text.ends_with(piece)) return false;
        captures.emplace_back(text.substr(from, text.size() - piece.size() - from));
        return true;
    }
    for (auto at = text.find(piece, from + 1); at != std::string_view::npos; at = text.find(piece, at + 1)) {
        captures.emplace_back(text.substr(from, at - from));
        if (match_from(pieces, index + 1, text, at + piece.size(), captures)) return true;
        captures.pop_back();
    }
    return false;
}

std::optional<std::vector<std::string>> match(const Pattern& pattern, std::string_view text) {
    const std::string& first = pattern.pieces.front();
    if (!text.starts_with(first)) return std::nullopt;
    std::vector<std::string> captures;
    if (match_from(pattern.pieces, 1, text, first.size(), captures)) return captures;
    return std::nullopt;
}

std::optional<std::string> translate_line(std::string_view english_line);

// A part that matched a {} may be a hint of its own ("{}; a reset is a
// client leaving too"): it is translated too, when the catalog has it.
std::string translated(const std::string& part) {
    auto spanish = translate_line(part);
    return spanish ? *spanish : part;
}

std::string fill(std::string_view spanish, const std::vector<std::string>& captures) {
    std::string result;
    std::size_t next = 0;
    for (std::size_t i = 0; i < spanish.size(); ++i) {
        if (spanish[i] == '{' && i + 1 < spanish.size() && spanish[i + 1] == '}') {
            if (next < captures.size()) result += translated(captures[next++]);
            ++i;
        } else if (spanish[i] == '{' && i + 2 < spanish.size() && spanish[i + 1] >= '1' && spanish[i + 1] <= '9' &&
                   spanish[i + 2] == '}') {
            const auto n = static_cast<std::size_t>(spanish[i + 1] - '1');
            if (n < captures.size()) result += translated(captures[n]);
            i += 2;
        } else {
            result += spanish[i];
        }
    }
    return result;
}

bool is_spanish(const char* value) {
    const std::string_view text = value ? value : "";
    return text == "es" || text.starts_with("es_") || text.starts_with("es-") || text.starts_with("es.") ||
           text.starts_with("es@");
}

bool is_set(const char* value) { return value && *value; }

// Each part a pattern matches is shorter than the line, so this ends.
std::optional<std::string> translate_line(std::string_view english_line) {
    const std::string_view wanted = trim(english_line);
    if (wanted.empty()) return std::nullopt;
    const Catalog& entries = catalog();
    if (const auto found = entries.exact.find(std::string(wanted)); found != entries.exact.end()) return found->second;
    for (const Pattern& pattern : entries.patterns)
        if (const auto captures = match(pattern, wanted)) return fill(pattern.spanish, *captures);
    return std::nullopt;
}

}  // namespace

std::optional<std::string> spanish_for(std::string_view english_line) { return translate_line(english_line); }

Language language_from(const char* lab_lang, const char* lc_all, const char* lc_messages, const char* lang) {
    if (is_set(lab_lang)) return is_spanish(lab_lang) ? Language::spanish : Language::english;
    for (const char* locale : {lc_all, lc_messages, lang})
        if (is_set(locale)) return is_spanish(locale) ? Language::spanish : Language::english;
    return Language::english;
}

Language hint_language() {
    static const Language chosen = language_from(std::getenv("LAB_LANG"), std::getenv("LC_ALL"),
                                                 std::getenv("LC_MESSAGES"), std::getenv("LANG"));
    return chosen;
}

std::string localized_hint(std::string_view english_hint, Language language) {
    if (language == Language::english) return std::string(english_hint);
    // A hint may be several lines (a hint, then why the program ended):
    // each line is translated on its own, keeping its indentation.
    std::string result;
    while (true) {
        const auto newline = english_hint.find('\n');
        const std::string_view line = english_hint.substr(0, newline);
        const std::size_t indent = line.find_first_not_of(" \t");
        const auto spanish = spanish_for(line);
        if (spanish && indent != std::string_view::npos) {
            result += std::string(line.substr(0, indent)) + *spanish;
        } else {
            result += line;
        }
        if (newline == std::string_view::npos) break;
        result += '\n';
        english_hint.remove_prefix(newline + 1);
    }
    return result;
}

std::string localized_hint(std::string_view english_hint) { return localized_hint(english_hint, hint_language()); }

std::string localized_text(std::string_view english_text) { return localized_hint(english_text, hint_language()); }

std::string localized_test_name(std::string_view english_name) {
    if (hint_language() == Language::english) return std::string(english_name);
    const auto spanish = spanish_for(english_name);
    return spanish ? *spanish : std::string(english_name);
}

}  // namespace grader
