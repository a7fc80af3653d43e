#include "flag_index.hpp"

#include <bit>
#include <functional>

namespace flags::internal {

// At most half full, so that a probe for a name the registry lacks ends after a slot or two.
FlagIndex::FlagIndex(std::span<const FlagInfo> flags)
    : flags_(flags), slots_(std::bit_ceil(2 * flags.size() + 1), 0), mask_(slots_.size() - 1) {
    for (std::size_t i = 0; i < flags.size(); ++i) {
        std::size_t slot = std::hash<std::string_view>{}(flags[i].name) & mask_;
        while (slots_[slot] != 0) slot = (slot + 1) & mask_;
        slots_[slot] = static_cast<std::uint32_t>(i + 1);
    }
}

int FlagIndex::find(std::string_view name) const noexcept {
    for (std::size_t slot = std::hash<std::string_view>{}(name) & mask_; slots_[slot] != 0; slot = (slot + 1) & mask_) {
        const std::uint32_t flag = slots_[slot] - 1;
        if (flags_[flag].name == name) return static_cast<int>(flag);
    }
    return -1;
}

}  // namespace flags::internal
