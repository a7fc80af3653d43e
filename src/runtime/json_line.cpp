#include "json_line.hpp"

#include <chrono>

#include <fmt/chrono.h>
#include <fmt/format.h>

namespace flags::internal {

std::string json_quoted(std::string_view text) {
    std::string out = "\"";
    for (unsigned char c : text) {
        switch (c) {
        case '"': out += "\\\""; break;
        case '\\': out += "\\\\"; break;
        case '\n': out += "\\n"; break;
        case '\r': out += "\\r"; break;
        case '\t': out += "\\t"; break;
        default:
            if (c < 0x20) out += fmt::format("\\u{:04x}", c);
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
