// The Spanish hints: which language the environment asks for, and the
// lookup in the catalog (tests/harness/hints.es.txt), with real entries.

#include <doctest/doctest.h>  // main(): common/tests/main.cpp

#include "language.hpp"

using grader::Language;
using grader::language_from;
using grader::localized_hint;

TEST_CASE("LAB_LANG wins over the locale, then LC_ALL, LC_MESSAGES and LANG in that order") {
    CHECK(language_from(nullptr, nullptr, nullptr, nullptr) == Language::english);
    CHECK(language_from("es", nullptr, nullptr, nullptr) == Language::spanish);
    CHECK(language_from("en", "es_ES.UTF-8", nullptr, nullptr) == Language::english);
    CHECK(language_from("es", "C", "C", "en_US.UTF-8") == Language::spanish);
    CHECK(language_from(nullptr, nullptr, nullptr, "es_AR.UTF-8") == Language::spanish);
    CHECK(language_from(nullptr, nullptr, "es_MX.UTF-8", "en_GB.UTF-8") == Language::spanish);
    CHECK(language_from(nullptr, "C.UTF-8", nullptr, "es_ES.UTF-8") == Language::english);
    CHECK(language_from("", "", "", "es_ES") == Language::spanish);  // empty is not set
    CHECK(language_from(nullptr, nullptr, nullptr, "est_EE.UTF-8") == Language::english);  // Estonian-like names are not Spanish
}

TEST_CASE("in English a hint is left as it is") {
    const char* hint = "send back exactly the bytes recv() gave you";
    CHECK(localized_hint(hint, Language::english) == hint);
}

TEST_CASE("a hint in the catalog comes out in Spanish") {
    CHECK(localized_hint("send back exactly the bytes recv() gave you", Language::spanish) ==
          "devuelve exactamente los bytes que te dio recv()");
    // surrounding spaces do not matter
    CHECK(localized_hint("  send back exactly the bytes recv() gave you ", Language::spanish) ==
          "  devuelve exactamente los bytes que te dio recv()");
}

TEST_CASE("a hint with no translation is shown in English") {
    const char* hint = "a hint written after the catalog, with no translation yet";
    CHECK(localized_hint(hint, Language::spanish) == hint);
}

TEST_CASE("the parts that vary are carried into the Spanish") {
    CHECK(localized_hint("say which address could not be used, and why: \"oops\\n\"", Language::spanish) ==
          "di qué dirección no se pudo usar, y por qué: \"oops\\n\"");
    // a part that is itself a hint is translated too
    CHECK(localized_hint("only the first 1024 of the line's 5000 bytes came back: is the line kept in a fixed-size "
                         "buffer? A line can be longer than any buffer you recv() into: keep it in a std::string "
                         "that grows until its '\\n' arrives",
                         Language::spanish)
              .starts_with("solo volvieron los primeros 1024 de los 5000 bytes de la línea: "));
}

TEST_CASE("each line of a hint is translated on its own, keeping its indentation") {
    const std::string hint =
        "send back exactly the bytes recv() gave you\n      it aborted: usually an exception nobody caught "
        "(std::terminate), or a failed assert; its standard error says which\n      an untranslated line";
    const std::string spanish = localized_hint(hint, Language::spanish);
    CHECK(spanish.starts_with("devuelve exactamente los bytes que te dio recv()\n      "));
    CHECK(spanish.find("\n      abortó:") != std::string::npos);
    CHECK(spanish.ends_with("\n      an untranslated line"));
}
