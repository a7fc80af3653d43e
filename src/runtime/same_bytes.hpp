// Whether two short byte ranges are equal, without a call: the evaluator compares attribute names
// and set members, nearly all under 16 bytes, where a call to memcmp costs more than the comparison.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>

namespace flags::internal {

template <class Word>
inline Word load_word(const char* p) noexcept {
    Word w;
    std::memcpy(&w, p, sizeof w);
    return w;
}

// Whether n bytes at a and b are the same, by fixed-size loads that may overlap. No call, even past
// 16 bytes: a function that compares names then needs to save no registers to run.
[[gnu::always_inline]] inline bool same_bytes(const char* a, const char* b, std::size_t n) noexcept {
    if (n > 16) {
        for (std::size_t i = 0; i + 8 < n; i += 8)
            if (load_word<std::uint64_t>(a + i) != load_word<std::uint64_t>(b + i)) return false;
        return load_word<std::uint64_t>(a + n - 8) == load_word<std::uint64_t>(b + n - 8);
    }
    if (n >= 8)
        return load_word<std::uint64_t>(a) == load_word<std::uint64_t>(b) &&
               load_word<std::uint64_t>(a + n - 8) == load_word<std::uint64_t>(b + n - 8);
    if (n >= 4)
        return load_word<std::uint32_t>(a) == load_word<std::uint32_t>(b) &&
               load_word<std::uint32_t>(a + n - 4) == load_word<std::uint32_t>(b + n - 4);
    return n == 0 || (a[0] == b[0] && a[n / 2] == b[n / 2] && a[n - 1] == b[n - 1]);
}

}  // namespace flags::internal
