// Internal: part of the inline read path, not of flagstone's API. Nothing here is promised to stay
// from one release to the next; include <flags/read.hpp> or <flags/flags.hpp> instead.
//
// Evaluation counters, and counting a read where it happens.
//
// A runtime that counts keeps, per thread, one counter for each (flag, value, reason); see
// src/runtime/observer.hpp. The counters of all flags sit in one array, flag after flag, in the
// layout below, which the observer and the call sites share.
//
// A read answered from its flag's published word costs a load or two, so a call to count it would
// cost ten times the read. Instead the call site adds to the thread's counter itself: each thread
// keeps an entry with its counter array for a runtime. The process's runtime (the free functions'),
// whose words are a constant of the call site, has an entry of its own, `process_call_site_counters`,
// which the call site takes without a test of whose it is; any other runtime shares
// `call_site_counters`, keyed by its words, with the runtime it last counted for. The first counted
// read through a runtime goes out of line and fills its entry. A runtime that observes without
// counting (exposures only) gets an entry too, which says it does not count, so that a read of an
// untracked flag through it has nothing to do and does not leave the call site.
//
// `counting_epoch` is 0 while no runtime counts (an unobserved read tests the read gate that says
// so, published_word.hpp, and loads the epoch only past it), and takes a new value, never taken
// before, whenever any runtime starts or stops counting, which makes every thread's entry stale at
// once: a runtime that stops counting (or is destroyed, which stops it first) is never counted for,
// or its freed counters written, from an old entry, and one that starts is never taken for one that
// does not count. Whoever fills an entry reads the epoch before it checks
// whether its runtime counts, so an entry never outlives the counting (or not) it was filled under.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>

#include <flags/detail/atomic.hpp>
#include <flags/evaluation.hpp>
#include <flags/registry_types.hpp>

namespace flags::internal {

inline constexpr std::size_t reasons_counted = static_cast<std::size_t>(Reason::ERROR) + 1;
// Each value's counters take eight places, one per reason and one never written, so that a call site
// finds a counter's place with one scaled add (value * 8 + reason) rather than a multiply by seven.
inline constexpr std::size_t counters_per_value = 8;
static_assert(reasons_counted <= counters_per_value);

constexpr std::size_t counters_of(const FlagInfo& flag) noexcept { return flag.value_count() * counters_per_value; }

// Where (value, reason) sits among its flag's counters.
constexpr std::size_t counter_in_flag(ValueIndex value, Reason reason) noexcept {
    return value * counters_per_value + static_cast<std::size_t>(reason);
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
    const Atomic<std::uint32_t>* words = nullptr;  // the runtime these counters belong to
    Atomic<std::uint64_t>* counts = nullptr;       // this thread's, laid out as above
    std::uint64_t epoch = 0;  // counting_epoch when the entry was filled, marked when the runtime does not count
};

// Marks an entry's epoch for a runtime that does not count: never a value of counting_epoch itself.
inline constexpr std::uint64_t does_not_count = std::uint64_t{1} << 63;

// 0 while no runtime counts, as counting_gate says to a read of a flag that is not tracked, which has
// nothing but a count to record, so that exposures elsewhere cost it nothing.
extern Atomic<std::uint64_t> counting_epoch;
// Nonzero while any runtime takes exposures: a tracked flag's read that its call site has counted
// (or knows need not be) goes out of line only for an exposure, so only while this says one is taken.
extern Atomic<std::uint32_t> exposing_runtimes;
// constinit and trivially destructible: reaching them is a TLS load, with no wrapper call.
extern constinit thread_local CallSiteCounters call_site_counters;
extern constinit thread_local CallSiteCounters process_call_site_counters;

// Only the owning thread writes a counter, so a plain add will do; readers sum with relaxed loads.
// Always inlined: a call site's count sits on a branch the compiler thinks cold, where it would
// otherwise call this, at several times the cost of the add.
[[gnu::always_inline]] inline void add_one(Atomic<std::uint64_t>& counter) noexcept {
    counter.store(counter.load(MemoryOrder::relaxed) + 1, MemoryOrder::relaxed);
}

// Counts, at its call site, a read answered from the word of the flag whose counters start at
// `flag_counters`, in `entry`, which the caller has found to be its runtime's, under `epoch`, the
// nonzero counting_epoch it loaded: true when the entry is filled under that epoch, and so the read
// is counted, or says that its runtime does not count; false when the entry has to be filled out of
// line first.
[[gnu::always_inline]] inline bool count_in_entry(const CallSiteCounters& entry, std::uint64_t epoch,
                                                  std::size_t flag_counters, ValueIndex value, Reason reason) noexcept {
    // One read of the entry into a copy: a member read after another, under -fsanitize=null, got a
    // null check from GCC 12 that tested stale flags and reported the thread's entry as null.
    const CallSiteCounters filled = entry;
    if (filled.epoch == epoch) [[likely]] {
        add_one(filled.counts[flag_counters + counter_in_flag(value, reason)]);
        return true;
    }
    return filled.epoch == (epoch | does_not_count);
}

}  // namespace flags::internal
