// Internal: part of the inline read path, not of flagstone's API. Nothing here is promised to stay
// from one release to the next; include <flags/read.hpp> or <flags/flags.hpp> instead.
//
// A read answered from a flag's published word (published_word.hpp), counted at its call site while
// observing (call_site_counting.hpp), and the default runtime's reads built on it.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

#include <flags/bucketing.hpp>
#include <flags/context.hpp>
#include <flags/detail/atomic.hpp>
#include <flags/detail/call_site_counting.hpp>
#include <flags/detail/exposure_key.hpp>
#include <flags/detail/published_word.hpp>
#include <flags/detail/snapshot_ref.hpp>
#include <flags/detail/typed_reads.hpp>
#include <flags/evaluation.hpp>
#include <flags/registry.hpp>

namespace flags::internal {

// Each registry flag's first counter (call_site_counting.hpp).
inline constexpr auto flag_counter_offsets =
    counter_offsets(std::span<const FlagInfo, std::size(generated::flags)>(generated::flags));

// This thread's call-site entry for the runtime publishing `words`, or nullptr when the shared entry
// is another runtime's (call_site_counting.hpp). Through the free functions `words` is a constant,
// and this is the process runtime's own entry, with no test at all.
[[gnu::always_inline]] inline const CallSiteCounters* call_site_entry_for(const Atomic<std::uint32_t>* words) noexcept {
    if (words == generated::published_words) return &process_call_site_counters;
    const CallSiteCounters& shared = call_site_counters;
    return shared.words == words ? &shared : nullptr;
}

// This thread's counters for the runtime publishing `words`, or nullptr when it has none at hand.
inline Atomic<std::uint64_t>* call_site_counts_for(const Atomic<std::uint32_t>* words) noexcept {
    const auto* entry = call_site_entry_for(words);
    const auto epoch = counting_epoch.load(MemoryOrder::relaxed);
    return entry && epoch != 0 && entry->epoch == epoch ? entry->counts : nullptr;
}

// Whether this thread's entry says that the runtime publishing `words` does not count.
inline bool call_site_counts_nothing_for(const Atomic<std::uint32_t>* words) noexcept {
    const auto* entry = call_site_entry_for(words);
    const auto epoch = counting_epoch.load(MemoryOrder::relaxed);
    return entry && epoch != 0 && entry->epoch == (epoch | does_not_count);
}

// Records a read that flag I's word answered, in the runtime publishing `words`, while `epoch`
// (counting_epoch as loaded) says whether any runtime counts. With this thread's entry for that
// runtime at hand it counts the read right here (or knows that runtime does not count), which is the
// whole of what most flags record; the rest (a first count, an exposure of a tracked flag while some
// runtime takes exposures) goes to `out_of_line`, told whether counting is done. A tracked flag read
// while runtimes only count has nothing more to record, and stays here.
template <std::size_t I, class OutOfLine>
[[gnu::always_inline]] inline void record_word_read(const Atomic<std::uint32_t>* words, std::uint64_t epoch,
                                                    ValueIndex value, std::uint32_t word, std::uint64_t key_hash,
                                                    OutOfLine&& out_of_line) noexcept {
    bool counted = epoch == 0;
    if (!counted) {
        const auto* entry = call_site_entry_for(words);
        counted = entry && count_in_entry(*entry, epoch, flag_counter_offsets[I], value, word_reason(word));
    }
    if constexpr (generated::flags[I].track) {
        if (!counted || exposing_runtimes.load(MemoryOrder::relaxed) != 0) out_of_line(value, word, counted, key_hash);
    } else if (!counted) {
        out_of_line(value, word, counted, std::uint64_t{0});  // an untracked flag has no exposure to key
    }
}

// A read of flag I through the runtime publishing `words` (see <flags/detail/published_word.hpp>): a settled
// value, or a user rollout or split computed here from the word and the flag's salt state, which is
// a constant of its name. Anything else, and a rollout without a user (which serves the
// default with reason ERROR), goes to `evaluate`, which records itself. A read answered here is
// recorded while any runtime observes its reads (counts them, for a flag that is not tracked, which
// has nothing else to record, and whose read so takes the counting gate alone); what cannot be done
// here goes to `record_out_of_line(value, word, counted, key_hash)`, where key_hash is the user's hash
// for the flag (exposure_key_hash), which a rollout or split has computed on the way to its bucket,
// and 0 when the read did not need it.
// Always inlined: it is the whole fast path, and the compiler, which sees two lambdas and an unlikely
// branch, would otherwise call it.
template <std::size_t I, class RecordOutOfLine, class Evaluate>
[[gnu::always_inline]] inline ValueIndex read_through_word(const Atomic<std::uint32_t>* words, const Context& ctx,
                                                           RecordOutOfLine&& record_out_of_line,
                                                           Evaluate&& evaluate) noexcept {
    const auto w = words[I].load(MemoryOrder::acquire);
    const auto gate = (generated::flags[I].track ? observing_gate : counting_gate).load(MemoryOrder::relaxed);
    // A settled word with nothing to record: the read is this one test.
    if (is_settled(w | gate)) [[likely]]
        return settled_value(w);
    ValueIndex value;
    std::uint64_t key_hash = 0;
    if (is_settled(w)) [[unlikely]] {  // here only to be recorded
        value = settled_value(w);
    } else if (is_by_user(w) && !ctx.user.empty()) {
        constexpr auto salt = bucketing::salt_state(generated::flags[I].name);
        key_hash = exposure_key_hash(salt, ctx.user);
        value = by_user_value(w, static_cast<std::uint32_t>(key_hash % bucket_count));
    } else {
        return evaluate();
    }
    if (gate != 0) [[unlikely]]
        record_word_read<I>(words, counting_epoch.load(MemoryOrder::relaxed), value, w, key_hash, record_out_of_line);
    return value;
}

// The reads of the process's runtime (flags::process_runtime()), which the free functions make. That
// runtime publishes into generated::published_words, whose address is a constant: reading them
// directly spares the load of the words' address that a read through the Runtime object costs.
class DefaultReads : public TypedReads<DefaultReads> {
public:
    template <std::size_t I>
    [[gnu::always_inline]] ValueIndex value_index(const Context& ctx) const noexcept {
        return read_through_word<I>(
            generated::published_words, ctx,
            [&](ValueIndex value, std::uint32_t word, bool counted, std::uint64_t key_hash) {
                record_default_word_read(I, value, word, ctx, counted, key_hash);
            },
            [&] { return evaluate_default(generated::registry, I, ctx).value; });
    }
    Evaluation evaluation(std::size_t flag, const Context& ctx) const noexcept {
        return evaluate_default(generated::registry, flag, ctx);
    }
};

inline constexpr DefaultReads default_reads{};

}  // namespace flags::internal
