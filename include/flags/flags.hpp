// The call-site API.
//
//   flags::Context ctx{.user = "u-123", .tenant = "acme", .attributes = {{"plan", "growth"}}};
//   if (flags::enabled<Flag::release_new_checkout>(ctx)) { ... }
//   switch (flags::variant<Flag::experiment_button_color>(ctx)) { case flags::variants::ButtonColor::blue: ... }
//   auto d = flags::detail<Flag::release_new_checkout>(ctx);  // value, variant, reason, rule, generation
//   auto view = flags::pin();                                 // one snapshot for a whole request
//   flags::enabled<"release.new-checkout">(ctx);              // by name, still checked at compile time
//
// This header includes <flags/registry.hpp>, which flagc generates in your build from your registry
// (see docs/integration.md). An unregistered flag is not a name in
// `enum class Flag`, so a typo or a deleted flag does not compile.
//
// Until flags::start() loads a runtime file, every flag reads its registry default with reason
// DEFAULT. That is what "no runtime" means, permanently, not a placeholder.
//
// Every read is noexcept, takes no lock and allocates nothing. A flag whose value does not depend on
// the context costs one atomic load; any other is evaluated against the current snapshot.
#pragma once

#include <algorithm>
#include <atomic>
#include <cstddef>
#include <filesystem>
#include <functional>
#include <span>
#include <type_traits>
#include <utility>
#include <vector>

#include <flags/bucketing.hpp>
#include <flags/call_site_counting.hpp>
#include <flags/context.hpp>
#include <flags/evaluation.hpp>
#include <flags/observability.hpp>
#include <flags/otel.hpp>
#include <flags/published_word.hpp>
#include <flags/registry.hpp>
#include <flags/runtime_core.hpp>
#include <flags/runtime_options.hpp>

namespace flags {

template <Flag F>
using flag_value_t = typename flag_value<F>::type;

// A flag named by a string literal: flags::enabled<"release.new-checkout">(ctx).
template <std::size_t N>
struct FlagName {
    char text[N]{};
    consteval FlagName(const char (&name)[N]) { std::copy_n(name, N, text); }
    constexpr std::string_view view() const noexcept { return {text, N - 1}; }
};

namespace internal {

template <Flag F>
inline constexpr std::size_t index_of = static_cast<std::size_t>(F);

// The position of the flag called `name` in generated::flags, or its size when there is none. flagc
// writes the flags sorted by name, so this takes log2(N) comparisons of the compiler's time where a
// scan took N: each by-name read of a 10,000-flag registry cost a scan of 10,000 names.
consteval std::size_t position_of(std::string_view name) {
    std::size_t low = 0, high = std::size(generated::flags);
    while (low < high) {
        const std::size_t middle = low + (high - low) / 2;
        if (generated::flags[middle].name < name)
            low = middle + 1;
        else
            high = middle;
    }
    return low < std::size(generated::flags) && generated::flags[low].name == name ? low : std::size(generated::flags);
}

template <FlagName Name>
consteval Flag flag_named() {
    constexpr std::size_t index = position_of(Name.view());
    static_assert(index < std::size(generated::flags), "unknown flag name: no flag of this name is declared in the registry");
    return static_cast<Flag>(index);
}

template <class T>
constexpr T typed_value(ValueIndex value) noexcept {
    if constexpr (std::is_same_v<T, bool>)
        return value != 0;
    else
        return static_cast<T>(value);
}

template <Flag F>
Detail<flag_value_t<F>> make_detail(const Evaluation& e) noexcept {
    const auto& info = generated::flags[index_of<F>];
    return Detail<flag_value_t<F>>{.value = typed_value<flag_value_t<F>>(e.value),
                                   .variant = info.value_name(e.value),
                                   .reason = e.reason,
                                   .error = e.error,
                                   .rule_index = e.rule_index,
                                   .bucket = e.bucket,
                                   .generation = e.generation,
                                   .content_hash = e.content_hash};
}

// The typed reads, written once for every source of values. A Source provides
//   template <std::size_t Flag> ValueIndex value_index(const Context&) const noexcept
//   Evaluation evaluation(std::size_t flag, const Context&) const noexcept
// Every layer from enabled<> down to the word is always inlined: a settled read is one load, and a
// call at any layer would cost more than the read (GCC stops inlining once the observed branches
// make value_index large enough).
template <class Source>
class TypedReads {
public:
    template <Flag F>
    [[nodiscard, gnu::always_inline]] bool enabled(const Context& ctx) const noexcept {
        static_assert(std::is_same_v<flag_value_t<F>, bool>,
                      "flags::enabled<> takes a boolean flag; read a multivariate flag with flags::variant<>");
        return source().template value_index<index_of<F>>(ctx) != 0;
    }
    template <FlagName Name>
    [[nodiscard, gnu::always_inline]] bool enabled(const Context& ctx) const noexcept {
        return enabled<flag_named<Name>()>(ctx);
    }

    template <Flag F>
    [[nodiscard, gnu::always_inline]] flag_value_t<F> variant(const Context& ctx) const noexcept {
        static_assert(!std::is_same_v<flag_value_t<F>, bool>,
                      "flags::variant<> takes a multivariate flag; read a boolean flag with flags::enabled<>");
        return typed_value<flag_value_t<F>>(source().template value_index<index_of<F>>(ctx));
    }
    template <FlagName Name>
    [[nodiscard, gnu::always_inline]] auto variant(const Context& ctx) const noexcept {
        return variant<flag_named<Name>()>(ctx);
    }

    template <Flag F>
    [[nodiscard]] Detail<flag_value_t<F>> detail(const Context& ctx) const noexcept {
        return make_detail<F>(source().evaluation(index_of<F>, ctx));
    }
    template <FlagName Name>
    [[nodiscard]] auto detail(const Context& ctx) const noexcept {
        return detail<flag_named<Name>()>(ctx);
    }

private:
    const Source& source() const noexcept { return static_cast<const Source&>(*this); }
};

// Each registry flag's first counter (call_site_counting.hpp).
inline constexpr auto flag_counter_offsets =
    counter_offsets(std::span<const FlagInfo, std::size(generated::flags)>(generated::flags));

// Records a read that flag I's word answered, in the runtime publishing `words`. With this thread's
// entry for that runtime at hand it counts the read right here (or knows that runtime does not
// count), which is the whole of what most flags record; the rest (a first count, an exposure) goes
// to `out_of_line`, told whether counting is done.
template <std::size_t I, class OutOfLine>
[[gnu::always_inline]] inline void record_word_read(const std::atomic<std::uint32_t>* words, ValueIndex value,
                                                    std::uint32_t word, OutOfLine&& out_of_line) noexcept {
    const bool counted = count_at_call_site(words, flag_counter_offsets[I], value, word_reason(word));
    if (!counted || generated::flags[I].track) out_of_line(value, word, counted);
}

// A read of flag I through the runtime publishing `words` (see <flags/published_word.hpp>): a settled
// value, or a user rollout or split computed here from the word and the flag's salt state, which is
// a constant of its name. Anything else, and a rollout without a user (which serves the
// default with reason ERROR), goes to `evaluate`, which records itself. A read answered here is
// recorded while any runtime observes its reads (counts them, for a flag that is not tracked, which
// has nothing else to record); what cannot be done here goes to `record_out_of_line(value, word,
// counted)`. Always inlined: it is the whole fast path, and the compiler, which sees two lambdas and
// an unlikely branch, would otherwise call it.
template <std::size_t I, class RecordOutOfLine, class Evaluate>
[[gnu::always_inline]] inline ValueIndex read_through_word(const std::atomic<std::uint32_t>* words, const Context& ctx,
                                                           RecordOutOfLine&& record_out_of_line,
                                                           Evaluate&& evaluate) noexcept {
    const auto w = words[I].load(std::memory_order_acquire);
    ValueIndex value;
    if (is_settled(w)) [[likely]] {
        value = settled_value(w);
    } else if (is_by_user(w) && !ctx.user.empty()) {
        constexpr auto salt = bucketing::salt_state(generated::flags[I].name);
        value = by_user_value(w, bucketing::bucket_from_salt_state(salt, ctx.user));
    } else {
        return evaluate();
    }
    constexpr auto& observed = generated::flags[I].track ? observers_active : counting_runtimes;
    if (observed.load(std::memory_order_relaxed) != 0) [[unlikely]]
        record_word_read<I>(words, value, w, record_out_of_line);
    return value;
}

// The process-wide default runtime, as the free functions see it.
class DefaultReads : public TypedReads<DefaultReads> {
public:
    template <std::size_t I>
    [[gnu::always_inline]] ValueIndex value_index(const Context& ctx) const noexcept {
        return read_through_word<I>(
            generated::published_words, ctx,
            [&](ValueIndex value, std::uint32_t word, bool counted) {
                record_default_word_read(I, value, word, ctx, counted);
            },
            [&] { return evaluate_default(generated::registry, I, ctx).value; });
    }
    Evaluation evaluation(std::size_t flag, const Context& ctx) const noexcept {
        return evaluate_default(generated::registry, flag, ctx);
    }
};

inline constexpr DefaultReads default_reads{};

}  // namespace internal

// One snapshot for a whole request: every read through a view sees the same generation, even while
// newer ones are published. Cheap to copy; the snapshot lives as long as any copy of the view.
class PinnedView : public internal::TypedReads<PinnedView> {
public:
    explicit PinnedView(internal::SnapshotRef snapshot) noexcept : snapshot_(std::move(snapshot)) {}

    std::uint64_t generation() const noexcept { return snapshot_.generation(); }

    template <std::size_t I>
    ValueIndex value_index(const Context& ctx) const noexcept {
        return snapshot_.evaluate(I, ctx).value;
    }
    Evaluation evaluation(std::size_t flag, const Context& ctx) const noexcept { return snapshot_.evaluate(flag, ctx); }

private:
    internal::SnapshotRef snapshot_;
};

// A runtime of its own, for one runtime file (or directory, plus an optional override file),
// independent of the process-wide default runtime. Until a load succeeds it serves registry defaults.
// It loads when asked (reload()), or loads and watches once started (start()).
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
    internal::RuntimeCore& core() noexcept { return core_; }

    template <std::size_t I>
    [[gnu::always_inline]] ValueIndex value_index(const Context& ctx) const noexcept {
        return internal::read_through_word<I>(
            core_.words(), ctx,
            [&](ValueIndex value, std::uint32_t word, bool counted) {
                core_.record_word_read(I, value, word, ctx, counted);
            },
            [&] { return core_.evaluate(I, ctx).value; });
    }
    Evaluation evaluation(std::size_t flag, const Context& ctx) const noexcept { return core_.evaluate(flag, ctx); }

private:
    internal::RuntimeCore core_;
};

namespace internal {
inline RuntimeCore& process_runtime() { return default_runtime(generated::registry, generated::published_words); }
}  // namespace internal

// Starts the process-wide runtime that the free functions below read: loads `file` (a runtime file,
// or a directory of them) and, unless options.watch is off, reloads it whenever it changes. A bad or
// missing file leaves the registry defaults (or the last good snapshot) serving and is reported;
// with options.require_valid_at_start, start fails instead (report.started is false).
//
//   auto report = flags::start("/etc/checkout/flags.toml");
//   if (!report.ok()) for (const auto& d : report.load.diagnostics) log(flags::format(d));
inline StartReport start(std::filesystem::path file, RuntimeOptions options = {}) {
    auto& runtime = internal::process_runtime();
    runtime.set_sources(std::move(file));
    return runtime.start(std::move(options));
}

// The same with a local override file, whose entries replace the base's flag by flag (flagctl
// override set/clear writes it): an emergency change without waiting for config management.
inline StartReport start(std::filesystem::path file, std::filesystem::path override_file, RuntimeOptions options = {}) {
    auto& runtime = internal::process_runtime();
    runtime.set_sources(std::move(file), std::move(override_file));
    return runtime.start(std::move(options));
}

// Stops watching; the current snapshot keeps serving.
inline void stop() noexcept { internal::process_runtime().stop(); }

// Reads the default runtime's files again, now.
inline LoadReport reload() noexcept { return internal::process_runtime().reload(); }

// Generation, hash, files, last load and error, staleness and watch mechanism.
inline Status status() { return internal::process_runtime().status(); }

// The default runtime's state as Prometheus text, to serve from the host's own metrics endpoint.
inline std::string metrics_text() { return internal::process_runtime().metrics_text(); }

// Called after each publish, on the publishing thread, never on the read path.
inline void on_change(std::function<void(std::uint64_t generation)> listener) {
    internal::process_runtime().on_change(std::move(listener));
}

// Turns on (or, with ObserveOptions{}, off) the default runtime's evaluation counters and exposure
// events; see <flags/observability.hpp>. Independent of start(): counting works with or without a file.
inline void observe(ObserveOptions options) { internal::process_runtime().observe(std::move(options)); }

// Delivers the exposures buffered so far to the sink and waits for that (tests, and before exit).
inline bool flush_observations(std::chrono::milliseconds timeout = std::chrono::seconds(5)) {
    return internal::process_runtime().flush_observations(timeout);
}

// Reads since counting began, by flag, value and reason (only the non-zero ones), summed over threads.
inline std::vector<EvaluationCount> evaluation_counts() { return internal::process_runtime().evaluation_counts(); }

// Every flag's reads and when it was last read.
inline std::vector<FlagUsage> usage() { return internal::process_runtime().usage(); }

inline ObservationStats observation_stats() { return internal::process_runtime().observation_stats(); }

// Writes the usage file `flagctl debt --usage` reads (also written periodically with
// ObserveOptions::usage_file). Returns an empty string, or what went wrong.
inline std::string write_usage_file(const std::filesystem::path& path) {
    return internal::process_runtime().write_usage_file(path);
}

template <Flag F>
[[nodiscard, gnu::always_inline]] inline bool enabled(const Context& ctx) noexcept {
    return internal::default_reads.enabled<F>(ctx);
}
template <FlagName Name>
[[nodiscard, gnu::always_inline]] inline bool enabled(const Context& ctx) noexcept {
    return internal::default_reads.enabled<Name>(ctx);
}

template <Flag F>
[[nodiscard, gnu::always_inline]] inline flag_value_t<F> variant(const Context& ctx) noexcept {
    return internal::default_reads.variant<F>(ctx);
}
template <FlagName Name>
[[nodiscard, gnu::always_inline]] inline auto variant(const Context& ctx) noexcept {
    return internal::default_reads.variant<Name>(ctx);
}

template <Flag F>
[[nodiscard]] Detail<flag_value_t<F>> detail(const Context& ctx) noexcept {
    return internal::default_reads.detail<F>(ctx);
}
template <FlagName Name>
[[nodiscard]] auto detail(const Context& ctx) noexcept {
    return internal::default_reads.detail<Name>(ctx);
}

[[nodiscard]] inline PinnedView pin() noexcept { return PinnedView(internal::pin_default(generated::registry)); }

}  // namespace flags
