// Lab 11 starter: read README.md first (en español: README.es.md).
#pragma once
// The chat page, chat.html, built into the program (meson.build turns it
// into chat_html.hpp with embed_file.py): the server needs no file beside
// it, and an edited chat.html is in the next build.

#include <string_view>

// The bytes of chat.html, as they were when the program was built.
std::string_view chat_page();
