// MD5 as RFC 1321 specifies it: the message padded with 0x80, zeros and its length in bits to a
// multiple of 64 bytes, each 64-byte block mixed into four 32-bit words in four rounds of sixteen
// steps. Little-endian throughout.
#include "md5.hpp"

#include <cmath>
#include <cstring>

namespace bench {
namespace {

// T[i] = floor(2^32 * |sin(i + 1)|), as section 3.4 of the RFC defines the table.
std::array<std::uint32_t, 64> make_sine_table() noexcept {
    std::array<std::uint32_t, 64> t{};
    for (std::size_t i = 0; i < t.size(); ++i)
        t[i] = static_cast<std::uint32_t>(std::floor(std::fabs(std::sin(static_cast<double>(i + 1))) * 4294967296.0));
    return t;
}

const std::array<std::uint32_t, 64> sine_table = make_sine_table();

// Left-rotation amounts, four per round.
constexpr std::uint32_t shifts[4][4] = {{7, 12, 17, 22}, {5, 9, 14, 20}, {4, 11, 16, 23}, {6, 10, 15, 21}};

constexpr std::uint32_t rotate_left(std::uint32_t x, std::uint32_t n) noexcept { return (x << n) | (x >> (32 - n)); }

std::uint32_t load_le32(const std::uint8_t* p) noexcept {
    return std::uint32_t{p[0]} | std::uint32_t{p[1]} << 8 | std::uint32_t{p[2]} << 16 | std::uint32_t{p[3]} << 24;
}

void transform(std::array<std::uint32_t, 4>& state, const std::uint8_t* block) noexcept {
    std::uint32_t x[16];
    for (int i = 0; i < 16; ++i) x[i] = load_le32(block + 4 * i);
    std::uint32_t a = state[0], b = state[1], c = state[2], d = state[3];
    for (std::uint32_t i = 0; i < 64; ++i) {
        const std::uint32_t round = i / 16;
        std::uint32_t f, k;
        switch (round) {
        case 0: f = (b & c) | (~b & d); k = i; break;                  // F
        case 1: f = (b & d) | (c & ~d); k = (5 * i + 1) % 16; break;   // G
        case 2: f = b ^ c ^ d; k = (3 * i + 5) % 16; break;            // H
        default: f = c ^ (b | ~d); k = (7 * i) % 16; break;            // I
        }
        const std::uint32_t rotated = rotate_left(a + f + sine_table[i] + x[k], shifts[round][i % 4]);
        a = d;
        d = c;
        c = b;
        b = b + rotated;
    }
    state[0] += a;
    state[1] += b;
    state[2] += c;
    state[3] += d;
}

}  // namespace

std::array<std::uint8_t, 16> md5(std::string_view message) noexcept {
    std::array<std::uint32_t, 4> state = {0x67452301, 0xefcdab89, 0x98badcfe, 0x10325476};
    const auto* bytes = reinterpret_cast<const std::uint8_t*>(message.data());
    std::size_t remaining = message.size();
    for (; remaining >= 64; remaining -= 64, bytes += 64) transform(state, bytes);

    // The tail, 0x80, zeros up to 56 mod 64, then the length in bits: one or two more blocks.
    std::uint8_t tail[128] = {};
    std::memcpy(tail, bytes, remaining);
    tail[remaining] = 0x80;
    const std::size_t tail_size = remaining < 56 ? 64 : 128;
    const std::uint64_t bits = static_cast<std::uint64_t>(message.size()) * 8;
    for (int i = 0; i < 8; ++i) tail[tail_size - 8 + i] = static_cast<std::uint8_t>(bits >> (8 * i));
    for (std::size_t offset = 0; offset < tail_size; offset += 64) transform(state, tail + offset);

    std::array<std::uint8_t, 16> digest{};
    for (int i = 0; i < 4; ++i)
        for (int j = 0; j < 4; ++j) digest[4 * i + j] = static_cast<std::uint8_t>(state[i] >> (8 * j));
    return digest;
}

std::string md5_hex(std::string_view message) {
    static constexpr char hex[] = "0123456789abcdef";
    std::string out;
    for (auto byte : md5(message)) {
        out += hex[byte >> 4];
        out += hex[byte & 0xF];
    }
    return out;
}

}  // namespace bench
