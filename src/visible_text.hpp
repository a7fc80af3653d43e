// Text from a file, made safe to show on a terminal: control characters, bidirectional controls and
// invisible characters are written as escapes, so that a message shows what a name really holds
// ("release.a\u200bb") instead of rewriting the terminal's line or hiding a character.
#pragma once

#include <string>
#include <string_view>

namespace flags::internal {

struct CodePoint {
    char32_t value = 0;
    std::size_t length = 0;  // bytes; 0 when `text` holds no valid UTF-8 sequence at this position
};

// The UTF-8 sequence starting at `at` (< text.size()); overlong forms and surrogates are invalid.
CodePoint code_point_at(std::string_view text, std::size_t at) noexcept;

// `code_point` as a JSON escape: \uXXXX, or a surrogate pair past U+FFFF.
void append_escape(std::string& out, char32_t code_point);

// True for the code points never written raw: C0 and C1 controls and DEL, the bidirectional
// embeddings, overrides, isolates and marks, and zero-width or otherwise invisible format characters.
bool is_unsafe_on_terminal(char32_t code_point) noexcept;

// `text` with every unsafe code point as \uXXXX, except that newline and tab are kept when
// `keep_line_breaks` (output meant as several lines). Invalid UTF-8 bytes become \xNN. The escapes are
// JSON's, so a JSON document passed through stays valid.
std::string terminal_safe(std::string_view text, bool keep_line_breaks);

// `text` with every code point outside ASCII escaped as well: how a name is shown when a look-alike
// letter (a Cyrillic 'е' for a Latin 'e') is the very mistake being reported.
std::string ascii_only(std::string_view text);

}  // namespace flags::internal
