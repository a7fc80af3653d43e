// A model of the read-path change docs/benchmarks.md recommends, measured beside the real thing.
// Not flagstone code, and nothing reads it but the benchmarks.
//
// Today a rollout's published word says "evaluate", and the check goes through evaluate_default,
// the hazard-pointer protocol and the snapshot's program (about 190 instructions besides the bucket
// hash). The proposal publishes a rollout by user in the word itself: the needs-evaluation bit, a
// rollout bit, the threshold in buckets (14 bits) and the index of the salt's hash state in a table
// that only grows and whose entries never change once published (16 bits). The check is then one
// acquire load, one read of immutable memory and the bucket hash; a single word is still written
// whole, so a reader sees the old or the new rollout, never a mix of one's salt and the other's
// threshold.
#pragma once

#include <atomic>
#include <cstdint>
#include <string_view>

#include <flags/bucketing.hpp>
#include <flags/context.hpp>
#include <flags/detail/published_word.hpp>

namespace bench::proposal {

inline constexpr std::uint32_t rollout_bit = 1u << 30;
inline constexpr std::uint32_t threshold_mask = (1u << 14) - 1;

class RolloutWord {
public:
    // Publishes "rollout of `buckets` of 10,000 by user, salted with `salt`".
    void publish(std::string_view salt, std::uint16_t buckets) {
        salts_[count_] = flags::bucketing::salt_state(salt);  // written before the word that names it
        word_.store(flags::internal::needs_evaluation_bit | rollout_bit | (count_ << 14) | buckets,
                    std::memory_order_release);
        ++count_;
    }

    bool enabled(const flags::Context& ctx) const noexcept {
        const auto w = word_.load(std::memory_order_acquire);
        if (flags::internal::is_settled(w)) [[unlikely]]
            return flags::internal::settled_value(w) != 0;
        if (!(w & rollout_bit) || ctx.user.empty()) [[unlikely]]
            return false;  // the snapshot's path in the real thing; the registry default here
        const auto salt = salts_[(w >> 14) & 0xFFFF];
        return flags::bucketing::bucket_from_salt_state(salt, ctx.user) < (w & threshold_mask);
    }

private:
    std::atomic<std::uint32_t> word_{0};
    std::uint32_t count_ = 0;
    std::uint64_t salts_[16]{};  // a fixed array stands in for the growing table
};

// The model, configured as release.new-checkout is in the benchmark's runtime file.
inline const RolloutWord& new_checkout_model() {
    static RolloutWord* model = [] {
        auto* m = new RolloutWord;  // never destroyed, like the runtime it models
        m->publish("release.new-checkout", 2500);
        return m;
    }();
    return *model;
}

}  // namespace bench::proposal
