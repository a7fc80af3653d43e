#include "json_line.hpp"

#include "../visible_text.hpp"

#include <chrono>

#include <fmt/chrono.h>
#include <fmt/format.h>

namespace flags::internal {

std::string json_quoted(std::string_view text) {
    std::string out = "\"";
    for (std::size_t at = 0; at < text.size(); ++at) {
        const auto c = static_cast<unsigned char>(text[at]);
        if (c >= 0x80) {
            // A log line is read on a terminal too: bidirectional and invisible characters are
            // escaped, and a byte that is not UTF-8 becomes U+FFFD, as JSON must be UTF-8.
            const auto sequence = code_point_at(text, at);
            if (sequence.length == 0) append_escape(out, 0xFFFD);
            else if (is_unsafe_on_terminal(sequence.value)) append_escape(out, sequence.value);
            else out.append(text, at, sequence.length);
            if (sequence.length > 1) at += sequence.length - 1;
            continue;
        }
        switch (c) {
        case '"': out += "\\\""; break;
        case '\\': out += "\\\\"; break;
        case '\n': out += "\\n"; break;
        case '\r': out += "\\r"; break;
        case '\t': out += "\\t"; break;
        default:
            if (c < 0x20 || c == 0x7f) out += fmt::format("\\u{:04x}", c);
            else out += static_cast<char>(c);
        }
    }
    return out + "\"";
}

JsonLine& JsonLine::key(std::string_view key) {
    if (body_.size() > 1) body_ += ',';
    body_ += json_quoted(key);
    body_ += ':';
    return *this;
}

JsonLine& JsonLine::field(std::string_view k, std::string_view value) {
    key(k);
    body_ += json_quoted(value);
    return *this;
}

JsonLine& JsonLine::field(std::string_view k, std::int64_t value) {
    key(k);
    body_ += std::to_string(value);
    return *this;
}

JsonLine& JsonLine::field(std::string_view k, std::uint64_t value) {
    key(k);
    body_ += std::to_string(value);
    return *this;
}

JsonLine& JsonLine::field(std::string_view k, double value) {
    key(k);
    body_ += fmt::format("{:.3f}", value);
    return *this;
}

JsonLine& JsonLine::field(std::string_view k, bool value) {
    key(k);
    body_ += value ? "true" : "false";
    return *this;
}

JsonLine& JsonLine::raw(std::string_view k, std::string_view json) {
    key(k);
    body_ += json;
    return *this;
}

std::string utc_timestamp() { return utc_timestamp(std::chrono::system_clock::now()); }

std::string utc_timestamp(std::chrono::system_clock::time_point time) {
    const auto millis = std::chrono::duration_cast<std::chrono::milliseconds>(time.time_since_epoch()).count() % 1000;
    return fmt::format("{:%Y-%m-%dT%H:%M:%S}.{:03}Z", fmt::gmtime(std::chrono::system_clock::to_time_t(time)), millis);
}

std::string hex_hash(std::uint64_t hash) { return fmt::format("{:016x}", hash); }

}  // namespace flags::internal
