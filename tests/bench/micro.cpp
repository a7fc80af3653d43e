// The hot-path cases, side by side, each at 1 and 2 threads: the physical floor, the naive and
// shared_ptr alternatives, and flagstone's call-site API. Names are what report.py reads:
// "<family>/<case>".
//
// Every loop reports allocs/op, the calling thread's heap allocations per iteration, and
// items_per_second, so that report.py can compare two threads' throughput with one's.
#include <benchmark/benchmark.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <memory>
#include <stdexcept>

#include <fmt/format.h>

#include <flags/bucketing.hpp>
#include <flags/detail/call_site_counting.hpp>
#include <flags/detail/runtime_access.hpp>

#include "alloc_counter.hpp"
#include "programs.hpp"
#include "proposal.hpp"
#include "scenario.hpp"
#include "worst_case.hpp"

using flags::Flag;

namespace bench {
namespace {

// The floor: the cheapest thing a flag check can possibly be, a relaxed load of a global.
std::atomic<bool> floor_flag{true};

constexpr std::size_t mask = Population::size - 1;

// Runs `check(i)` once per iteration, i counting up, and records allocations and throughput.
template <class Check>
void measure(benchmark::State& state, Check&& check) {
    const auto allocations_before = thread_allocations();
    std::size_t i = static_cast<std::size_t>(state.thread_index()) * 17;  // threads start apart
    for (auto _ : state) {
        auto result = check(i & mask);
        benchmark::DoNotOptimize(result);
        ++i;
    }
    state.counters["allocs/op"] = benchmark::Counter(static_cast<double>(thread_allocations() - allocations_before),
                                                     benchmark::Counter::kAvgIterations);
    state.SetItemsProcessed(state.iterations());
}

void floor_load(benchmark::State& state) {
    measure(state, [](std::size_t) { return floor_flag.load(std::memory_order_relaxed); });
}

// The floor of a check that is counted exactly: the floor's load, and one add to a counter only the
// calling thread writes, as the library counts. A counted check can cost no less, whatever the flag.
constinit thread_local flags::internal::Atomic<std::uint64_t> floor_reads{0};

void floor_counted_load(benchmark::State& state) {
    measure(state, [](std::size_t) {
        const bool value = floor_flag.load(std::memory_order_relaxed);
        flags::internal::add_one(floor_reads);
        return value;
    });
}

// The floor of any rollout: bucketing the key alone, with the salt's state precomputed as the
// snapshot holds it. The bucket function is fixed forever (docs/bucketing.md), and its FNV-1a pass
// is one multiply per byte in a dependent chain, so no rollout check can cost less than this.
void floor_bucket(benchmark::State& state) {
    const auto& contexts = population().contexts;
    const auto salt = flags::bucketing::salt_state("release.new-checkout");
    measure(state, [&](std::size_t i) { return flags::bucketing::bucket_from_salt_state(salt, contexts[i].user) < 2500; });
}

// --- naive: mutex + unordered_map<std::string> + TTL + MD5 ---------------------------------------

void naive_static(benchmark::State& state) {
    auto& naive = naive_flags();
    const auto& users = population().naive_users;
    measure(state, [&](std::size_t i) { return naive.is_enabled("ops.kill-switch-payments", users[i]); });
}

void naive_rollout(benchmark::State& state) {
    auto& naive = naive_flags();
    const auto& users = population().naive_users;
    measure(state, [&](std::size_t i) { return naive.is_enabled("release.new-checkout", users[i]); });
}

void naive_targeting(benchmark::State& state) {
    auto& naive = naive_flags();
    const auto& users = population().naive_users;
    measure(state, [&](std::size_t i) { return naive.is_enabled("permission.early-access", users[i]); });
}

void naive_split(benchmark::State& state) {
    auto& naive = naive_flags();
    const auto& users = population().naive_users;
    measure(state, [&](std::size_t i) { return naive.get_variant("experiment.button-color", users[i]).size(); });
}

// Building the user a naive client takes: three strings and a hash map of attributes.
void naive_context(benchmark::State& state) {
    const auto& people = population().people;
    measure(state, [&](std::size_t i) {
        const Person& p = people[i];
        NaiveUser user{.id = p.user,
                       .tenant = p.tenant,
                       .attributes = {{"plan", p.plan}, {"app_version", p.app_version}, {"email", p.email}}};
        return user.attributes.size();
    });
}

void naive_request(benchmark::State& state) {
    auto& naive = naive_flags();
    const auto& users = population().naive_users;
    measure(state, [&](std::size_t i) {
        const NaiveUser& u = users[i];
        int n = 0;
        n += naive.is_enabled("ops.kill-switch-payments", u);
        n += naive.is_enabled("release.new-checkout", u);
        n += naive.is_enabled("permission.early-access", u);
        n += static_cast<int>(naive.get_variant("experiment.button-color", u).size());
        n += naive.is_enabled("release.fast-search", u);
        n += naive.is_enabled("ops.kill-switch-payments", u);
        n += naive.is_enabled("release.new-checkout", u);
        n += naive.is_enabled("permission.early-access", u);
        n += static_cast<int>(naive.get_variant("experiment.button-color", u).size());
        n += naive.is_enabled("release.fast-search", u);
        return n;
    });
}

// --- shared_ptr: std::atomic<std::shared_ptr<const Snapshot>> loaded per check --------------------

void shared_ptr_static(benchmark::State& state) {
    const auto& flags = shared_ptr_flags();
    const auto& contexts = population().contexts;
    measure(state, [&](std::size_t i) {
        return flags.enabled(static_cast<std::size_t>(Flag::ops_kill_switch_payments), contexts[i]);
    });
}

void shared_ptr_rollout(benchmark::State& state) {
    const auto& flags = shared_ptr_flags();
    const auto& contexts = population().contexts;
    measure(state, [&](std::size_t i) {
        return flags.enabled(static_cast<std::size_t>(Flag::release_new_checkout), contexts[i]);
    });
}

// --- flagstone ------------------------------------------------------------------------------------

// A settled flag: its published word is the value. The context is one fixed reference, as the
// floor reads no context at all.
void flagstone_static(benchmark::State& state) {
    const flags::Context& ctx = population().contexts[0];
    measure(state, [&](std::size_t) { return flags::enabled<Flag::ops_kill_switch_payments>(ctx); });
}

void flagstone_rollout(benchmark::State& state) {
    const auto& contexts = population().contexts;
    measure(state, [&](std::size_t i) { return flags::enabled<Flag::release_new_checkout>(contexts[i]); });
}

void flagstone_targeting(benchmark::State& state) {
    const auto& contexts = population().contexts;
    measure(state, [&](std::size_t i) { return flags::enabled<Flag::permission_early_access>(contexts[i]); });
}

void flagstone_split(benchmark::State& state) {
    const auto& contexts = population().contexts;
    measure(state, [&](std::size_t i) { return flags::variant<Flag::experiment_button_color>(contexts[i]); });
}

void flagstone_detail(benchmark::State& state) {
    const auto& contexts = population().contexts;
    measure(state, [&](std::size_t i) { return flags::detail<Flag::release_new_checkout>(contexts[i]).bucket; });
}

void flagstone_by_name(benchmark::State& state) {
    const auto& contexts = population().contexts;
    measure(state, [&](std::size_t i) { return flags::enabled<"release.new-checkout">(contexts[i]); });
}

// Building the Context a request passes: two keys and three attributes, all views.
void flagstone_context(benchmark::State& state) {
    const auto& people = population().people;
    measure(state, [&](std::size_t i) {
        const Person& p = people[i];
        flags::Context ctx{.user = p.user,
                           .tenant = p.tenant,
                           .attributes = {{"plan", p.plan}, {"app_version", p.app_version}, {"email", p.email}}};
        benchmark::DoNotOptimize(ctx);
        return ctx.attributes.size();
    });
}

// pin() alone: what a request pays to hold one snapshot, and the view's release at its end.
void flagstone_pin(benchmark::State& state) {
    measure(state, [](std::size_t) { return flags::pin().generation(); });
}

// A request: pin one snapshot, then ten checks through it (each of the five flags twice).
void flagstone_request(benchmark::State& state) {
    const auto& contexts = population().contexts;
    measure(state, [&](std::size_t i) {
        const flags::Context& ctx = contexts[i];
        const auto view = flags::pin();
        int n = 0;
        n += view.enabled<Flag::ops_kill_switch_payments>(ctx);
        n += view.enabled<Flag::release_new_checkout>(ctx);
        n += view.enabled<Flag::permission_early_access>(ctx);
        n += static_cast<int>(view.variant<Flag::experiment_button_color>(ctx));
        n += view.enabled<Flag::release_fast_search>(ctx);
        n += view.enabled<Flag::ops_kill_switch_payments>(ctx);
        n += view.enabled<Flag::release_new_checkout>(ctx);
        n += view.enabled<Flag::permission_early_access>(ctx);
        n += static_cast<int>(view.variant<Flag::experiment_button_color>(ctx));
        n += view.enabled<Flag::release_fast_search>(ctx);
        return n;
    });
}

// --- the costliest file the default limits accept (worst_case.hpp), in a runtime of its own ----------

std::array<std::unique_ptr<flags::Runtime>, std::size(costly_kinds)> costly_runtimes;

void load_costly_runtimes() {
    for (std::size_t i = 0; i < std::size(costly_kinds); ++i) {
        auto& runtime = costly_runtimes[i];
        runtime = std::make_unique<flags::Runtime>("/nonexistent/costly.toml");
        const auto text = costly_runtime(costly_kinds[i], flags::Limits{}.max_evaluation_cost);
        if (!flags::internal::core_of(*runtime).load_text(text, "costly.toml").published)
            throw std::runtime_error(fmt::format("the costly file of {} is refused", to_string(costly_kinds[i])));
        // Every rule fails, so that a read walks them all to the flag's own value.
        if (runtime->detail<Flag::permission_early_access>(costly_context()).reason != flags::Reason::STATIC)
            throw std::runtime_error(fmt::format("a rule of the costly file of {} matches", to_string(costly_kinds[i])));
    }
}

template <CostlyKind Kind>
void costly_read(benchmark::State& state) {
    const auto index = static_cast<std::size_t>(std::find(std::begin(costly_kinds), std::end(costly_kinds), Kind) -
                                                std::begin(costly_kinds));
    const flags::Runtime& runtime = *costly_runtimes[index];
    measure(state, [&](std::size_t) { return runtime.enabled<Flag::permission_early_access>(costly_context()); });
}

// --- observed: the same checks with counters on, or a sink attached (flags::observe) -------------------

// Observation for the length of one benchmark: the first thread turns it on before the timed loop,
// which every thread enters together, and off after it, which every thread has left.
template <class Check>
void measure_observed(benchmark::State& state, const flags::ObserveOptions& options, Check&& check) {
    if (state.thread_index() == 0) flags::observe(options);
    measure(state, check);
    if (state.thread_index() == 0) flags::observe({});
}

const flags::ObserveOptions counting{.count_evaluations = true};

void observed_static_counted(benchmark::State& state) {
    const flags::Context& ctx = population().contexts[0];
    measure_observed(state, counting, [&](std::size_t) { return flags::enabled<Flag::ops_kill_switch_payments>(ctx); });
}

void observed_rollout_counted(benchmark::State& state) {
    const auto& contexts = population().contexts;
    measure_observed(state, counting, [&](std::size_t i) { return flags::enabled<Flag::release_new_checkout>(contexts[i]); });
}

void observed_targeting_counted(benchmark::State& state) {
    const auto& contexts = population().contexts;
    measure_observed(state, counting,
                     [&](std::size_t i) { return flags::enabled<Flag::permission_early_access>(contexts[i]); });
}

void observed_split_counted(benchmark::State& state) {
    const auto& contexts = population().contexts;
    measure_observed(state, counting, [&](std::size_t i) { return flags::variant<Flag::experiment_button_color>(contexts[i]); });
}

// The experiment is tracked (the registry's default for experiments) and a sink is attached: each
// read checks its thread's filter of recent exposures, and appends when the user is new in the window.
void observed_split_tracked(benchmark::State& state) {
    const auto& contexts = population().contexts;
    const flags::ObserveOptions tracking{.exposures = [](const flags::Exposure&) {}};  // delivery is off the read path
    measure_observed(state, tracking, [&](std::size_t i) { return flags::variant<Flag::experiment_button_color>(contexts[i]); });
}

// Exposures on and counting off: an untracked flag has nothing to record, and its read, answered from
// its word, must stay as cheap as unobserved (the call site's entry says this runtime does not count).
const flags::ObserveOptions exposing_only{.exposures = [](const flags::Exposure&) {}};

void observed_static_exposed(benchmark::State& state) {
    const flags::Context& ctx = population().contexts[0];
    measure_observed(state, exposing_only, [&](std::size_t) { return flags::enabled<Flag::ops_kill_switch_payments>(ctx); });
}

void observed_rollout_exposed(benchmark::State& state) {
    const auto& contexts = population().contexts;
    measure_observed(state, exposing_only, [&](std::size_t i) { return flags::enabled<Flag::release_new_checkout>(contexts[i]); });
}

// --- the proposal (proposal.hpp): a model of the recommended read path, not flagstone ---------------

void proposal_rollout(benchmark::State& state) {
    const auto& model = proposal::new_checkout_model();
    const auto& contexts = population().contexts;
    measure(state, [&](std::size_t i) { return model.enabled(contexts[i]); });
}

void add(const char* name, void (*fn)(benchmark::State&)) {
    benchmark::RegisterBenchmark(name, fn)->Threads(1)->Threads(2)->UseRealTime();
}

// A case whose figure matters at one thread only.
void add_one_thread(const char* name, void (*fn)(benchmark::State&)) {
    benchmark::RegisterBenchmark(name, fn)->Threads(1)->UseRealTime();
}

}  // namespace

void register_micro_benchmarks() {
    add("floor/atomic_load", floor_load);
    add("floor/bucket_hash", floor_bucket);
    add("floor/counted_load", floor_counted_load);
    add("naive/static", naive_static);
    add("naive/rollout", naive_rollout);
    add("naive/targeting", naive_targeting);
    add("naive/split", naive_split);
    add("naive/context", naive_context);
    add("naive/request_10", naive_request);
    add("shared_ptr/static", shared_ptr_static);
    add("shared_ptr/rollout", shared_ptr_rollout);
    add("flagstone/static", flagstone_static);
    add("flagstone/rollout", flagstone_rollout);
    add("flagstone/targeting", flagstone_targeting);
    add("flagstone/split", flagstone_split);
    add("flagstone/detail", flagstone_detail);
    add("flagstone/by_name", flagstone_by_name);
    add("flagstone/context", flagstone_context);
    add("flagstone/pin", flagstone_pin);
    add("flagstone/request_10", flagstone_request);
    load_costly_runtimes();
    add_one_thread("flagstone/worst_accepted", costly_read<worst_kind>);
    add_one_thread("costly/sets", costly_read<CostlyKind::sets>);
    add_one_thread("costly/needles", costly_read<CostlyKind::needles>);
    add_one_thread("costly/substrings", costly_read<CostlyKind::substrings>);
    add_one_thread("costly/trie", costly_read<CostlyKind::trie>);
    add_one_thread("costly/automaton", costly_read<CostlyKind::automaton>);
    add_one_thread("costly/versions", costly_read<CostlyKind::versions>);
    add_one_thread("costly/times", costly_read<CostlyKind::times>);
    add_one_thread("costly/numbers", costly_read<CostlyKind::numbers>);
    add_one_thread("costly/segments", costly_read<CostlyKind::segments>);
    add("observed/static_counted", observed_static_counted);
    add("observed/rollout_counted", observed_rollout_counted);
    add("observed/targeting_counted", observed_targeting_counted);
    add("observed/split_counted", observed_split_counted);
    add("observed/split_tracked", observed_split_tracked);
    add("observed/static_exposed", observed_static_exposed);
    add("observed/rollout_exposed", observed_rollout_exposed);
    add("proposal/rollout_in_word", proposal_rollout);
}

}  // namespace bench
