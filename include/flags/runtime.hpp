// Starting and running a runtime: flags::start() for the process's runtime, which the free reading
// functions of <flags/read.hpp> read, or a flags::Runtime of your own; status, metrics, observation.
//
//   auto report = flags::start("/etc/checkout/flags.toml");
//   if (!report.ok()) for (const auto& d : report.load.diagnostics) log(flags::format(d));
//
// Include it where the program starts its runtime; files that only read flags include
// <flags/read.hpp>, which spares them <filesystem> and <functional>.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>
#include <utility>
#include <vector>

#include <flags/context.hpp>
#include <flags/detail/runtime_core.hpp>
#include <flags/detail/typed_reads.hpp>
#include <flags/detail/word_reads.hpp>
#include <flags/evaluation.hpp>
#include <flags/load_report.hpp>
#include <flags/observability.hpp>
#include <flags/read.hpp>
#include <flags/registry.hpp>
#include <flags/runtime_options.hpp>

namespace flags {

class Runtime;

namespace internal {
struct RuntimeAccess;
struct ProcessStart;
Runtime& make_process_runtime();
}  // namespace internal

// A runtime for one runtime file (or directory, plus an optional override file). Until a load
// succeeds it serves registry defaults. It loads when asked (reload()), or loads and watches once
// started (start()). The process has one of its own, process_runtime(), which flags::start() starts
// and the free functions read; any other is independent of it.
class Runtime : public internal::TypedReads<Runtime> {
public:
    explicit Runtime(std::filesystem::path file, std::filesystem::path override_file = {})
        : core_(generated::registry) {
        core_.set_sources(std::move(file), std::move(override_file));
    }

    LoadReport reload() noexcept { return core_.reload(); }
    StartReport start(RuntimeOptions options = {}) { return core_.start(std::move(options)); }
    void stop() noexcept { core_.stop(); }
    Status status() const { return core_.status(); }
    std::string metrics_text() const { return core_.metrics_text(); }
    void on_change(std::function<void(std::uint64_t generation)> listener) { core_.on_change(std::move(listener)); }
    void observe(ObserveOptions options) { core_.observe(std::move(options)); }
    bool flush_observations(std::chrono::milliseconds timeout = std::chrono::seconds(5)) {
        return core_.flush_observations(timeout);
    }
    std::vector<EvaluationCount> evaluation_counts() const { return core_.evaluation_counts(); }
    std::vector<FlagUsage> usage() const { return core_.usage(); }
    ObservationStats observation_stats() const { return core_.observation_stats(); }
    std::string write_usage_file(const std::filesystem::path& path) const { return core_.write_usage_file(path); }
    PinnedView pin() const noexcept { return PinnedView(core_.pin()); }
    std::uint64_t generation() const noexcept { return core_.generation(); }

private:
    friend struct internal::ReadSourceAccess;
    friend struct internal::RuntimeAccess;
    friend struct internal::ProcessStart;
    friend Runtime& internal::make_process_runtime();

    template <std::size_t I>
    [[gnu::always_inline]] ValueIndex value_index(const Context& ctx) const noexcept {
        return internal::read_through_word<I>(
            core_.words(), ctx,
            [&](ValueIndex value, std::uint32_t word, bool counted, std::uint64_t key_hash) {
                core_.record_word_read(I, value, word, ctx, counted, key_hash);
            },
            [&] { return core_.evaluate(I, ctx).value; });
    }
    Evaluation evaluation(std::size_t flag, const Context& ctx) const noexcept { return core_.evaluate(flag, ctx); }

    struct ProcessTag {};
    // The process's runtime publishes into the words generated with the registry, which the free
    // functions read; its core is the one the library answers for when they go out of line.
    explicit Runtime(ProcessTag) : core_(generated::registry, generated::published_words) {}

    internal::RuntimeCore core_;
};

namespace internal {

// Created on first use and never destroyed, since other threads may still read flags while the
// process exits.
inline Runtime& make_process_runtime() { return *new Runtime(Runtime::ProcessTag{}); }

// flags::start() points the process's runtime at its files before starting it, which a Runtime's
// own files, fixed at construction, do not allow.
struct ProcessStart {
    static StartReport start(Runtime& runtime, std::filesystem::path file, std::filesystem::path override_file,
                             RuntimeOptions options) {
        runtime.core_.set_sources(std::move(file), std::move(override_file));
        return runtime.core_.start(std::move(options));
    }
};

}  // namespace internal

// The process's runtime: the one flags::start() starts and the free functions (flags::enabled<>,
// flags::status(), ...) read. A Runtime like any other, for code that takes a Runtime&.
inline Runtime& process_runtime() {
    static Runtime& runtime = internal::make_process_runtime();
    return runtime;
}

// Starts the process's runtime: loads `file` (a runtime file, or a directory of them) and, unless
// options.watch is off, reloads it whenever it changes. A bad or missing file leaves the registry
// defaults (or the last good snapshot) serving and is reported; with options.require_valid_at_start,
// start fails instead (report.started is false).
inline StartReport start(std::filesystem::path file, RuntimeOptions options = {}) {
    return internal::ProcessStart::start(process_runtime(), std::move(file), {}, std::move(options));
}

// The same with a local override file, whose entries replace the base's flag by flag (flagctl
// override set/clear writes it): an emergency change without waiting for config management.
inline StartReport start(std::filesystem::path file, std::filesystem::path override_file, RuntimeOptions options = {}) {
    return internal::ProcessStart::start(process_runtime(), std::move(file), std::move(override_file),
                                         std::move(options));
}

// The process's runtime, member by member (see Runtime): stop() stops watching and the current
// snapshot keeps serving; reload() reads the files again now; status() is the generation, hash,
// files, last load and error, staleness and watch mechanism; metrics_text() the Prometheus text to
// serve from the host's own endpoint; on_change() listeners run after each publish, on the publishing
// thread, never on the read path; observe() turns counters and exposures on (ObserveOptions{}: off),
// with or without a file (see <flags/observability.hpp>); write_usage_file() writes the file
// `flagctl debt --usage` reads and returns an empty string, or what went wrong.
inline void stop() noexcept { process_runtime().stop(); }
inline LoadReport reload() noexcept { return process_runtime().reload(); }
inline Status status() { return process_runtime().status(); }
inline std::string metrics_text() { return process_runtime().metrics_text(); }
inline void on_change(std::function<void(std::uint64_t generation)> listener) {
    process_runtime().on_change(std::move(listener));
}
inline void observe(ObserveOptions options) { process_runtime().observe(std::move(options)); }
inline bool flush_observations(std::chrono::milliseconds timeout = std::chrono::seconds(5)) {
    return process_runtime().flush_observations(timeout);
}
inline std::vector<EvaluationCount> evaluation_counts() { return process_runtime().evaluation_counts(); }
inline std::vector<FlagUsage> usage() { return process_runtime().usage(); }
inline ObservationStats observation_stats() { return process_runtime().observation_stats(); }
inline std::string write_usage_file(const std::filesystem::path& path) {
    return process_runtime().write_usage_file(path);
}

}  // namespace flags
