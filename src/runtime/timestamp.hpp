// RFC 3339 timestamps ("2026-11-21T09:30:00Z", "2026-11-21T10:30:00.5+01:00") for before/after.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace flags::internal {

// Nanoseconds since 1970-01-01T00:00:00Z; nullopt unless `text` is a full RFC 3339 date-time with
// an offset (Z or +hh:mm / -hh:mm). Allocates nothing.
std::optional<std::int64_t> parse_rfc3339(std::string_view text) noexcept;

}  // namespace flags::internal
