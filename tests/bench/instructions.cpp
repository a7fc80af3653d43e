// Instruction counts of the core cases, for callgrind. Unlike times, they do not drift with the
// machine's load, so a change in a count is a change in the code: report.py compares them with the
// committed baseline (instructions-baseline.json).
//
// Run under `valgrind --tool=callgrind --collect-atstart=no`: each case warms up uncounted, then
// runs `iterations` times between two collection toggles and is dumped under its own name. Outside
// valgrind the client requests are no-ops and this just runs the loops.
#include <cstdio>

#if __has_include(<valgrind/callgrind.h>)
#include <valgrind/callgrind.h>
#else
#define CALLGRIND_TOGGLE_COLLECT
#define CALLGRIND_DUMP_STATS_AT(name) ((void)(name))
#define CALLGRIND_ZERO_STATS
#endif

#include <benchmark/benchmark.h>

#include <flags/bucketing.hpp>
#include <flags/detail/call_site_counting.hpp>

#include "programs.hpp"
#include "proposal.hpp"
#include "scenario.hpp"

using flags::Flag;

namespace bench {
namespace {

std::atomic<bool> floor_flag{true};
constinit thread_local flags::internal::Atomic<std::uint64_t> floor_reads{0};
constexpr std::size_t mask = Population::size - 1;

// The same loop shape as micro.cpp's measure(), so that its overhead (about four instructions) is
// the same in every count, the floor's included.
template <class Check>
[[gnu::noinline]] void count(const char* name, std::size_t iterations, Check&& check) {
    for (std::size_t i = 0; i < 1000; ++i) {  // warm-up: first-use initialisation is not the case's cost
        auto result = check(i & mask);
        benchmark::DoNotOptimize(result);
    }
    CALLGRIND_ZERO_STATS;
    CALLGRIND_TOGGLE_COLLECT;
    for (std::size_t i = 0; i < iterations; ++i) {
        auto result = check(i & mask);
        benchmark::DoNotOptimize(result);
    }
    CALLGRIND_TOGGLE_COLLECT;
    CALLGRIND_DUMP_STATS_AT(name);
    std::printf("%s %zu\n", name, iterations);
}

}  // namespace

int run_instructions(std::size_t iterations) {
    load_flagstone();
    const auto& pop = population();
    const auto& contexts = pop.contexts;
    auto& naive = naive_flags();
    const auto& shared = shared_ptr_flags();

    count("floor/atomic_load", iterations, [](std::size_t) { return floor_flag.load(std::memory_order_relaxed); });
    count("floor/counted_load", iterations, [](std::size_t) {
        const bool value = floor_flag.load(std::memory_order_relaxed);
        flags::internal::add_one(floor_reads);
        return value;
    });
    const auto salt = flags::bucketing::salt_state("release.new-checkout");
    count("floor/bucket_hash", iterations, [&](std::size_t i) {
        return flags::bucketing::bucket_from_salt_state(salt, contexts[i].user) < 2500;
    });
    count("flagstone/static", iterations,
          [&](std::size_t) { return flags::enabled<Flag::ops_kill_switch_payments>(contexts[0]); });
    count("flagstone/rollout", iterations,
          [&](std::size_t i) { return flags::enabled<Flag::release_new_checkout>(contexts[i]); });
    count("flagstone/targeting", iterations,
          [&](std::size_t i) { return flags::enabled<Flag::permission_early_access>(contexts[i]); });
    count("flagstone/split", iterations,
          [&](std::size_t i) { return flags::variant<Flag::experiment_button_color>(contexts[i]); });
    count("flagstone/detail", iterations,
          [&](std::size_t i) { return flags::detail<Flag::release_new_checkout>(contexts[i]).bucket; });
    count("flagstone/request_10", iterations, [&](std::size_t i) {
        const flags::Context& ctx = contexts[i];
        const auto view = flags::pin();
        int n = 0;
        for (int k = 0; k < 2; ++k) {
            n += view.enabled<Flag::ops_kill_switch_payments>(ctx);
            n += view.enabled<Flag::release_new_checkout>(ctx);
            n += view.enabled<Flag::permission_early_access>(ctx);
            n += static_cast<int>(view.variant<Flag::experiment_button_color>(ctx));
            n += view.enabled<Flag::release_fast_search>(ctx);
        }
        return n;
    });
    flags::observe({.count_evaluations = true});
    count("observed/static_counted", iterations,
          [&](std::size_t) { return flags::enabled<Flag::ops_kill_switch_payments>(contexts[0]); });
    count("observed/rollout_counted", iterations,
          [&](std::size_t i) { return flags::enabled<Flag::release_new_checkout>(contexts[i]); });
    count("observed/split_counted", iterations,
          [&](std::size_t i) { return flags::variant<Flag::experiment_button_color>(contexts[i]); });
    flags::observe({.exposures = [](const flags::Exposure&) {}});
    count("observed/static_exposed", iterations,
          [&](std::size_t) { return flags::enabled<Flag::ops_kill_switch_payments>(contexts[0]); });
    // Past the first pass over the population, each read is a repeat that the thread's filter of
    // recent exposures turns away: the steady state of a tracked flag.
    count("observed/split_tracked", iterations,
          [&](std::size_t i) { return flags::variant<Flag::experiment_button_color>(contexts[i]); });
    flags::observe({});
    const auto& model = proposal::new_checkout_model();
    count("proposal/rollout_in_word", iterations, [&](std::size_t i) { return model.enabled(contexts[i]); });
    count("shared_ptr/rollout", iterations, [&](std::size_t i) {
        return shared.enabled(static_cast<std::size_t>(Flag::release_new_checkout), contexts[i]);
    });
    count("naive/rollout", iterations / 10 + 1,
          [&](std::size_t i) { return naive.is_enabled("release.new-checkout", pop.naive_users[i]); });
    return 0;
}

}  // namespace bench
