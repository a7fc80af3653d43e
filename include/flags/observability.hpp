// What a runtime can report about its own reads: exposure events for the flags that ask for them,
// and evaluation counters for every flag. Both are off until the host turns them on:
//
//   flags::observe({.count_evaluations = true,
//                   .exposures = [](const flags::Exposure& e) { analytics.send(e); },
//                   .usage_file = "/var/lib/checkout/flag-usage.json"});
//
// The read path pays for them only while they are on, and then writes only its own thread's memory:
// a counter, and an exposure appended to a per-thread buffer. A background thread of the runtime
// delivers exposures to the sink, so a slow or throwing sink costs dropped events (counted), never a
// blocked or failed read.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <flags/evaluation.hpp>

namespace flags {

// One user's exposure to a tracked flag: what they were served, and from which configuration.
// The views are valid during the sink's call only; copy what you keep.
struct Exposure {
    std::string_view flag;     // "experiment.button-color"
    std::string_view variant;  // the value as a name: "blue", or "true"/"false"
    Reason reason = Reason::DEFAULT;
    std::string_view key;      // the bucketing key: the flag's `bucket_by` value, the user by default
    std::uint64_t generation = 0;  // of the snapshot that answered (see flagctl eval, and the logs)
    // A hash of the runtime files that snapshot was loaded from: the same in every process serving
    // the same files, unlike the generation. 0 for registry defaults.
    std::uint64_t content_hash = 0;
    std::chrono::system_clock::time_point time{};  // when it was read, to a few milliseconds
};

// Called on the runtime's observation thread, one exposure at a time, never on the read path.
using ExposureSink = std::function<void(const Exposure&)>;

struct ObserveOptions {
    // Count every read by flag, value and reason (see evaluation_counts() and the metrics).
    bool count_evaluations = false;
    // Where exposures of tracked flags go (registry `track`, on for experiments); empty: none are kept.
    ExposureSink exposures{};
    // An exposure is delivered at most once per (flag, key, variant) within this window.
    std::chrono::milliseconds exposure_window{std::chrono::hours(1)};
    // How often buffered exposures are delivered.
    std::chrono::milliseconds delivery_interval{100};
    // Each reading thread's exposure buffer. When the sink falls behind and it fills, new exposures
    // are dropped and counted: the read never waits.
    std::size_t buffer_bytes_per_thread = 64 * 1024;
    // How many (flag, key, variant) the delivery side remembers within the window; past this, new
    // keys are delivered without being remembered (counted as dedup_overflow).
    std::size_t max_remembered_exposures = 1'000'000;
    // Written periodically (and by write_usage_file()) with the counters and when each flag was last
    // evaluated, for `flagctl debt --usage`; empty: not written.
    std::filesystem::path usage_file{};
    std::chrono::milliseconds usage_interval{std::chrono::minutes(1)};
    // Named in the usage file, to tell services apart.
    std::string service{};
};

// Reads of one flag that got one value for one reason.
struct EvaluationCount {
    std::string_view flag;
    std::string_view value;
    Reason reason = Reason::DEFAULT;
    std::uint64_t count = 0;
};

// A flag's reads since counting began, and when it was last seen read (to the sampling interval:
// the observation thread looks at the counters every second and when asked).
struct FlagUsage {
    std::string_view flag;
    std::uint64_t evaluations = 0;
    std::optional<std::chrono::system_clock::time_point> last_evaluated{};
};

struct ObservationStats {
    std::uint64_t exposures_delivered = 0;
    std::uint64_t exposures_deduplicated = 0;  // within the window, on the reading thread or at delivery
    std::uint64_t exposures_dropped = 0;       // a full buffer (the sink fell behind), or no buffer to be had
    std::uint64_t sink_failures = 0;           // the sink threw; that exposure is lost
    std::uint64_t dedup_overflow = 0;          // delivered without being remembered
};

}  // namespace flags
