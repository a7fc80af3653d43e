// Internal: not part of flagstone's API. Nothing here is promised to stay from one release to the
// next; include <flags/runtime.hpp> or <flags/flags.hpp> instead.
//
// The untyped runtime that flags::Runtime wraps: it loads runtime files, publishes immutable
// snapshots, and evaluates flags by index. Application code uses flags::Runtime and the free
// functions of <flags/runtime.hpp>; tools that read a registry at run time (flagctl) use this directly.
//
// Lifetime contract: a snapshot is never modified after it is published. A reader that is evaluating
// one, or holds it through a SnapshotRef (flags::pin()), keeps it alive however many newer snapshots
// are published meanwhile; it is freed by whichever side lets go of it last. A RuntimeCore itself must
// outlive the evaluations made through it (the process-wide default runtime is never destroyed).
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <flags/context.hpp>
#include <flags/detail/atomic.hpp>
#include <flags/detail/snapshot_ref.hpp>
#include <flags/diagnostic.hpp>
#include <flags/evaluation.hpp>
#include <flags/load_report.hpp>
#include <flags/observability.hpp>
#include <flags/registry_types.hpp>
#include <flags/runtime_options.hpp>

namespace flags::internal {

class SourceMap;

class RuntimeCore {
public:
    // A runtime with published words of its own.
    explicit RuntimeCore(RegistryView registry);
    // The process's runtime (flags::process_runtime()), which publishes into `words`, one per registry
    // flag: the array generated with the registry, which the free functions read. It becomes the
    // runtime their out-of-line calls (evaluate_default, ...) go to; there is one such per process.
    RuntimeCore(RegistryView registry, std::span<Atomic<std::uint32_t>> words);
    RuntimeCore(const RuntimeCore&) = delete;
    RuntimeCore& operator=(const RuntimeCore&) = delete;
    ~RuntimeCore();

    // The files reload() reads: a runtime file or a directory of *.toml files (merged; a flag may
    // appear in one of them only), and optionally a local override file whose entries replace the
    // base's, flag by flag.
    void set_sources(std::filesystem::path base, std::filesystem::path override_file = {});
    void set_file(std::filesystem::path file) { set_sources(std::move(file)); }
    // For the library's tools: every later load from disk also describes what it read into `out`
    // (src/runtime/compiled_source.hpp), from the very reading it judges, so that a tool shows what
    // was evaluated without reading and compiling the files a second time. Null stops it.
    void describe_loads_into(SourceMap* out);

    // Reads, validates and compiles the files. On success with new content, publishes a new snapshot
    // (generation + 1); on any error, or unchanged content, the serving snapshot stays.
    LoadReport reload() noexcept;

    // Loads the files, then (with options.watch) watches them on a background thread and reloads them
    // when they change. A missing or invalid file at start leaves the registry defaults serving and is
    // reported; with options.require_valid_at_start the runtime does not start instead.
    StartReport start(RuntimeOptions options = {});
    // Stops watching; the thread is joined. Serving goes on with the current snapshot.
    void stop() noexcept;

    Status status() const;

    // The runtime's state in the Prometheus text exposition format (generation, loads and load errors,
    // snapshot age, staleness, watcher), for the host to serve from an endpoint of its own.
    std::string metrics_text() const;

    // Called after each publish with the new generation, on the publishing thread (the watcher's, or
    // the caller of reload()), never on the read path. A listener that throws is logged and ignored.
    void on_change(std::function<void(std::uint64_t generation)> listener);

    // Counters and exposures (see <flags/observability.hpp>). Each call replaces the options; an
    // ObserveOptions{} turns observation off, after delivering what is buffered.
    void observe(ObserveOptions options);
    bool flush_observations(std::chrono::milliseconds timeout = std::chrono::seconds(5));
    std::vector<EvaluationCount> evaluation_counts() const;
    std::vector<FlagUsage> usage() const;
    ObservationStats observation_stats() const;
    // The usage file for `flagctl debt --usage`, written atomically. An empty string, or the problem.
    std::string write_usage_file(const std::filesystem::path& path) const;

    // Records a read answered from flag's published word (settled, or a user rollout or split), when
    // observing; `counted`: its call site has done the counting (counted the read, or knows this runtime
    // does not count); `key_hash`: the user's exposure_key_hash for the flag, 0 when the call site did
    // not compute it. Fills the thread's call-site entry.
    void record_word_read(std::size_t flag, ValueIndex value, std::uint32_t word, const Context& ctx,
                          bool counted, std::uint64_t key_hash) const noexcept;

    // The same from text in memory; `display` names it in messages.
    LoadReport load_text(std::string_view text, std::string display) noexcept;

    Evaluation evaluate(std::size_t flag, const Context& ctx) const noexcept;
    SnapshotRef pin() const noexcept;
    std::uint64_t generation() const noexcept;
    RegistryView registry() const noexcept { return registry_; }
    const Atomic<std::uint32_t>* words() const noexcept { return words_; }

    // Serve `value` for `flag` to everyone until cleared, whatever the file says (testing and
    // emergencies). Each call publishes a new snapshot.
    void set_override(std::size_t flag, ValueIndex value);
    void clear_override(std::size_t flag);

private:
    friend class SnapshotRef;  // records the reads of a pinned view with this runtime's observer
    struct State;
    struct Compiled;

    // The count of a word's read that its call site could not make, and the entry that lets it make the next.
    void count_word_read(std::size_t flag, ValueIndex value, std::uint32_t word) const noexcept;
    void publish_locked(State& state);
    LoadReport load_from_disk(const std::function<bool(bool)>* may_conclude) noexcept;
    LoadReport conclude(SourceState state, std::unique_ptr<Compiled> compiled, LoadReport report,
                        std::chrono::steady_clock::time_point started, bool log_outcome);
    void log(const std::string& line) const;
    void report_stale();

    RegistryView registry_;
    std::unique_ptr<State> state_;
    Atomic<std::uint32_t>* words_ = nullptr;
    std::atomic<const Snapshot*> current_{nullptr};
    // Stored before the words of its generation, so that a reader of a word finds it at least as new.
    std::atomic<std::uint64_t> published_generation_{0};
    std::unique_ptr<Observer> observer_;
    // The process's runtime, whose reads count in the thread's process_call_site_counters.
    bool publishes_process_words_ = false;
};

}  // namespace flags::internal
