// Builds one JSON object on one line, for log events and flagctl's --json output.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

namespace flags::internal {

std::string json_quoted(std::string_view text);

class JsonLine {
public:
    JsonLine& field(std::string_view key, std::string_view value);
    JsonLine& field(std::string_view key, const char* value) { return field(key, std::string_view(value)); }
    JsonLine& field(std::string_view key, std::int64_t value);
    JsonLine& field(std::string_view key, std::uint64_t value);
    JsonLine& field(std::string_view key, int value) { return field(key, static_cast<std::int64_t>(value)); }
    JsonLine& field(std::string_view key, unsigned value) { return field(key, static_cast<std::uint64_t>(value)); }
    JsonLine& field(std::string_view key, double value);
    JsonLine& field(std::string_view key, bool value);
    // `json` must already be valid JSON (an object or array built elsewhere).
    JsonLine& raw(std::string_view key, std::string_view json);

    std::string str() const { return body_ + "}"; }

private:
    JsonLine& key(std::string_view key);
    std::string body_ = "{";
};

// "2026-11-21T12:00:00.123Z": now, or `time`.
std::string utc_timestamp();
std::string utc_timestamp(std::chrono::system_clock::time_point time);

// A content hash as 16 hex digits.
std::string hex_hash(std::uint64_t hash);

}  // namespace flags::internal
