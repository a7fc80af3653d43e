// How a runtime finds, watches and reports on its files, and what it says about them.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace flags {

// Receives one JSON object per line of log ("loaded", "rejected", "missing", "stale", "degraded").
// Called on the runtime's watcher thread; it must not call back into the runtime's writing functions.
using LogSink = std::function<void(std::string_view json_line)>;

// What a runtime file may hold at most. A file past a limit is refused with a clear error, before it
// can cost memory or time; none of them is near what a real flag file needs.
struct Limits {
    std::size_t max_file_bytes = 4u << 20;      // each file, 4 MiB
    std::size_t max_total_bytes = 16u << 20;    // all files of a load together (a directory and the override), 16 MiB
    // Keys, tables and array elements in all files together, counted in the text before it is parsed:
    // a parsed value costs up to 200 bytes, so this keeps a load under about 80 MB.
    std::size_t max_values = 400'000;
    std::size_t max_flag_entries = 100'000;     // [flags."..."] entries in all files together
    std::size_t max_rules_per_flag = 1'000;
    std::size_t max_array_elements = 100'000;   // any array, so any `in` set or rule list
    std::size_t max_string_bytes = 4'096;       // any string value or key
    std::size_t max_nesting = 32;               // tables and arrays within each other
    // The most one read of a flag may cost at worst, rules, segments and prerequisites included, in the
    // units of the cost model (docs/reliability.md, Evaluation cost): about 4 ns each.
    std::size_t max_evaluation_cost = 250;
};

struct RuntimeOptions {
    // Watch the files and reload them when they change. Off: only reload() loads.
    bool watch = true;
    // Use polling even where inotify works (it is used by itself where inotify is unavailable).
    bool force_polling = false;
    // How often polling looks at the files.
    std::chrono::milliseconds poll_interval{1000};
    // How long the files must be quiet after a completed write before they are read, so that one save
    // that fires several events is read once.
    std::chrono::milliseconds quiet_period{25};
    // How often a "stale" line is logged while the file on disk is refused.
    std::chrono::milliseconds stale_log_interval{30'000};
    // Start fails (no runtime, no watcher) when the files are missing or invalid at start, for services
    // that would rather not boot without their flags. Off: registry defaults serve until a good file.
    bool require_valid_at_start = false;
    // Refuse a file, or a directory on its path, that users other than root and this process's own
    // user can write, or that someone else owns: a flag file is a control surface of the process.
    // Directories with the sticky bit (/tmp) pass, since others cannot replace files there. Turn off
    // for development only.
    bool require_secure_permissions = true;
    Limits limits{};
    // Where JSON log lines go; empty: standard error.
    LogSink log{};
};

// The state of the files after the most recent attempt to load them.
enum class SourceState : std::uint8_t {
    not_loaded,  // nothing attempted yet
    ok,
    missing,     // a file (or the directory) does not exist
    empty,       // a file exists but holds nothing
    invalid,     // unreadable, or refused by validation
};

// How the files are watched. `blind`: inotify lost sight of them (the kernel's event queue overflowed,
// or a directory on a path cannot be watched), so the files may have changed unseen; the poller
// watches them from then on, and Status::watch_problem says why.
enum class WatchMechanism : std::uint8_t { none, inotify, polling, blind };

constexpr std::string_view to_string(SourceState state) noexcept {
    switch (state) {
    case SourceState::not_loaded: return "not_loaded";
    case SourceState::ok: return "ok";
    case SourceState::missing: return "missing";
    case SourceState::empty: return "empty";
    case SourceState::invalid: return "invalid";
    }
    return "?";
}

constexpr std::string_view to_string(WatchMechanism mechanism) noexcept {
    switch (mechanism) {
    case WatchMechanism::none: return "none";
    case WatchMechanism::inotify: return "inotify";
    case WatchMechanism::polling: return "polling";
    case WatchMechanism::blind: return "blind";
    }
    return "?";
}

struct Status {
    std::uint64_t generation = 0;  // 0: registry defaults
    std::uint64_t content_hash = 0;
    std::vector<std::string> sources{};  // base file or directory, then the override file
    SourceState state = SourceState::not_loaded;
    std::optional<std::chrono::system_clock::time_point> last_success{};
    std::string last_error{};  // "file:line: message" of the latest refused load
    std::optional<std::chrono::system_clock::time_point> last_error_time{};
    unsigned consecutive_failures = 0;
    // The files on disk differ from what is served because they were refused; since when.
    bool stale = false;
    std::chrono::milliseconds stale_for{0};
    WatchMechanism mechanism = WatchMechanism::none;
    std::string watch_problem{};  // why the watcher is blind; empty otherwise
    // When the snapshot being served was published (its age is what a stuck rollout shows as).
    std::optional<std::chrono::system_clock::time_point> published_at{};
    // Load attempts since start, by outcome, and refusals by the state they left.
    std::uint64_t loads_published = 0;
    std::uint64_t loads_unchanged = 0;  // good files with the content already served
    std::uint64_t refused_missing = 0;
    std::uint64_t refused_empty = 0;
    std::uint64_t refused_invalid = 0;
};

}  // namespace flags
