// MD5 (RFC 1321), written for the naive baseline only: it is what blog posts hash "flag:user" with
// to pick a rollout bucket. Not for anything that needs a secure hash.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

namespace bench {

std::array<std::uint8_t, 16> md5(std::string_view message) noexcept;

// Lowercase hexadecimal, as `md5sum` prints it; for the self-check against RFC 1321's test suite.
std::string md5_hex(std::string_view message);

}  // namespace bench
