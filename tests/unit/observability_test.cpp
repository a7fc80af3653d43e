// Observation of reads: exposure events to a sink (recording, throwing, slow), their deduplication
// window, evaluation counters summed over threads, usage and its file, and the metrics text.
#define BOOST_TEST_MODULE observability
#include <boost/test/unit_test.hpp>

#include <pthread.h>
#include <unistd.h>

#include <chrono>
#include <condition_variable>
#include <filesystem>
#include <fstream>
#include <functional>
#include <latch>
#include <map>
#include <mutex>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <flags/flags.hpp>
#include <flags/detail/runtime_access.hpp>

#include "printing.hpp"
#include "prometheus_text.hpp"
#include "runtime/exposure_ring.hpp"

namespace {

using flags::Flag;
using namespace std::chrono_literals;

struct CopiedExposure {
    std::string flag, variant, key;
    flags::Reason reason;
    std::uint64_t generation;
    std::chrono::system_clock::time_point time;
};

// A sink that keeps a copy of everything it is given.
struct RecordingSink {
    std::mutex mutex;
    std::vector<CopiedExposure> seen;

    flags::ExposureSink sink() {
        return [this](const flags::Exposure& e) {
            std::lock_guard lock(mutex);
            seen.push_back({std::string(e.flag), std::string(e.variant), std::string(e.key), e.reason, e.generation, e.time});
        };
    }
    std::vector<CopiedExposure> copy() {
        std::lock_guard lock(mutex);
        return seen;
    }
};

const std::string split_file = R"(schema = 1
[flags."experiment.button-color"]
split = { blue = 34, green = 33, red = 33 }
[flags."release.new-checkout"]
rollout = 50
[flags."ops.kill-switch-payments"]
value = true
)";

// A runtime with `text` loaded, no watcher.
struct LoadedRuntime {
    explicit LoadedRuntime(const std::string& text = split_file) : runtime("/nonexistent/flags.toml") {
        BOOST_REQUIRE(flags::internal::core_of(runtime).load_text(text, "flags.toml").ok());
    }
    flags::Runtime runtime;
};

flags::Context user(int i) {
    static std::vector<std::string> ids = [] {
        std::vector<std::string> out;
        for (int n = 0; n < 20'000; ++n) out.push_back("u-" + std::to_string(n));
        return out;
    }();
    return flags::Context{.user = ids[static_cast<std::size_t>(i)]};
}

std::uint64_t counted(const std::vector<flags::EvaluationCount>& counts, std::string_view flag, std::string_view value,
                      flags::Reason reason) {
    for (const auto& c : counts)
        if (c.flag == flag && c.value == value && c.reason == reason) return c.count;
    return 0;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(observability)

BOOST_AUTO_TEST_CASE(a_recording_sink_receives_one_exposure_per_user_with_what_was_served) {
    LoadedRuntime loaded;
    auto& runtime = loaded.runtime;
    RecordingSink recorder;
    runtime.observe({.exposures = recorder.sink()});
    const auto before = std::chrono::system_clock::now();
    std::map<std::string, std::string> served;
    for (int i = 0; i < 200; ++i) {
        const auto ctx = user(i);
        const auto detail = runtime.detail<Flag::experiment_button_color>(ctx);
        served[std::string(ctx.user)] = std::string(detail.variant);
        (void)runtime.variant<Flag::experiment_button_color>(ctx);  // a repeat, within the window
        (void)runtime.enabled<Flag::release_new_checkout>(ctx);     // not tracked
    }
    BOOST_REQUIRE(runtime.flush_observations());
    const auto after = std::chrono::system_clock::now();

    const auto seen = recorder.copy();
    BOOST_TEST(seen.size() == 200u);
    std::set<std::string> keys;
    for (const auto& e : seen) {
        BOOST_TEST(e.flag == "experiment.button-color");
        BOOST_TEST(e.variant == served[e.key], e.key);
        BOOST_TEST(e.reason == flags::Reason::SPLIT);
        BOOST_TEST(e.generation == 1u);
        // The read side stamps with the kernel's coarse clock, a tick (a few ms) behind at most.
        BOOST_TEST((e.time >= before - 20ms && e.time <= after + 20ms));
        keys.insert(e.key);
    }
    BOOST_TEST(keys.size() == 200u);
    const auto stats = runtime.observation_stats();
    BOOST_TEST(stats.exposures_delivered == 200u);
    BOOST_TEST(stats.exposures_deduplicated == 200u);
    BOOST_TEST(stats.exposures_dropped == 0u);
}

// Past max_remembered_exposures, new keys are delivered without being remembered, and counted.
BOOST_AUTO_TEST_CASE(keys_past_the_remembered_limit_are_delivered_and_counted_unremembered) {
    LoadedRuntime loaded;
    auto& runtime = loaded.runtime;
    RecordingSink recorder;
    runtime.observe({.exposures = recorder.sink(), .max_remembered_exposures = 2});
    for (int i = 0; i < 5; ++i) (void)runtime.variant<Flag::experiment_button_color>(user(i));
    BOOST_REQUIRE(runtime.flush_observations());
    BOOST_TEST(recorder.copy().size() == 5u);
    BOOST_TEST(runtime.observation_stats().dedup_overflow == 3u);
}

// A full table still forgets the keys whose window has passed, and so has room for new ones.
BOOST_AUTO_TEST_CASE(a_full_table_of_remembered_keys_forgets_them_once_their_window_passes) {
    LoadedRuntime loaded;
    auto& runtime = loaded.runtime;
    RecordingSink recorder;
    runtime.observe({.exposures = recorder.sink(), .exposure_window = 100ms, .max_remembered_exposures = 2});
    for (int i = 0; i < 2; ++i) (void)runtime.variant<Flag::experiment_button_color>(user(i));
    BOOST_REQUIRE(runtime.flush_observations());
    std::this_thread::sleep_for(250ms);  // past the window, and past the forgetting interval it sets
    for (int i = 2; i < 4; ++i) (void)runtime.variant<Flag::experiment_button_color>(user(i));
    BOOST_REQUIRE(runtime.flush_observations());
    BOOST_TEST(recorder.copy().size() == 4u);
    BOOST_TEST(runtime.observation_stats().dedup_overflow == 0u);
}

BOOST_AUTO_TEST_CASE(threads_reading_the_same_users_deliver_each_exposure_once) {
    LoadedRuntime loaded;
    auto& runtime = loaded.runtime;
    RecordingSink recorder;
    // Threads that start after others ended take over their records: room for all of them at once.
    runtime.observe({.exposures = recorder.sink(), .buffer_bytes_per_thread = 1 << 20});
    std::vector<std::thread> threads;
    for (int t = 0; t < 4; ++t)
        threads.emplace_back([&] {
            for (int round = 0; round < 3; ++round)
                for (int i = 0; i < 500; ++i) (void)runtime.variant<Flag::experiment_button_color>(user(i));
        });
    for (auto& t : threads) t.join();
    BOOST_REQUIRE(runtime.flush_observations());
    std::map<std::string, int> per_key;
    for (const auto& e : recorder.copy()) ++per_key[e.key];
    BOOST_TEST(per_key.size() == 500u);
    for (const auto& [key, n] : per_key) BOOST_TEST(n == 1, key);
    const auto stats = runtime.observation_stats();
    BOOST_TEST(stats.exposures_dropped == 0u);
    BOOST_TEST(stats.exposures_delivered + stats.exposures_deduplicated == 4u * 3u * 500u);
}

BOOST_AUTO_TEST_CASE(an_exposure_repeats_once_its_window_has_passed) {
    LoadedRuntime loaded;
    auto& runtime = loaded.runtime;
    RecordingSink recorder;
    runtime.observe({.exposures = recorder.sink(), .exposure_window = 100ms});
    (void)runtime.variant<Flag::experiment_button_color>(user(1));
    (void)runtime.variant<Flag::experiment_button_color>(user(1));
    std::this_thread::sleep_for(250ms);
    (void)runtime.variant<Flag::experiment_button_color>(user(1));
    BOOST_REQUIRE(runtime.flush_observations());
    BOOST_TEST(recorder.copy().size() == 2u);
}

// While the observation thread sleeps, the reading threads' filters find most repeats by the latest
// the clock can read before it wakes (its reading plus delivery_interval + 1 s), and near the end of
// the window by the clock. A repeat past the window must be delivered, not filtered by that bound.
BOOST_AUTO_TEST_CASE(a_repeat_just_past_a_window_is_delivered_though_the_filters_clock_is_a_bound) {
    LoadedRuntime loaded;
    auto& runtime = loaded.runtime;
    RecordingSink recorder;
    runtime.observe({.exposures = recorder.sink(), .exposure_window = 2500ms, .delivery_interval = 1000ms});
    (void)runtime.variant<Flag::experiment_button_color>(user(1));
    (void)runtime.variant<Flag::experiment_button_color>(user(1));  // a repeat: filtered
    std::this_thread::sleep_for(2600ms);
    (void)runtime.variant<Flag::experiment_button_color>(user(1));
    BOOST_REQUIRE(runtime.flush_observations());
    BOOST_TEST(recorder.copy().size() == 2u);
    BOOST_TEST(runtime.observation_stats().exposures_deduplicated == 1u);
}

// A user read all the time is exposed once per window, at its start: a repeat in the window's last
// second, which the filter cannot judge by the bound, is not let through to the ring, where it would
// be dropped as a repeat at delivery and yet move the filter's memory of the user past the window.
BOOST_AUTO_TEST_CASE(a_user_read_all_the_time_is_exposed_once_per_window) {
    LoadedRuntime loaded;
    auto& runtime = loaded.runtime;
    RecordingSink recorder;
    runtime.observe({.exposures = recorder.sink(), .exposure_window = 1500ms});
    const auto start = std::chrono::steady_clock::now();
    while (std::chrono::steady_clock::now() - start < 3250ms) {
        (void)runtime.variant<Flag::experiment_button_color>(user(1));
        std::this_thread::sleep_for(10ms);
    }
    BOOST_REQUIRE(runtime.flush_observations());
    const auto seen = recorder.copy();
    BOOST_REQUIRE(seen.size() == 3u);  // at 0, 1.5 and 3 s
    for (std::size_t i = 1; i < seen.size(); ++i) {
        const auto apart = seen[i].time - seen[i - 1].time;
        BOOST_TEST(apart >= 1500ms - 10ms);  // the coarse clock's tick
        BOOST_TEST(apart < 1500ms + 500ms);
    }
}

// A window that never ends, as milliseconds::max() asks for, is held to the most nanoseconds can say
// rather than wrapping round to one that filters nothing.
BOOST_AUTO_TEST_CASE(a_window_that_never_ends_never_lets_a_repeat_through) {
    LoadedRuntime loaded;
    auto& runtime = loaded.runtime;
    RecordingSink recorder;
    runtime.observe({.exposures = recorder.sink(), .exposure_window = std::chrono::milliseconds::max()});
    for (int i = 0; i < 3; ++i) {
        (void)runtime.variant<Flag::experiment_button_color>(user(1));
        BOOST_REQUIRE(runtime.flush_observations());
    }
    BOOST_TEST(recorder.copy().size() == 1u);
}

BOOST_AUTO_TEST_CASE(exposures_from_the_published_word_name_the_reason_and_generation_that_served) {
    // A plain value is settled: the read is answered from the flag's word, not the snapshot.
    LoadedRuntime loaded("schema = 1\n[flags.\"experiment.button-color\"]\nvalue = \"green\"\n");
    auto& runtime = loaded.runtime;
    for (const char* variant : {"red", "blue", "green"})
        BOOST_REQUIRE(flags::internal::core_of(runtime)
                          .load_text(std::string("schema = 1\n[flags.\"experiment.button-color\"]\nvalue = \"") + variant + "\"\n",
                                     "flags.toml")
                          .ok());
    BOOST_REQUIRE(runtime.generation() == 4u);
    RecordingSink recorder;
    runtime.observe({.exposures = recorder.sink()});
    (void)runtime.variant<Flag::experiment_button_color>(user(7));
    BOOST_REQUIRE(runtime.flush_observations());
    const auto seen = recorder.copy();
    BOOST_REQUIRE(seen.size() == 1u);
    BOOST_TEST(seen[0].variant == "green");
    BOOST_TEST(seen[0].reason == flags::Reason::STATIC);
    BOOST_TEST(seen[0].generation == 4u);
}

// Records of every key size through a small ring, across its end many times: each comes out whole,
// in order, and a full ring refuses rather than overwrites.
BOOST_AUTO_TEST_CASE(the_exposure_ring_keeps_records_whole_across_its_end) {
    flags::internal::ExposureRing ring(256);
    std::uint64_t pushed = 0, drained = 0;
    std::string expected_keys, drained_keys;
    for (int round = 0; round < 500; ++round) {
        for (int k = 0; k < 3; ++k) {
            const std::string key(static_cast<std::size_t>((round * 7 + k * 13) % 41), static_cast<char>('a' + (round + k) % 26));
            const flags::internal::ExposureRecord record{.flag = static_cast<std::uint16_t>(round % 5),
                                                         .value = static_cast<std::uint16_t>(k),
                                                         .generation = pushed};
            if (ring.try_push(record, key)) {
                ++pushed;
                expected_keys += key + "|";
            }
        }
        ring.drain([&](const flags::internal::ExposureRecord& r, std::string_view key) {
            BOOST_TEST(r.generation == drained);
            ++drained;
            drained_keys += std::string(key) + "|";
        });
    }
    BOOST_TEST(drained == pushed);
    BOOST_TEST(pushed > 1000u);  // most fit: a round's three records are drained before the next
    BOOST_TEST(drained_keys == expected_keys);

    flags::internal::ExposureRing full(256);
    int accepted = 0;
    while (full.try_push({}, "0123456789") && accepted < 100) ++accepted;
    BOOST_TEST(accepted == 5);  // 256 bytes of 48-byte records
    BOOST_TEST(full.drain([](const auto&, std::string_view key) { BOOST_TEST(key == "0123456789"); }) == 5u);
}

BOOST_AUTO_TEST_CASE(a_words_generation_is_recovered_across_the_wrap_of_its_low_bits) {
    using flags::internal::settled_word;
    using flags::internal::word_generation;
    BOOST_TEST(word_generation(settled_word(1, flags::Reason::STATIC, 2047), 2047) == 2047u);
    BOOST_TEST(word_generation(settled_word(1, flags::Reason::STATIC, 2047), 2049) == 2047u);  // two publishes behind
    BOOST_TEST(word_generation(settled_word(1, flags::Reason::STATIC, 4096 + 5), 4096 + 5) == 4101u);
    BOOST_TEST(word_generation(settled_word(0), 0) == 0u);
    BOOST_TEST(flags::internal::settled_reason(settled_word(2, flags::Reason::DISABLED, 9)) == flags::Reason::DISABLED);
    BOOST_TEST(flags::internal::settled_value(settled_word(2, flags::Reason::DISABLED, 9)) == 2u);
}

BOOST_AUTO_TEST_CASE(a_throwing_sink_costs_its_exposures_and_nothing_else) {
    LoadedRuntime loaded;
    auto& runtime = loaded.runtime;
    int calls = 0;  // the observation thread's alone; read after flush
    runtime.observe({.exposures = [&](const flags::Exposure&) {
        ++calls;
        throw std::runtime_error("analytics is down");
    }});
    std::map<int, flags::variants::ButtonColor> first;
    for (int i = 0; i < 50; ++i) first[i] = runtime.variant<Flag::experiment_button_color>(user(i));
    BOOST_REQUIRE(runtime.flush_observations());
    BOOST_TEST(calls == 50);
    BOOST_TEST(runtime.observation_stats().sink_failures == 50u);
    BOOST_TEST(runtime.observation_stats().exposures_delivered == 0u);

    // Reads went on answering, and a working sink afterwards gets new exposures.
    RecordingSink recorder;
    runtime.observe({.exposures = recorder.sink()});
    for (int i = 0; i < 50; ++i) BOOST_TEST((runtime.variant<Flag::experiment_button_color>(user(i)) == first[i]));
    for (int i = 50; i < 60; ++i) (void)runtime.variant<Flag::experiment_button_color>(user(i));
    BOOST_REQUIRE(runtime.flush_observations());
    BOOST_TEST(recorder.copy().size() >= 10u);
}

BOOST_AUTO_TEST_CASE(a_stuck_sink_never_blocks_a_read_and_what_it_cannot_take_is_counted_dropped) {
    LoadedRuntime loaded;
    auto& runtime = loaded.runtime;
    std::mutex gate;
    std::condition_variable opened;
    bool open = false;
    std::atomic<int> delivered{0};
    runtime.observe({.exposures =
                         [&](const flags::Exposure&) {
                             std::unique_lock lock(gate);
                             opened.wait(lock, [&] { return open; });
                             delivered.fetch_add(1);
                         },
                     .delivery_interval = 1ms,
                     .buffer_bytes_per_thread = 4096});
    // The sink is stuck on its first exposure. Were a read to wait for it, this loop would never end
    // (and the test would time out): it ends, with the overflow counted.
    constexpr int reads = 20'000;
    for (int i = 0; i < reads; ++i) (void)runtime.variant<Flag::experiment_button_color>(user(i));
    const auto stuck = runtime.observation_stats();
    BOOST_TEST(stuck.exposures_dropped > 0u);
    {
        std::lock_guard lock(gate);
        open = true;
    }
    opened.notify_all();
    BOOST_REQUIRE(runtime.flush_observations(10s));
    const auto stats = runtime.observation_stats();
    BOOST_TEST(stats.exposures_delivered == static_cast<std::uint64_t>(delivered.load()));
    BOOST_TEST(stats.exposures_delivered + stats.exposures_dropped == static_cast<std::uint64_t>(reads));
}

BOOST_AUTO_TEST_CASE(counters_are_summed_over_threads_by_flag_value_and_reason) {
    LoadedRuntime loaded;
    auto& runtime = loaded.runtime;
    runtime.observe({.count_evaluations = true});
    constexpr int thread_count = 4, reads = 5'000;
    std::vector<std::map<std::string, std::uint64_t>> tallies(thread_count);
    std::vector<std::thread> threads;
    for (int t = 0; t < thread_count; ++t)
        threads.emplace_back([&, t] {
            for (int i = 0; i < reads; ++i) {
                const auto ctx = user(t * reads + i);
                tallies[t][runtime.enabled<Flag::release_new_checkout>(ctx) ? "true" : "false"]++;
                ++tallies[t][std::string(runtime.detail<Flag::experiment_button_color>(ctx).variant)];
                (void)runtime.enabled<Flag::ops_kill_switch_payments>(ctx);
                (void)runtime.enabled<Flag::release_fast_search>(flags::Context{});  // absent: DEFAULT
            }
        });
    for (auto& t : threads) t.join();
    std::map<std::string, std::uint64_t> total;
    for (const auto& tally : tallies)
        for (const auto& [value, n] : tally) total[value] += n;

    const auto counts = runtime.evaluation_counts();
    constexpr auto all = static_cast<std::uint64_t>(thread_count * reads);
    using flags::Reason;
    BOOST_TEST(counted(counts, "release.new-checkout", "true", Reason::SPLIT) == total["true"]);
    BOOST_TEST(counted(counts, "release.new-checkout", "false", Reason::SPLIT) == total["false"]);
    BOOST_TEST(total["true"] > 0u);
    for (const char* variant : {"blue", "green", "red"})
        BOOST_TEST(counted(counts, "experiment.button-color", variant, Reason::SPLIT) == total[variant], variant);
    BOOST_TEST(counted(counts, "ops.kill-switch-payments", "true", Reason::STATIC) == all);
    BOOST_TEST(counted(counts, "release.fast-search", "false", Reason::DEFAULT) == all);
    BOOST_TEST(counts.size() == 7u);  // nothing else was counted

    // Off: reads are no longer counted, and what was counted stays.
    runtime.observe({});
    (void)runtime.enabled<Flag::ops_kill_switch_payments>(user(0));
    BOOST_TEST(counted(runtime.evaluation_counts(), "ops.kill-switch-payments", "true", Reason::STATIC) == all);
}

// A read answered from the word is counted at its call site once the thread's first counted read has
// found its counters: the counts come out the same, and the call site's entry names the runtime.
BOOST_AUTO_TEST_CASE(reads_answered_from_the_word_are_counted_at_the_call_site) {
    LoadedRuntime loaded;
    auto& runtime = loaded.runtime;
    runtime.observe({.count_evaluations = true});
    for (int i = 0; i < 100; ++i) (void)runtime.enabled<Flag::ops_kill_switch_payments>(user(i));
    BOOST_TEST(flags::internal::call_site_counts_for(flags::internal::core_of(runtime).words()) != nullptr);
    BOOST_TEST(counted(runtime.evaluation_counts(), "ops.kill-switch-payments", "true", flags::Reason::STATIC) == 100u);

    flags::observe({.count_evaluations = true});
    for (int i = 0; i < 100; ++i) (void)flags::enabled<Flag::ops_kill_switch_payments>(user(i));
    BOOST_TEST(flags::internal::call_site_counts_for(flags::generated::published_words) != nullptr);
    BOOST_TEST(counted(flags::evaluation_counts(), "ops.kill-switch-payments", "false", flags::Reason::DEFAULT) == 100u);
    flags::observe({});
}

// Another observer keeps every read on the observed path, so only the call site's entry going stale
// stops a runtime that no longer counts from being counted for.
BOOST_AUTO_TEST_CASE(a_runtime_that_stops_counting_is_no_longer_counted_at_the_call_site) {
    LoadedRuntime counted_one, other;
    auto& runtime = counted_one.runtime;
    other.runtime.observe({.count_evaluations = true});
    runtime.observe({.count_evaluations = true});
    (void)runtime.enabled<Flag::ops_kill_switch_payments>(user(0));
    (void)runtime.enabled<Flag::ops_kill_switch_payments>(user(1));
    runtime.observe({});
    for (int i = 0; i < 10; ++i) (void)runtime.enabled<Flag::ops_kill_switch_payments>(user(i));
    runtime.observe({.count_evaluations = true});
    (void)runtime.enabled<Flag::ops_kill_switch_payments>(user(0));
    BOOST_TEST(counted(runtime.evaluation_counts(), "ops.kill-switch-payments", "true", flags::Reason::STATIC) == 3u);
}

// counting_epoch, which a read of an untracked flag loads past the counting gate: 0 while no runtime
// counts, and while some do, an epoch never seen before, so that an entry filled under an earlier one
// is stale.
BOOST_AUTO_TEST_CASE(the_counting_epoch_is_zero_while_no_runtime_counts_and_new_whenever_that_changes) {
    const auto& epoch = flags::internal::counting_epoch;
    BOOST_TEST(epoch.load() == 0u);
    LoadedRuntime first, second;
    first.runtime.observe({.count_evaluations = true});
    const auto one_counts = epoch.load();
    second.runtime.observe({.count_evaluations = true});
    const auto two_count = epoch.load();
    second.runtime.observe({.exposures = [](const flags::Exposure&) {}});
    const auto one_again = epoch.load();
    first.runtime.observe({});
    BOOST_TEST(epoch.load() == 0u);
    for (int i = 0; i < 3; ++i) (void)first.runtime.enabled<Flag::ops_kill_switch_payments>(user(i));
    first.runtime.observe({.count_evaluations = true});
    const auto counts_anew = epoch.load();
    (void)first.runtime.enabled<Flag::ops_kill_switch_payments>(user(0));
    const std::set<std::uint64_t> epochs{one_counts, two_count, one_again, counts_anew};
    BOOST_TEST(epochs.size() == 4u);
    BOOST_TEST(!epochs.contains(0u));
    BOOST_TEST(counted(first.runtime.evaluation_counts(), "ops.kill-switch-payments", "true", flags::Reason::STATIC) == 1u);
    first.runtime.observe({});
    second.runtime.observe({});
    BOOST_TEST(epoch.load() == 0u);
}

// A read of an untracked flag ORs its word with the counting gate, a tracked flag's read with the
// observing gate: each is needs_evaluation_bit exactly while some runtime counts (or observes at all),
// so that a settled word with nothing to record is one test, and any other is recorded.
BOOST_AUTO_TEST_CASE(the_read_gates_are_set_exactly_while_some_runtime_counts_or_observes) {
    using flags::internal::counting_gate, flags::internal::observing_gate, flags::internal::needs_evaluation_bit;
    const flags::ExposureSink ignore = [](const flags::Exposure&) {};
    BOOST_TEST(counting_gate.load() == 0u);
    BOOST_TEST(observing_gate.load() == 0u);
    LoadedRuntime first, second;
    first.runtime.observe({.exposures = ignore});
    BOOST_TEST(counting_gate.load() == 0u);
    BOOST_TEST(observing_gate.load() == needs_evaluation_bit);
    second.runtime.observe({.count_evaluations = true});
    BOOST_TEST(counting_gate.load() == needs_evaluation_bit);
    first.runtime.observe({});
    BOOST_TEST(observing_gate.load() == needs_evaluation_bit);  // the second still counts
    second.runtime.observe({.exposures = ignore});
    BOOST_TEST(counting_gate.load() == 0u);
    BOOST_TEST(observing_gate.load() == needs_evaluation_bit);
    second.runtime.observe({});
    BOOST_TEST(counting_gate.load() == 0u);
    BOOST_TEST(observing_gate.load() == 0u);
}

// While no runtime counts, a read of an untracked flag answered from its word has nothing to record,
// exposures or not, and does not leave its call site (it fills no entry). While another runtime
// counts, a runtime that exposes without counting gets a call-site entry that says so, and such a
// read again stays at its call site. The counting runtime's reads take the entry over and are
// counted exactly; once the first runtime counts too, its old entry is stale, and every read of it
// is counted.
BOOST_AUTO_TEST_CASE(a_runtime_that_does_not_count_says_so_in_the_call_site_entry) {
    using flags::Reason;
    const auto* words = flags::generated::published_words;
    const flags::ExposureSink ignore = [](const flags::Exposure&) {};
    flags::observe({.exposures = ignore});
    (void)flags::enabled<Flag::ops_kill_switch_payments>(user(0));
    BOOST_TEST(!flags::internal::call_site_counts_nothing_for(words));
    LoadedRuntime counting_one;
    counting_one.runtime.observe({.count_evaluations = true});
    (void)flags::enabled<Flag::ops_kill_switch_payments>(user(0));
    BOOST_TEST(flags::internal::call_site_counts_nothing_for(words));
    BOOST_TEST(flags::internal::call_site_counts_for(words) == nullptr);

    // The process runtime's entry is its own: another runtime's counted reads leave it as it was.
    const auto* counting_words = flags::internal::core_of(counting_one.runtime).words();
    for (int i = 0; i < 4; ++i) (void)counting_one.runtime.enabled<Flag::ops_kill_switch_payments>(user(i));
    BOOST_TEST(counted(counting_one.runtime.evaluation_counts(), "ops.kill-switch-payments", "true", Reason::STATIC) == 4u);
    BOOST_TEST(flags::internal::call_site_counts_for(counting_words) != nullptr);
    BOOST_TEST(flags::internal::call_site_counts_nothing_for(words));
    (void)flags::enabled<Flag::ops_kill_switch_payments>(user(0));
    BOOST_TEST(flags::internal::call_site_counts_nothing_for(words));
    BOOST_TEST(flags::internal::call_site_counts_for(counting_words) != nullptr);

    flags::observe({.count_evaluations = true, .exposures = ignore});
    BOOST_TEST(!flags::internal::call_site_counts_nothing_for(words));
    const auto before = counted(flags::evaluation_counts(), "ops.kill-switch-payments", "false", Reason::DEFAULT);
    for (int i = 0; i < 5; ++i) (void)flags::enabled<Flag::ops_kill_switch_payments>(user(i));
    BOOST_TEST(flags::internal::call_site_counts_for(words) != nullptr);
    BOOST_TEST(counted(flags::evaluation_counts(), "ops.kill-switch-payments", "false", Reason::DEFAULT) == before + 5u);
    flags::observe({});
}

// A tracked flag read from its word goes out of line only while some runtime takes exposures: while
// runtimes only count, its call site counts it and is done; a sink attached anywhere sends it out again.
BOOST_AUTO_TEST_CASE(a_tracked_read_counted_at_its_call_site_is_still_exposed_while_a_sink_is_attached) {
    using flags::Reason;
    LoadedRuntime counting_only;
    counting_only.runtime.observe({.count_evaluations = true});
    BOOST_TEST(flags::internal::exposing_runtimes.load() == 0u);
    std::map<std::string, std::uint64_t> served;
    for (int i = 0; i < 40; ++i)
        ++served[std::string(counting_only.runtime.detail<Flag::experiment_button_color>(user(i)).variant)];
    for (int i = 0; i < 40; ++i) (void)counting_only.runtime.variant<Flag::experiment_button_color>(user(i));
    for (const auto& [variant, n] : served)
        BOOST_TEST(counted(counting_only.runtime.evaluation_counts(), "experiment.button-color", variant, Reason::SPLIT) ==
                   2 * n, variant);

    LoadedRuntime exposing;
    RecordingSink recorder;
    exposing.runtime.observe({.count_evaluations = true, .exposures = recorder.sink()});
    BOOST_TEST(flags::internal::exposing_runtimes.load() == 1u);
    for (int i = 0; i < 40; ++i) (void)exposing.runtime.variant<Flag::experiment_button_color>(user(i));
    for (int i = 0; i < 40; ++i) (void)exposing.runtime.variant<Flag::experiment_button_color>(user(i));  // repeats
    BOOST_REQUIRE(exposing.runtime.flush_observations());
    const auto seen = recorder.copy();
    BOOST_TEST(seen.size() == 40u);
    std::map<std::string, std::uint64_t> exposed;
    for (const auto& e : seen) ++exposed[e.variant];
    BOOST_TEST((exposed == served));
    for (const auto& [variant, n] : served)
        BOOST_TEST(counted(exposing.runtime.evaluation_counts(), "experiment.button-color", variant, Reason::SPLIT) == 2 * n,
                   variant);
    BOOST_TEST(exposing.runtime.observation_stats().exposures_deduplicated == 40u);
    exposing.runtime.observe({.count_evaluations = true});
    BOOST_TEST(flags::internal::exposing_runtimes.load() == 0u);
}

// The runtime a call site's entry names is destroyed: the entry is stale from then on, so a runtime
// later made in the same memory is counted in counters of its own, never in the freed ones.
BOOST_AUTO_TEST_CASE(a_destroyed_runtimes_counters_are_never_written_from_the_call_site) {
    LoadedRuntime keeps_observing;
    keeps_observing.runtime.observe({.count_evaluations = true});
    const flags::internal::Atomic<std::uint32_t>* first_words = nullptr;
    {
        LoadedRuntime first;
        first.runtime.observe({.count_evaluations = true});
        for (int i = 0; i < 3; ++i) (void)first.runtime.enabled<Flag::ops_kill_switch_payments>(user(i));
        first_words = flags::internal::core_of(first.runtime).words();
        BOOST_TEST(flags::internal::call_site_counts_for(first_words) != nullptr);
    }
    BOOST_TEST(flags::internal::call_site_counts_for(first_words) == nullptr);  // compares, never reads
    LoadedRuntime second;
    second.runtime.observe({.count_evaluations = true});
    for (int i = 0; i < 5; ++i) (void)second.runtime.enabled<Flag::ops_kill_switch_payments>(user(i));
    BOOST_TEST(counted(second.runtime.evaluation_counts(), "ops.kill-switch-payments", "true", flags::Reason::STATIC) == 5u);
}

// A thread's slot, and the record whose counters its call sites add to, go back to the pool when it
// exits. Another library's thread-exit destructor may still read a flag on it afterwards: that read
// must find its counters anew, not add to ones the slot's next owner writes.
namespace {

struct LateReader {
    flags::Runtime* runtime = nullptr;  // nullptr: the process's runtime, through the free functions
    bool entry_outlived_the_slot = true;
};

void read_from_a_thread_exit_destructor(void* late) {
    auto& reader = *static_cast<LateReader*>(late);
    const auto* words = reader.runtime ? flags::internal::core_of(*reader.runtime).words() : flags::generated::published_words;
    reader.entry_outlived_the_slot = flags::internal::call_site_counts_for(words) != nullptr;
    if (reader.runtime)
        (void)reader.runtime->enabled<Flag::ops_kill_switch_payments>(user(0));
    else
        (void)flags::enabled<Flag::ops_kill_switch_payments>(user(0));
}

// Reads on a thread whose thread-exit destructor, made after the library's, reads once more.
void read_on_a_thread_with_a_late_reader(LateReader& late, const std::function<void()>& reads) {
    pthread_key_t key;
    BOOST_REQUIRE(::pthread_key_create(&key, &read_from_a_thread_exit_destructor) == 0);
    std::thread([&] {
        ::pthread_setspecific(key, &late);
        reads();
    }).join();
    ::pthread_key_delete(key);
}

}  // namespace

BOOST_AUTO_TEST_CASE(a_read_after_its_threads_slot_went_back_finds_its_counters_anew) {
    LoadedRuntime loaded;
    auto& runtime = loaded.runtime;
    runtime.observe({.count_evaluations = true});
    // The library's thread-exit key exists by now, so this test's key, made after it, is destroyed after it.
    (void)runtime.enabled<Flag::ops_kill_switch_payments>(user(0));
    LateReader late{.runtime = &runtime};
    read_on_a_thread_with_a_late_reader(late, [&] {
        for (int i = 0; i < 10; ++i) (void)runtime.enabled<Flag::ops_kill_switch_payments>(user(i));
    });
    BOOST_TEST(!late.entry_outlived_the_slot);
    BOOST_TEST(counted(runtime.evaluation_counts(), "ops.kill-switch-payments", "true", flags::Reason::STATIC) == 12u);
}

// The same through the process's runtime, whose call sites have an entry of their own.
BOOST_AUTO_TEST_CASE(a_read_of_the_process_runtime_after_its_threads_slot_went_back_finds_its_counters_anew) {
    flags::observe({.count_evaluations = true});
    const auto reads = [] {
        return counted(flags::evaluation_counts(), "ops.kill-switch-payments", "false", flags::Reason::DEFAULT);
    };
    (void)flags::enabled<Flag::ops_kill_switch_payments>(user(0));
    const auto before = reads();
    LateReader late;
    read_on_a_thread_with_a_late_reader(late, [] {
        for (int i = 0; i < 10; ++i) (void)flags::enabled<Flag::ops_kill_switch_payments>(user(i));
    });
    BOOST_TEST(!late.entry_outlived_the_slot);
    BOOST_TEST(reads() - before == 11u);
    flags::observe({});
}

// More threads at once than the runtime has records for: those without one count in the shared
// counters until the observation thread adds records, and no read goes uncounted.
BOOST_AUTO_TEST_CASE(threads_beyond_the_records_are_counted_too) {
    LoadedRuntime loaded;
    auto& runtime = loaded.runtime;
    runtime.observe({.count_evaluations = true});
    const auto thread_count = static_cast<std::ptrdiff_t>(std::thread::hardware_concurrency()) + 10;
    constexpr int reads = 1'000;
    std::latch all_started(thread_count), all_read(thread_count);
    std::vector<std::thread> threads;
    for (std::ptrdiff_t t = 0; t < thread_count; ++t)
        threads.emplace_back([&] {
            all_started.arrive_and_wait();
            for (int i = 0; i < reads; ++i) (void)runtime.enabled<Flag::ops_kill_switch_payments>(user(i));
            all_read.arrive_and_wait();  // no thread ends, and gives its record back, before all have read
        });
    for (auto& t : threads) t.join();
    BOOST_TEST(counted(runtime.evaluation_counts(), "ops.kill-switch-payments", "true", flags::Reason::STATIC) ==
               static_cast<std::uint64_t>(thread_count * reads));
}

BOOST_AUTO_TEST_CASE(pinned_views_and_rollouts_without_a_user_are_counted_too) {
    LoadedRuntime loaded;
    auto& runtime = loaded.runtime;
    runtime.observe({.count_evaluations = true});
    const auto view = runtime.pin();
    for (int i = 0; i < 10; ++i) (void)view.enabled<Flag::ops_kill_switch_payments>(user(i));
    (void)runtime.enabled<Flag::release_new_checkout>(flags::Context{});  // no user: ERROR, the default
    const auto counts = runtime.evaluation_counts();
    BOOST_TEST(counted(counts, "ops.kill-switch-payments", "true", flags::Reason::STATIC) == 10u);
    BOOST_TEST(counted(counts, "release.new-checkout", "false", flags::Reason::ERROR) == 1u);
}

BOOST_AUTO_TEST_CASE(usage_names_the_flags_never_read_and_is_written_for_flagctl) {
    LoadedRuntime loaded;
    auto& runtime = loaded.runtime;
    runtime.observe({.count_evaluations = true, .service = "checkout"});
    const auto before = std::chrono::system_clock::now();
    (void)runtime.enabled<Flag::release_new_checkout>(user(3));
    std::map<std::string, flags::FlagUsage> usage;
    for (const auto& u : runtime.usage()) usage[std::string(u.flag)] = u;
    BOOST_TEST(usage.size() == std::size(flags::generated::flags));
    BOOST_TEST(usage["release.new-checkout"].evaluations == 1u);
    BOOST_REQUIRE(usage["release.new-checkout"].last_evaluated.has_value());
    BOOST_TEST((*usage["release.new-checkout"].last_evaluated >= before));
    BOOST_TEST(usage["permission.early-access"].evaluations == 0u);
    BOOST_TEST(!usage["permission.early-access"].last_evaluated.has_value());

    const auto path = std::filesystem::temp_directory_path() / ("flagstone-usage-" + std::to_string(::getpid()) + ".json");
    BOOST_TEST(runtime.write_usage_file(path) == "");
    std::stringstream text;
    text << std::ifstream(path).rdbuf();
    std::filesystem::remove(path);
    const auto json = text.str();
    BOOST_TEST(json.find(R"("schema":"flagstone-usage/1","service":"checkout")") != std::string::npos, json);
    BOOST_TEST(json.find(R"({"flag":"permission.early-access","evaluations":0,"last_evaluated":null,"values":[]})") !=
               std::string::npos, json);
    const bool served_true = runtime.enabled<Flag::release_new_checkout>(user(3));
    BOOST_TEST(json.find(std::string(R"({"flag":"release.new-checkout","evaluations":1,"last_evaluated":")")) !=
               std::string::npos, json);
    BOOST_TEST(json.find(std::string(R"("values":[{"value":")") + (served_true ? "true" : "false") +
                         R"(","reason":"SPLIT","count":1}]})") != std::string::npos, json);

    const auto bad = std::filesystem::path("/nonexistent-directory/usage.json");
    BOOST_TEST(runtime.write_usage_file(bad).find("nonexistent-directory") != std::string::npos);
}

// With usage_file set, the observation thread writes it every usage_interval; a write that fails is
// logged, and observation goes on.
BOOST_AUTO_TEST_CASE(the_usage_file_is_written_periodically_and_a_failed_write_is_logged) {
    std::mutex log_mutex;  // before the runtime: its last usage write, as it stops, logs here
    std::vector<std::string> log;
    LoadedRuntime loaded;
    auto& runtime = loaded.runtime;
    runtime.start({.watch = false, .log = [&](std::string_view line) {
        std::lock_guard lock(log_mutex);
        log.emplace_back(line);
    }});
    const auto path = std::filesystem::temp_directory_path() / ("flagstone-periodic-" + std::to_string(::getpid()) + ".json");
    std::filesystem::remove(path);
    runtime.observe({.count_evaluations = true, .usage_file = path, .usage_interval = 20ms, .service = "periodic"});
    (void)runtime.enabled<Flag::release_new_checkout>(user(1));
    auto eventually = [](auto done) {
        for (int i = 0; i < 500 && !done(); ++i) std::this_thread::sleep_for(10ms);
        return done();
    };
    BOOST_TEST(eventually([&] {
        std::stringstream text;
        text << std::ifstream(path).rdbuf();
        return text.str().find(R"("flag":"release.new-checkout","evaluations":1,)") != std::string::npos;
    }));
    std::filesystem::remove(path);

    runtime.observe({.count_evaluations = true, .usage_file = "/nonexistent-directory/usage.json", .usage_interval = 20ms});
    BOOST_TEST(eventually([&] {
        std::lock_guard lock(log_mutex);
        for (const auto& line : log)
            if (line.find(R"("event":"usage_write_failed")") != std::string::npos &&
                line.find("nonexistent-directory") != std::string::npos)
                return true;
        return false;
    }));
    // Counting went on through the failures.
    const char* served = runtime.enabled<Flag::release_new_checkout>(user(1)) ? "true" : "false";
    BOOST_TEST(counted(runtime.evaluation_counts(), "release.new-checkout", served, flags::Reason::SPLIT) == 2u);
}

// The metrics text, parsed: every sample's family is typed, and the counters are the runtime's.
BOOST_AUTO_TEST_CASE(metrics_text_carries_the_counters_and_exposure_outcomes) {
    LoadedRuntime loaded;
    auto& runtime = loaded.runtime;
    RecordingSink recorder;
    runtime.observe({.count_evaluations = true, .exposures = recorder.sink()});
    for (int i = 0; i < 30; ++i) (void)runtime.variant<Flag::experiment_button_color>(user(i % 10));
    (void)runtime.enabled<Flag::ops_kill_switch_payments>(user(0));
    BOOST_REQUIRE(runtime.flush_observations());

    const auto exposition = flags_test::parse_exposition(runtime.metrics_text());
    for (const auto& problem : exposition.problems) BOOST_ERROR(problem);
    BOOST_TEST(exposition.problems.empty());
    double button_reads = 0;
    for (const auto& c : runtime.evaluation_counts()) {
        const auto series = "flagstone_evaluations_total{flag=\"" + std::string(c.flag) + "\",value=\"" + std::string(c.value) +
                            "\",reason=\"" + std::string(flags::to_string(c.reason)) + "\"}";
        BOOST_TEST(exposition.sample(series) == static_cast<double>(c.count), series);
        if (c.flag == "experiment.button-color") button_reads += static_cast<double>(c.count);
    }
    BOOST_TEST(button_reads == 30.0);
    BOOST_TEST(exposition.sample("flagstone_exposures_total{outcome=\"delivered\"}") == 10.0);
    BOOST_TEST(exposition.sample("flagstone_exposures_total{outcome=\"deduplicated\"}") == 20.0);
    BOOST_TEST(exposition.sample("flagstone_exposures_total{outcome=\"dropped\"}") == 0.0);
    BOOST_TEST(exposition.sample("flagstone_generation") == 1.0);
}

BOOST_AUTO_TEST_CASE(threads_may_turn_observation_on_and_off_at_once) {
    LoadedRuntime loaded;
    auto& runtime = loaded.runtime;
    RecordingSink recorder;
    std::vector<std::thread> threads;
    for (int t = 0; t < 4; ++t)
        threads.emplace_back([&, t] {
            for (int i = 0; i < 50; ++i) {
                if ((i + t) % 2) runtime.observe({.count_evaluations = true, .exposures = recorder.sink()});
                else runtime.observe({});
                (void)runtime.variant<Flag::experiment_button_color>(user(i));
            }
        });
    for (auto& t : threads) t.join();
    runtime.observe({.count_evaluations = true});
    (void)runtime.enabled<Flag::ops_kill_switch_payments>(user(0));
    BOOST_TEST(counted(runtime.evaluation_counts(), "ops.kill-switch-payments", "true", flags::Reason::STATIC) == 1u);
}

BOOST_AUTO_TEST_CASE(the_free_functions_observe_the_default_runtime) {
    RecordingSink recorder;
    flags::observe({.count_evaluations = true, .exposures = recorder.sink()});
    for (int i = 0; i < 5; ++i) (void)flags::variant<Flag::experiment_button_color>(user(i));  // registry default
    BOOST_REQUIRE(flags::flush_observations());
    const auto seen = recorder.copy();
    BOOST_TEST(seen.size() == 5u);
    for (const auto& e : seen) {
        BOOST_TEST(e.variant == "blue");
        BOOST_TEST(e.reason == flags::Reason::DEFAULT);
        BOOST_TEST(e.generation == 0u);
    }
    BOOST_TEST(counted(flags::evaluation_counts(), "experiment.button-color", "blue", flags::Reason::DEFAULT) == 5u);
    flags::observe({});
    BOOST_TEST(flags::internal::observing_gate.load() == 0u);
}

BOOST_AUTO_TEST_SUITE_END()
