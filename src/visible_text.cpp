#include "visible_text.hpp"

#include <fmt/format.h>

namespace flags::internal {
namespace {

template <typename Escape>
std::string rewrite(std::string_view text, Escape&& escape) {
    std::string out;
    out.reserve(text.size());
    for (std::size_t at = 0; at < text.size();) {
        const auto d = code_point_at(text, at);
        if (d.length == 0) {
            out += fmt::format("\\x{:02x}", static_cast<unsigned char>(text[at]));
            ++at;
            continue;
        }
        if (escape(d.value)) append_escape(out, d.value);
        else out.append(text, at, d.length);
        at += d.length;
    }
    return out;
}

}  // namespace

CodePoint code_point_at(std::string_view text, std::size_t at) noexcept {
    const auto byte = [&](std::size_t i) { return static_cast<unsigned char>(text[i]); };
    const unsigned char lead = byte(at);
    if (lead < 0x80) return {lead, 1};
    std::size_t length = 0;
    char32_t value = 0;
    if ((lead & 0xE0) == 0xC0) length = 2, value = lead & 0x1F;
    else if ((lead & 0xF0) == 0xE0) length = 3, value = lead & 0x0F;
    else if ((lead & 0xF8) == 0xF0) length = 4, value = lead & 0x07;
    else return {};
    if (at + length > text.size()) return {};
    for (std::size_t i = 1; i < length; ++i) {
        if ((byte(at + i) & 0xC0) != 0x80) return {};
        value = (value << 6) | (byte(at + i) & 0x3F);
    }
    constexpr char32_t smallest[] = {0, 0, 0x80, 0x800, 0x10000};
    if (value < smallest[length] || value > 0x10FFFF || (value >= 0xD800 && value <= 0xDFFF)) return {};
    return {value, length};
}

void append_escape(std::string& out, char32_t code_point) {
    if (code_point <= 0xFFFF) {
        out += fmt::format("\\u{:04x}", static_cast<unsigned>(code_point));
        return;
    }
    // JSON spells a code point past the BMP as its UTF-16 surrogate pair.
    const char32_t v = code_point - 0x10000;
    out += fmt::format("\\u{:04x}\\u{:04x}", static_cast<unsigned>(0xD800 + (v >> 10)),
                       static_cast<unsigned>(0xDC00 + (v & 0x3FF)));
}

bool is_unsafe_on_terminal(char32_t c) noexcept {
    if (c < 0x20 || (c >= 0x7F && c <= 0x9F)) return true;         // C0, DEL, C1
    if (c == 0x061C || c == 0x180E) return true;                    // Arabic letter mark, Mongolian separator
    if (c >= 0x200B && c <= 0x200F) return true;                    // zero-width space/joiners, LRM, RLM
    if (c >= 0x2028 && c <= 0x202E) return true;                    // line/paragraph separators, embeddings
    if (c >= 0x2060 && c <= 0x206F) return true;                    // word joiner, isolates, deprecated formats
    if (c == 0xFEFF || (c >= 0xFFF9 && c <= 0xFFFB)) return true;   // BOM, interlinear annotations
    if (c >= 0xE0000 && c <= 0xE007F) return true;                  // tag characters
    return false;
}

std::string terminal_safe(std::string_view text, bool keep_line_breaks) {
    return rewrite(text, [keep_line_breaks](char32_t c) {
        if (keep_line_breaks && (c == '\n' || c == '\t')) return false;
        return is_unsafe_on_terminal(c);
    });
}

std::string ascii_only(std::string_view text) {
    return rewrite(text, [](char32_t c) { return c >= 0x7F || is_unsafe_on_terminal(c); });
}

}  // namespace flags::internal
