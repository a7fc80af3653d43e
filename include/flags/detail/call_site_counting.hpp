// Evaluation counters, and counting a read where it happens.
//
// A runtime that counts keeps, per thread, one counter for each (flag, value, reason); see
// src/runtime/observer.hpp. The counters of all flags sit in one array, flag after flag, in the
// layout below, which the observer and the call sites share.
//
// A read answered from its flag's published word costs a load or two, so a call to count it would
// cost ten times the read. Instead the call site adds to the thread's counter itself: each thread
// keeps, in `call_site_counters`, its counter array for the runtime it last counted for, keyed by that
// runtime's words. The first counted read through a runtime goes out of line and fills it.
//
// `counting_epoch` changes whenever any runtime starts or stops counting, which makes every thread's
// entry stale at once: a runtime that stops counting (or is destroyed, which stops it first) is
// never counted for, or its freed counters written, from an old entry. Whoever fills an entry reads
// the epoch before it checks that its runtime counts, so an entry never outlives the counting it
// was filled under.
#pragma once

#include <array>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <span>

#include <flags/evaluation.hpp>
#include <flags/registry_types.hpp>

namespace flags::internal {

inline constexpr std::size_t reasons_counted = static_cast<std::size_t>(Reason::ERROR) + 1;

constexpr std::size_t counters_of(const FlagInfo& flag) noexcept { return flag.value_count() * reasons_counted; }

// Where (value, reason) sits among its flag's counters.
constexpr std::size_t counter_in_flag(ValueIndex value, Reason reason) noexcept {
    return value * reasons_counted + static_cast<std::size_t>(reason);
}

// Each flag's first counter, for a registry known at compile time.
template <std::size_t N>
constexpr std::array<std::size_t, N> counter_offsets(std::span<const FlagInfo, N> flags) noexcept {
    std::array<std::size_t, N> offsets{};
    std::size_t next = 0;
    for (std::size_t i = 0; i < N; ++i) {
        offsets[i] = next;
        next += counters_of(flags[i]);
    }
    return offsets;
}

struct CallSiteCounters {
    const std::atomic<std::uint32_t>* words = nullptr;  // the runtime these counters belong to
    std::atomic<std::uint64_t>* counts = nullptr;       // this thread's, laid out as above
    std::uint64_t epoch = 0;                            // counting_epoch when the entry was filled
};

extern std::atomic<std::uint64_t> counting_epoch;
// constinit and trivially destructible: reaching it is a TLS load, with no wrapper call.
extern constinit thread_local CallSiteCounters call_site_counters;

// This thread's counters for the runtime publishing `words`, or nullptr when it has to go out of line.
inline std::atomic<std::uint64_t>* call_site_counts_for(const std::atomic<std::uint32_t>* words) noexcept {
    if (call_site_counters.words == words && call_site_counters.epoch == counting_epoch.load(std::memory_order_relaxed))
        [[likely]]
        return call_site_counters.counts;
    return nullptr;
}

// Only the owning thread writes a counter, so a plain add will do; readers sum with relaxed loads.
inline void add_one(std::atomic<std::uint64_t>& counter) noexcept {
    counter.store(counter.load(std::memory_order_relaxed) + 1, std::memory_order_relaxed);
}

}  // namespace flags::internal
