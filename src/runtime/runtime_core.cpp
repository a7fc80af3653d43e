#include <flags/detail/runtime_core.hpp>

#include <algorithm>
#include <cstdio>
#include <map>
#include <mutex>
#include <new>

#include <flags/detail/published_word.hpp>

#include <fmt/format.h>

#include "hazard.hpp"
#include "input_limits.hpp"
#include "log_events.hpp"
#include "metrics.hpp"
#include "observer.hpp"
#include "published_words.hpp"
#include "runtime_loader.hpp"
#include "snapshot.hpp"
#include "source_files.hpp"
#include "watcher.hpp"

namespace flags::internal {
namespace {

void drop_reference(const Snapshot* snapshot) noexcept {
    if (snapshot && snapshot->references.fetch_sub(1, std::memory_order_acq_rel) == 1) delete snapshot;
}

Diagnostic out_of_memory(const std::string& file) {
    return Diagnostic{.file = file, .message = "out of memory while loading", .hint = "the last good snapshot keeps serving"};
}

}  // namespace

SnapshotRef::SnapshotRef(const SnapshotRef& other) noexcept
    : snapshot_(other.snapshot_), pinned_by_(other.pinned_by_), registry_(other.registry_), runtime_(other.runtime_) {
    if (pinned_by_)
        pinned_by_->pins.fetch_add(1, std::memory_order_relaxed);
    else if (snapshot_)
        snapshot_->references.fetch_add(1, std::memory_order_relaxed);
}

SnapshotRef::SnapshotRef(SnapshotRef&& other) noexcept
    : snapshot_(other.snapshot_), pinned_by_(other.pinned_by_), registry_(other.registry_), runtime_(other.runtime_) {
    other.snapshot_ = nullptr;
    other.pinned_by_ = nullptr;
}

SnapshotRef& SnapshotRef::operator=(SnapshotRef other) noexcept {
    std::swap(snapshot_, other.snapshot_);
    std::swap(pinned_by_, other.pinned_by_);
    std::swap(registry_, other.registry_);
    std::swap(runtime_, other.runtime_);
    return *this;
}

void SnapshotRef::let_go() noexcept {
    if (pinned_by_)
        pinned_by_->pins.fetch_sub(1, std::memory_order_release);
    else
        drop_reference(snapshot_);
}

SnapshotRef::~SnapshotRef() { let_go(); }

namespace {

// The key an exposure names: the value the flag buckets by, the user unless the file says otherwise.
std::string_view bucketing_key(const Snapshot* snapshot, std::size_t flag, const Context& ctx) noexcept {
    if (!snapshot) return ctx.user;
    return snapshot->flags[flag].bucket_by.value_in(ctx).value_or(std::string_view{});
}

bool observing() noexcept { return observing_gate.load(std::memory_order_relaxed) != 0; }

}  // namespace

Evaluation SnapshotRef::evaluate(std::size_t flag, const Context& ctx) const noexcept {
    const auto e = snapshot_ ? internal::evaluate(*snapshot_, flag, ctx) : default_evaluation(registry_, flag);
    if (observing() && runtime_) [[unlikely]]
        runtime_->observer_->record(flag, e.value, e.reason, e.generation, [&] { return bucketing_key(snapshot_, flag, ctx); });
    return e;
}

std::uint64_t SnapshotRef::generation() const noexcept { return snapshot_ ? snapshot_->generation : 0; }

struct RuntimeCore::Compiled {
    CompiledFile file;
};

struct RuntimeCore::State {
    mutable std::mutex writer;  // serialises publishers and guards everything below; readers never take it
    SourcePaths paths;
    RuntimeOptions options;
    SourceMap* described = nullptr;  // a tool's description of each load (describe_loads_into)
    std::unique_ptr<Atomic<std::uint32_t>[]> own_words;
    std::optional<CompiledFile> base;  // the last good files, before overrides
    std::unique_ptr<const RegistryTables> tables;  // made with the runtime, never changed: read without the lock
    std::map<std::size_t, ValueIndex> overrides;
    std::uint64_t generation = 0;
    std::vector<const Snapshot*> retired;  // unpublished, maybe still read
    std::vector<std::function<void(std::uint64_t)>> listeners;
    Status status;
    std::optional<std::chrono::steady_clock::time_point> stale_since;
    std::chrono::steady_clock::time_point last_stale_log{};
    std::unique_ptr<Watcher> watcher;  // declared last: stopped first, before what its thread uses

    // Frees retired snapshots that no reader is evaluating; pinned ones live on through their pins.
    void reclaim() {
        writer_fence();
        auto in_use = protected_pointers();
        std::sort(in_use.begin(), in_use.end());
        std::erase_if(retired, [&](const Snapshot* s) {
            if (std::binary_search(in_use.begin(), in_use.end(), static_cast<const void*>(s))) return false;
            drop_reference(s);
            return true;
        });
    }
};

RuntimeCore::RuntimeCore(RegistryView registry)
    : registry_(registry), state_(std::make_unique<State>()),
      observer_(std::make_unique<Observer>(registry, [this](const std::string& line) { log(line); })) {
    state_->tables = std::make_unique<const RegistryTables>(registry);
    state_->own_words = std::make_unique<Atomic<std::uint32_t>[]>(registry.flags.size());
    words_ = state_->own_words.get();
    for (std::size_t i = 0; i < registry.flags.size(); ++i)
        words_[i].store(settled_word(registry.flags[i].default_value), std::memory_order_relaxed);
}

namespace {
// The process's runtime, once it exists; never deleted (see flags::process_runtime()).
std::atomic<RuntimeCore*> default_instance{nullptr};
}  // namespace

RuntimeCore::RuntimeCore(RegistryView registry, std::span<Atomic<std::uint32_t>> words)
    : registry_(registry), state_(std::make_unique<State>()), words_(words.data()),
      observer_(std::make_unique<Observer>(registry, [this](const std::string& line) { log(line); })),
      publishes_process_words_(true) {
    state_->tables = std::make_unique<const RegistryTables>(registry);
    default_instance.store(this, std::memory_order_release);
}

RuntimeCore::~RuntimeCore() {
    stop();
    observer_.reset();  // its thread delivers what is buffered, and may log through this runtime
    if (const auto* last = current_.exchange(nullptr, std::memory_order_seq_cst)) state_->retired.push_back(last);
    // A view still pinned when its runtime goes is a mistake of the caller's; its snapshot is left
    // allocated rather than freed under it.
    writer_fence();
    auto in_use = protected_pointers();
    for (const auto* s : state_->retired)
        if (std::find(in_use.begin(), in_use.end(), static_cast<const void*>(s)) == in_use.end()) drop_reference(s);
}

void RuntimeCore::set_sources(std::filesystem::path base, std::filesystem::path override_file) {
    std::lock_guard lock(state_->writer);
    state_->paths = SourcePaths{.base = std::move(base), .override_file = std::move(override_file)};
    state_->status.sources = state_->paths.described();
}

void RuntimeCore::describe_loads_into(SourceMap* out) {
    std::lock_guard lock(state_->writer);
    state_->described = out;
}

void RuntimeCore::publish_locked(State& state) {
    auto snapshot = std::make_unique<Snapshot>();
    snapshot->registry = registry_;
    snapshot->rules = state.base->rules;
    snapshot->flags = state.base->flags;
    snapshot->content_hash = state.base->content_hash;
    for (const auto& [flag, value] : state.overrides)
        snapshot->flags[flag] = FlagProgram{.present = true,
                                            .default_value = registry_.flags[flag].default_value,
                                            .outcome = Outcome{.value = value}};
    snapshot->generation = ++state.generation;
    observer_->note_generation(snapshot->generation, snapshot->content_hash);
    state.status.published_at = std::chrono::system_clock::now();

    const Snapshot* published = snapshot.release();
    const Snapshot* old = current_.exchange(published, std::memory_order_seq_cst);
    published_generation_.store(published->generation, std::memory_order_release);
    // Words after the pointer: a reader sent to the snapshot by an old word finds one at least as new.
    for (std::size_t i = 0; i < registry_.flags.size(); ++i) {
        words_[i].store(published_word_of(*published, i), std::memory_order_release);
    }
    if (old) state.retired.push_back(old);
    state.reclaim();
}

void RuntimeCore::log(const std::string& line) const {
    LogSink sink;
    {
        std::lock_guard lock(state_->writer);
        sink = state_->options.log;
    }
    try {
        if (sink) sink(line);
        else std::fprintf(stderr, "%s\n", line.c_str());
    } catch (...) {
        // A log sink that throws must not take loading down with it.
    }
}

// Records the outcome of one load attempt in the status, publishes a good result, and reports it.
LoadReport RuntimeCore::conclude(SourceState state, std::unique_ptr<Compiled> compiled, LoadReport report,
                                 std::chrono::steady_clock::time_point started, bool log_outcome) {
    std::string line;
    std::vector<std::function<void(std::uint64_t)>> listeners;
    {
        std::lock_guard lock(state_->writer);
        auto& status = state_->status;
        const auto now = std::chrono::system_clock::now();
        if (compiled) {
            if (!(state_->base && state_->base->content_hash == compiled->file.content_hash)) {
                state_->base = std::move(compiled->file);
                publish_locked(*state_);
                report.published = true;
                ++status.loads_published;
            } else {
                ++status.loads_unchanged;
            }
            status.state = SourceState::ok;
            status.last_success = now;
            status.consecutive_failures = 0;
            state_->stale_since.reset();
        } else {
            status.state = state == SourceState::ok ? SourceState::invalid : state;
            ++(status.state == SourceState::missing ? status.refused_missing
               : status.state == SourceState::empty ? status.refused_empty
                                                     : status.refused_invalid);
            const auto first_error = std::find_if(report.diagnostics.begin(), report.diagnostics.end(),
                                                  [](const Diagnostic& d) { return d.severity == Severity::error; });
            if (first_error != report.diagnostics.end())
                status.last_error = first_error->line > 0
                                        ? fmt::format("{}:{}: {}", first_error->file, first_error->line, first_error->message)
                                        : fmt::format("{}: {}", first_error->file, first_error->message);
            status.last_error_time = now;
            ++status.consecutive_failures;
            if (!state_->stale_since) state_->stale_since = std::chrono::steady_clock::now();
        }
        report.generation = state_->generation;
        status.generation = state_->generation;
        status.content_hash = state_->base ? state_->base->content_hash : 0;

        if (report.published) {
            const double millis =
                std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - started).count();
            const auto flags_set = static_cast<std::uint64_t>(std::count_if(
                state_->base->flags.begin(), state_->base->flags.end(), [](const FlagProgram& p) { return p.present; }));
            line = loaded_event(state_->generation, state_->base->content_hash, millis, flags_set);
            listeners = state_->listeners;
        } else if (!compiled) {
            line = refused_event(status.state, report.diagnostics, state_->generation);
        }
    }
    if (log_outcome && !line.empty()) log(line);
    for (const auto& listener : listeners) {
        try {
            listener(report.generation);
        } catch (const std::exception& e) {
            log(listener_failed_event(e.what()));
        } catch (...) {
            log(listener_failed_event("a listener threw something other than an exception"));
        }
    }
    return report;
}

LoadReport RuntimeCore::load_text(std::string_view text, std::string display) noexcept {
    const auto started = std::chrono::steady_clock::now();
    LoadReport report;
    try {
        const SourceView sources[] = {{.display = display, .text = text}};
        Limits limits;
        {
            std::lock_guard lock(state_->writer);
            limits = state_->options.limits;
        }
        if (auto too_large = file_size_problem(text.size(), limits.max_file_bytes); !too_large.empty()) {
            report.diagnostics.push_back(Diagnostic{
                .file = display,
                .message = std::move(too_large),
                .hint = "a flag file this large is a mistake; the last good snapshot keeps serving"});
            return report;
        }
        auto compiled = compile_runtime(registry_, sources, report.diagnostics, limits, nullptr, state_->tables.get());
        // Text in memory is the caller's to report: it gets the diagnostics back, and nothing is logged.
        return conclude(SourceState::ok, compiled ? std::make_unique<Compiled>(Compiled{std::move(*compiled)}) : nullptr,
                        std::move(report), started, false);
    } catch (const std::bad_alloc&) {
        report.diagnostics.push_back(out_of_memory(display));
    } catch (const std::exception& e) {
        report.diagnostics.push_back(Diagnostic{.file = display, .message = e.what()});
    }
    return report;
}

LoadReport RuntimeCore::load_from_disk(const std::function<bool(bool)>* may_conclude) noexcept {
    const auto started = std::chrono::steady_clock::now();
    LoadReport report;
    try {
        SourcePaths paths;
        RuntimeOptions options;
        SourceMap* described = nullptr;
        {
            std::lock_guard lock(state_->writer);
            paths = state_->paths;
            options = state_->options;
            described = state_->described;
            report.generation = state_->generation;
        }
        if (paths.base.empty()) {
            report.diagnostics.push_back(Diagnostic{.message = "no runtime file is set",
                                                    .hint = "start the runtime with the path of its runtime file"});
            return report;
        }
        auto read = read_sources(paths, options);
        report.diagnostics = std::move(read.diagnostics);
        std::unique_ptr<Compiled> compiled;
        if (read.state == SourceState::ok) {
            if (auto file = compile_runtime(registry_, read.sources, report.diagnostics, options.limits, described,
                                            state_->tables.get()))
                compiled = std::make_unique<Compiled>(Compiled{std::move(*file)});
        }
        // A writer began changing the files while they were read (what was read may be half of it), or a
        // load the watcher asked for at once found them bad: publish nothing and say nothing; the
        // watcher loads again once the writer is done (watcher.hpp).
        if (may_conclude && !(*may_conclude)(read.state == SourceState::ok && compiled)) return report;
        return conclude(read.state, std::move(compiled), std::move(report), started, true);
    } catch (const std::bad_alloc&) {
        report.diagnostics.push_back(out_of_memory("runtime files"));
    } catch (const std::exception& e) {
        report.diagnostics.push_back(Diagnostic{.message = e.what()});
    }
    return report;
}

LoadReport RuntimeCore::reload() noexcept { return load_from_disk(nullptr); }

StartReport RuntimeCore::start(RuntimeOptions options) {
    stop();
    SourcePaths paths;
    {
        std::lock_guard lock(state_->writer);
        state_->options = options;
        paths = state_->paths;
    }
    // Watch first, then load: a change that lands while the first load runs is then seen, not lost.
    if (options.watch) {
        WatcherHooks hooks{
            .load = [this](const PublishGate& may_conclude) { load_from_disk(&may_conclude); },
            .degraded = [this](const std::string& reason) { log(degraded_event(reason)); },
            .tick = [this] { report_stale(); },
            .overflowed = [this] { log(overflow_event()); },
        };
        auto watcher = std::make_unique<Watcher>(paths.watched(), options, std::move(hooks));
        const bool polling = watcher->mechanism() == WatchMechanism::polling && !options.force_polling;
        {
            std::lock_guard lock(state_->writer);
            state_->watcher = std::move(watcher);
        }
        if (polling) log(degraded_event("inotify is unavailable"));
    }
    StartReport report{.started = true, .load = reload()};
    if (!report.load.ok() && options.require_valid_at_start) {
        stop();
        report.started = false;
    }
    return report;
}

void RuntimeCore::stop() noexcept {
    std::unique_ptr<Watcher> watcher;
    {
        std::lock_guard lock(state_->writer);
        watcher = std::move(state_->watcher);
    }
    watcher.reset();  // joins the thread, outside the lock its loads take
}

void RuntimeCore::report_stale() {
    std::string line;
    {
        std::lock_guard lock(state_->writer);
        const auto now = std::chrono::steady_clock::now();
        if (!state_->stale_since || now - state_->last_stale_log < state_->options.stale_log_interval) return;
        state_->last_stale_log = now;
        line = stale_event(std::chrono::duration<double>(now - *state_->stale_since).count(), state_->generation,
                           state_->status.last_error);
    }
    log(line);
}

Status RuntimeCore::status() const {
    std::lock_guard lock(state_->writer);
    Status status = state_->status;
    status.stale = state_->stale_since.has_value();
    if (status.stale)
        status.stale_for = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() -
                                                                                 *state_->stale_since);
    status.mechanism = state_->watcher ? state_->watcher->mechanism() : WatchMechanism::none;
    if (state_->watcher) status.watch_problem = state_->watcher->problem();
    return status;
}

std::string RuntimeCore::metrics_text() const {
    return render_runtime_metrics(status()) + render_observation_metrics(evaluation_counts(), observation_stats());
}

void RuntimeCore::on_change(std::function<void(std::uint64_t)> listener) {
    std::lock_guard lock(state_->writer);
    state_->listeners.push_back(std::move(listener));
}

namespace {

// A read while someone observes, or a thread's first read (it takes a slot): out of the common read's
// line, so that the common read keeps nothing but its slot across the evaluation.
[[gnu::noinline]] Evaluation evaluate_and_record(const std::atomic<const Snapshot*>& current,
                                                 const RegistryView& registry, Observer& observer, std::size_t flag,
                                                 const Context& ctx) noexcept {
    HazardSlot* slot = this_thread_slot();
    if (!slot) return default_evaluation(registry, flag);
    const Snapshot* snapshot = protect(current, *slot);
    const Evaluation result = snapshot ? internal::evaluate(*snapshot, flag, ctx) : default_evaluation(registry, flag);
    if (observing())
        observer.record(flag, result.value, result.reason, result.generation,
                        [&] { return bucketing_key(snapshot, flag, ctx); });
    release(*slot);
    return result;
}

// Releases a hazard once the read's result is built, in the caller's memory: returning the evaluation
// itself, rather than a copy kept while the hazard is released, saves copying it.
struct ReleaseOnExit {
    HazardSlot& slot;
    ~ReleaseOnExit() { release(slot); }
};

}  // namespace

Evaluation RuntimeCore::evaluate(std::size_t flag, const Context& ctx) const noexcept {
    // Whether anyone observes is asked before the evaluation rather than after: a read that races
    // with observe() may fall either side of it.
    HazardSlot* slot = this_thread;
    if (!slot || observing()) [[unlikely]]
        return evaluate_and_record(current_, registry_, *observer_, flag, ctx);
    const Snapshot* snapshot = protect(current_, *slot);
    const ReleaseOnExit release_after_return{*slot};
    return snapshot ? internal::evaluate(*snapshot, flag, ctx) : default_evaluation(registry_, flag);
}

SnapshotRef RuntimeCore::pin() const noexcept {
    HazardSlot* slot = this_thread_slot();
    if (!slot) return SnapshotRef(nullptr, nullptr, registry_, this);
    const Snapshot* snapshot = protect(current_, *slot);
    if (!snapshot) {
        release(*slot);
        return SnapshotRef(nullptr, nullptr, registry_, this);
    }
    // While the hazard holds the snapshot, the runtime cannot let it go, so recording a pin (or adding
    // a reference) is safe; the hazard is released only once the pin is visible.
    HazardSlot* pinned_by = nullptr;
    const auto pins = slot->pins.load(std::memory_order_acquire);
    if (pins == 0) {  // no view holds this slot's pin: no other thread touches it
        // Release, not relaxed: a publisher that reads this pointer must also see that this thread is
        // done with the snapshot its previous view held, or it could free that one "before" the reads.
        slot->pinned.store(snapshot, std::memory_order_release);
        slot->pins.store(1, std::memory_order_release);
        pinned_by = slot;
    } else if (slot->pinned.load(std::memory_order_relaxed) == snapshot) {
        slot->pins.fetch_add(1, std::memory_order_relaxed);
        pinned_by = slot;
    } else {  // this thread already pins an older snapshot: count on the snapshot instead
        snapshot->references.fetch_add(1, std::memory_order_relaxed);
    }
    release(*slot);
    return SnapshotRef(snapshot, pinned_by, registry_, this);
}

// Flattened, as record_default_word_read below, for the reads through a Runtime of its own.
[[gnu::flatten]] void RuntimeCore::record_word_read(std::size_t flag, ValueIndex value, std::uint32_t word,
                                                    const Context& ctx, bool counted,
                                                    std::uint64_t key_hash) const noexcept {
    if (!counted) [[unlikely]]
        count_word_read(flag, value, word);
    // Only an exposure needs the generation, which costs a look at the runtime's.
    if (observer_->tracks(flag))
        observer_->expose(flag, value, word_reason(word),
                          word_generation(word, published_generation_.load(std::memory_order_acquire)), ctx.user,
                          key_hash);
}

// Out of line: a call site counts nearly every read itself, once this has filled its entry.
[[gnu::noinline]] void RuntimeCore::count_word_read(std::size_t flag, ValueIndex value,
                                                    std::uint32_t word) const noexcept {
    Observer& observer = *observer_;
    // Read before counting(), so that the entry filled below goes stale if counting stops meanwhile.
    const auto epoch = counting_epoch.load(std::memory_order_acquire);
    // The process runtime's entry is its own, which its call sites take without a test of whose it is.
    CallSiteCounters& entry = publishes_process_words_ ? process_call_site_counters : call_site_counters;
    if (observer.counting()) {
        observer.count(flag, value, word_reason(word));
        if (auto* counts = observer.counters_of_this_thread(); counts && epoch != 0)
            entry = {.words = words_, .counts = counts, .epoch = epoch};
    } else if (epoch != 0) {
        entry = {.words = words_, .counts = nullptr, .epoch = epoch | does_not_count};
    }
}

void RuntimeCore::observe(ObserveOptions options) { observer_->configure(std::move(options)); }

bool RuntimeCore::flush_observations(std::chrono::milliseconds timeout) { return observer_->flush(timeout); }

std::vector<EvaluationCount> RuntimeCore::evaluation_counts() const { return observer_->counts(); }

std::vector<FlagUsage> RuntimeCore::usage() const { return observer_->usage(); }

ObservationStats RuntimeCore::observation_stats() const { return observer_->stats(); }

std::string RuntimeCore::write_usage_file(const std::filesystem::path& path) const {
    return observer_->write_usage_file(path);
}

std::uint64_t RuntimeCore::generation() const noexcept {
    std::lock_guard lock(state_->writer);
    return state_->generation;
}

void RuntimeCore::set_override(std::size_t flag, ValueIndex value) {
    std::lock_guard lock(state_->writer);
    state_->overrides[flag] = value;
    if (!state_->base) state_->base = empty_runtime(registry_);
    publish_locked(*state_);
}

void RuntimeCore::clear_override(std::size_t flag) {
    std::lock_guard lock(state_->writer);
    if (state_->overrides.erase(flag) == 0) return;
    if (!state_->base) state_->base = empty_runtime(registry_);
    publish_locked(*state_);
}

Evaluation evaluate_default(const RegistryView& registry, std::size_t flag, const Context& ctx) noexcept {
    const auto* runtime = default_instance.load(std::memory_order_acquire);
    return runtime ? runtime->evaluate(flag, ctx) : default_evaluation(registry, flag);
}

// Flattened: a tracked read's exposure that repeats one of its thread's recent ones, nearly every
// exposure a read makes, is then this one call, without two more to the runtime and its observer.
[[gnu::flatten]] void record_default_word_read(std::size_t flag, ValueIndex value, std::uint32_t word,
                                               const Context& ctx, bool counted, std::uint64_t key_hash) noexcept {
    if (const auto* runtime = default_instance.load(std::memory_order_acquire))
        runtime->record_word_read(flag, value, word, ctx, counted, key_hash);
}

SnapshotRef pin_default(const RegistryView& registry) noexcept {
    const auto* runtime = default_instance.load(std::memory_order_acquire);
    return runtime ? runtime->pin() : SnapshotRef(registry);
}

}  // namespace flags::internal
