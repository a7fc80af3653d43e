#include "observer.hpp"

#include <time.h>

#include <algorithm>
#include <array>
#include <cstring>
#include <limits>
#include <new>
#include <utility>

#include <flags/bucketing.hpp>
#include <flags/detail/published_word.hpp>  // the read gates

#include "atomic_file.hpp"
#include "hazard.hpp"
#include "log_events.hpp"
#include "usage_file.hpp"

namespace flags::internal {

Atomic<std::uint32_t> counting_gate{0};
Atomic<std::uint32_t> observing_gate{0};
Atomic<std::uint64_t> counting_epoch{0};
Atomic<std::uint32_t> exposing_runtimes{0};
constinit thread_local CallSiteCounters call_site_counters{};
constinit thread_local CallSiteCounters process_call_site_counters{};

namespace {

std::atomic<std::uint64_t> next_observer_id{1};

// How many runtimes count, and the epochs handed out so far, with what the read path learns from them
// and from exposing_runtimes, all changed under one mutex: counting_epoch (call_site_counting.hpp) is
// 0 while none counts, and a new epoch, never 0 and never marked, whenever that set changes; the read
// gates (published_word.hpp) say whether any runtime counts, and whether any counts or exposes.
std::mutex runtimes_mutex;
std::uint32_t counting_runtimes = 0;
std::uint64_t last_epoch = 0;

std::uint32_t gate_for(std::uint32_t runtimes) noexcept { return runtimes == 0 ? 0 : needs_evaluation_bit; }

// A runtime started (+1) or stopped (-1) counting, or taking exposures, or neither (0).
void change_observing_runtimes(int counting_change, int exposing_change) {
    std::lock_guard lock(runtimes_mutex);
    counting_runtimes = static_cast<std::uint32_t>(static_cast<int>(counting_runtimes) + counting_change);
    const auto exposing = static_cast<std::uint32_t>(
        static_cast<int>(exposing_runtimes.load(std::memory_order_relaxed)) + exposing_change);
    if (counting_change != 0)
        counting_epoch.store(counting_runtimes == 0 ? 0 : ++last_epoch, std::memory_order_release);
    exposing_runtimes.store(exposing, std::memory_order_release);
    counting_gate.store(gate_for(counting_runtimes), std::memory_order_release);
    observing_gate.store(gate_for(counting_runtimes + exposing), std::memory_order_release);
}

// The coarse clock is read from the vDSO without a system call, in a few nanoseconds, to the
// kernel's tick (a few milliseconds), which is all a window of minutes or hours needs.
std::int64_t monotonic_coarse_ns() noexcept {
    timespec ts{};
    ::clock_gettime(CLOCK_MONOTONIC_COARSE, &ts);
    return static_cast<std::int64_t>(ts.tv_sec) * 1'000'000'000 + ts.tv_nsec;
}

// An option's milliseconds in nanoseconds, from 0 up to the most an int64_t holds: milliseconds::max()
// is a fair way to ask for a window that never ends, and must not wrap round to one that never filters.
std::int64_t nanoseconds_of(std::chrono::milliseconds option) noexcept {
    constexpr std::int64_t most_ms = std::numeric_limits<std::int64_t>::max() / 1'000'000;
    return std::clamp<std::int64_t>(option.count(), 0, most_ms) * 1'000'000;
}

// a + b for two nanosecond counts of at least 0, held to the most an int64_t holds.
std::int64_t saturating_sum(std::int64_t a, std::int64_t b) noexcept {
    return a > std::numeric_limits<std::int64_t>::max() - b ? std::numeric_limits<std::int64_t>::max() : a + b;
}

}  // namespace

// One thread's share of an observer: its counters and its exposures on their way to the sink. It
// belongs to a hazard slot, so only the thread holding that slot writes it.
struct alignas(64) ObservationRecord {
    ObservationRecord(std::size_t counters, std::size_t ring_bytes)
        : counts(new Atomic<std::uint64_t>[counters]()), ring(ring_bytes) {}

    // What the thread delivered recently, by hash: a repeat within the window is filtered here,
    // before it costs an append. Two ways per set, so that two hot keys that share a set do not
    // evict each other on every read. A collision only lets a repeat through, to be caught at delivery.
    static constexpr std::size_t filter_sets = 1024;
    struct Recent {
        std::uint64_t hash = 0;
        std::int64_t at_ns = 0;
    };
    struct RecentSet {
        std::array<Recent, 2> ways{};
    };

    std::atomic<const HazardSlot*> owner{nullptr};
    std::unique_ptr<Atomic<std::uint64_t>[]> counts;
    ExposureRing ring;
    std::array<RecentSet, filter_sets> recent{};
    RecentSet& recent_set(std::uint64_t hash) noexcept { return recent[(hash >> 32) & (filter_sets - 1)]; }
    const RecentSet& recent_set(std::uint64_t hash) const noexcept { return recent[(hash >> 32) & (filter_sets - 1)]; }
    Atomic<std::uint64_t> filtered{0};
    Atomic<std::uint64_t> dropped{0};
    ObservationRecord* next = nullptr;
};

Observer::Observer(RegistryView registry, Log log)
    : registry_(registry), log_(std::move(log)), id_(next_observer_id.fetch_add(1, std::memory_order_relaxed)) {
    counter_offsets_.reserve(registry.flags.size());
    for (const auto& flag : registry.flags) {
        counter_offsets_.push_back(counter_total_);
        counter_total_ += counters_of(flag);
        tracked_.push_back(flag.track ? 1 : 0);
        name_salt_states_.push_back(bucketing::salt_state(flag.name));
    }
    last_totals_.assign(registry.flags.size(), 0);
    last_evaluated_.assign(registry.flags.size(), std::nullopt);
}

Observer::~Observer() {
    configure(ObserveOptions{});
    for (auto* r = records_.load(std::memory_order_acquire); r;) delete std::exchange(r, r->next);
}

void Observer::add_records(std::size_t count) {
    std::size_t ring_bytes;
    {
        std::lock_guard lock(mutex_);
        ring_bytes = options_.buffer_bytes_per_thread;
    }
    for (std::size_t i = 0; i < count; ++i) {
        auto* r = new ObservationRecord(counter_total_, ring_bytes);
        r->next = records_.load(std::memory_order_relaxed);
        while (!records_.compare_exchange_weak(r->next, r, std::memory_order_release, std::memory_order_relaxed)) {
        }
    }
}

void Observer::configure(ObserveOptions options) {
    // Two hosts' threads may configure at once; each stops the thread and starts its own, in turn.
    std::lock_guard one_at_a_time(configuring_);
    stop_thread();
    const bool counting = options.count_evaluations;
    const bool exposing = static_cast<bool>(options.exposures);
    if (!counting && !exposing) options = ObserveOptions{};
    window_ns_.store(nanoseconds_of(options.exposure_window), std::memory_order_relaxed);
    {
        std::lock_guard lock(mutex_);
        options_ = std::move(options);
    }
    // What readers write is allocated when they are first sent to it, so that a runtime nobody
    // observes costs no memory. The shared counters come before the records, whose publication
    // (records_, release) is what tells other threads that both exist.
    if ((counting || exposing) && !records_.load(std::memory_order_acquire)) {
        shared_counts_.reset(new Atomic<std::uint64_t>[counter_total_]());
        add_records(std::thread::hardware_concurrency() + 2);
    }
    if (counting && !counting_.load(std::memory_order_relaxed)) {
        std::lock_guard usage(usage_mutex_);
        counting_since_ = std::chrono::system_clock::now();
        last_totals_ = flag_totals();
        last_evaluated_.assign(registry_.flags.size(), std::nullopt);
    }
    // Released after everything above: a reader that sees a flag set finds what it needs.
    const int counting_change = int{counting} - int{counting_.exchange(counting, std::memory_order_acq_rel)};
    const int exposing_change = int{exposing} - int{exposing_.exchange(exposing, std::memory_order_acq_rel)};
    // After the stores: a call site's entry filled before them is stale (call_site_counting.hpp).
    change_observing_runtimes(counting_change, exposing_change);
    if (active()) {
        std::lock_guard lock(mutex_);
        stopping_ = false;
        thread_ = std::thread([this] { run(); });
    }
}

void Observer::stop_thread() {
    std::thread thread;
    {
        std::lock_guard lock(mutex_);
        if (!thread_.joinable()) return;
        stopping_ = true;
        thread = std::move(thread_);
    }
    wake_.notify_all();
    thread.join();
}

ObservationRecord* Observer::find_record(HazardSlot* slot) noexcept {
    if (!slot) return nullptr;
    ObservationRecord* found = nullptr;
    for (auto* r = records_.load(std::memory_order_acquire); r && !found; r = r->next)
        if (r->owner.load(std::memory_order_relaxed) == slot) found = r;
    for (auto* r = records_.load(std::memory_order_acquire); r && !found; r = r->next) {
        const HazardSlot* unowned = nullptr;
        if (!r->owner.load(std::memory_order_relaxed) &&
            r->owner.compare_exchange_strong(unowned, slot, std::memory_order_acq_rel))
            found = r;
    }
    if (!found) {
        // More threads read than there are records: the observation thread adds some (the read path
        // allocates nothing), and this read is counted in the shared counters meanwhile.
        want_records_.store(true, std::memory_order_relaxed);
        return nullptr;
    }
    slot->observer_id = id_;
    slot->observer_record = found;
    return found;
}

void Observer::count(std::size_t flag, ValueIndex value, Reason reason) noexcept {
    const auto index = counter_index(flag, value, reason);
    if (auto* mine = record_of_this_thread()) [[likely]]
        add_one(mine->counts[index]);
    else
        shared_counts_[index].fetch_add(1, std::memory_order_relaxed);
}

Atomic<std::uint64_t>* Observer::counters_of_this_thread() noexcept {
    auto* mine = record_of_this_thread();
    return mine ? mine->counts.get() : nullptr;
}

bool Observer::recently_exposed(ObservationRecord& mine, std::uint64_t hash) noexcept {
    const auto window = window_ns_.load(std::memory_order_relaxed);
    for (const auto& way : mine.recent_set(hash).ways) {
        if (way.hash != hash) continue;
        // The latest the clock can read while the observation thread sleeps answers nearly every
        // repeat without a read of the clock; near the end of the window, the clock answers.
        const auto latest = latest_clock_ns_.load(std::memory_order_relaxed);
        if ((latest != 0 && latest - way.at_ns < window) || monotonic_coarse_ns() - way.at_ns < window) {
            add_one(mine.filtered);
            return true;
        }
        return false;
    }
    return false;
}

void Observer::drop_without_record() noexcept { dropped_without_record_.fetch_add(1, std::memory_order_relaxed); }

std::uint64_t Observer::hash_key(std::size_t flag, std::string_view key) const noexcept {
    return exposure_key_hash(name_salt_states_[flag], key);
}

void Observer::expose_anew(ObservationRecord& mine, std::size_t flag, ValueIndex value, Reason reason,
                           std::uint64_t generation, std::string_view key, std::uint64_t hash) noexcept {
    const ExposureRecord exposure{.flag = static_cast<std::uint16_t>(flag),
                                  .value = value,
                                  .reason = static_cast<std::uint8_t>(reason),
                                  .generation = generation,
                                  .monotonic_ns = monotonic_coarse_ns()};
    if (!mine.ring.try_push(exposure, key)) {
        add_one(mine.dropped);
        return;
    }
    // Replace this key's old entry, or else the older of the two.
    auto& [a, b] = mine.recent_set(hash).ways;
    auto& victim = a.hash == hash ? a : b.hash == hash ? b : a.at_ns <= b.at_ns ? a : b;
    victim = {hash, exposure.monotonic_ns};
}

void Observer::run() {
    auto next_sample = std::chrono::steady_clock::now() + std::chrono::seconds(1);
    auto next_usage_write = std::chrono::steady_clock::now();
    std::unique_lock lock(mutex_);
    next_usage_write += options_.usage_interval;
    for (;;) {
        // The latest the clock can read while this thread sleeps, for the read side's filters
        // (recently_exposed), and only then: at work, in the sink or on a slow disk, it could stay
        // away any length of time.
        const auto sleep_ns = saturating_sum(nanoseconds_of(options_.delivery_interval), filter_clock_lateness_ns);
        latest_clock_ns_.store(saturating_sum(monotonic_coarse_ns(), sleep_ns), std::memory_order_relaxed);
        wake_.wait_for(lock, options_.delivery_interval, [&] {
            return stopping_ || flush_requested_ != flush_done_ || want_records_.load(std::memory_order_relaxed);
        });
        latest_clock_ns_.store(0, std::memory_order_relaxed);
        const bool stop = stopping_;
        const auto flush_target = flush_requested_;
        const ExposureSink sink = options_.exposures;
        const auto max_remembered = options_.max_remembered_exposures;
        const auto usage_file = options_.usage_file;
        const auto usage_interval = options_.usage_interval;
        lock.unlock();

        if (want_records_.exchange(false, std::memory_order_relaxed)) add_records(4);
        if (sink) deliver_pending(sink, window_ns_.load(std::memory_order_relaxed), max_remembered);
        const auto now = std::chrono::steady_clock::now();
        if (now >= next_sample) {
            std::lock_guard usage(usage_mutex_);
            sample_usage_locked(std::chrono::system_clock::now());
            next_sample = now + std::chrono::seconds(1);
        }
        if (!usage_file.empty() && (now >= next_usage_write || stop)) {
            if (auto problem = write_usage_file(usage_file); !problem.empty())
                log_(usage_write_failed_event(usage_file.string(), problem));
            next_usage_write = now + usage_interval;
        }

        lock.lock();
        flush_done_ = flush_target;
        flushed_.notify_all();
        if (stop) return;
    }
}

void Observer::deliver_pending(const ExposureSink& sink, std::int64_t window_ns, std::size_t max_remembered) {
    const auto mono_now = monotonic_coarse_ns();
    const auto wall_now = std::chrono::system_clock::now();
    // Forgetting scans every remembered key, up to max_remembered of them: once per window, at most
    // every 10 s, or every second while the table is full, rather than on every pass.
    const std::int64_t forget_every = remembered_.size() >= max_remembered ? 1'000'000'000 : 10'000'000'000;
    if (mono_now - last_forget_ns_ >= std::min(window_ns, forget_every)) {
        forget_expired(mono_now, window_ns);
        last_forget_ns_ = mono_now;
    }
    std::string identity;
    for (auto* r = records_.load(std::memory_order_acquire); r; r = r->next) {
        r->ring.drain([&](const ExposureRecord& e, std::string_view key) {
            // The per-thread filters see one thread each; this sees them all.
            identity.assign(reinterpret_cast<const char*>(&e.flag), sizeof e.flag);
            identity.append(reinterpret_cast<const char*>(&e.value), sizeof e.value);
            identity.append(key);
            if (auto it = remembered_.find(identity); it != remembered_.end()) {
                const auto apart = e.monotonic_ns > it->second ? e.monotonic_ns - it->second : it->second - e.monotonic_ns;
                if (apart < window_ns) {
                    deduplicated_at_delivery_.fetch_add(1, std::memory_order_relaxed);
                    return;
                }
                it->second = e.monotonic_ns;
            } else if (remembered_.size() < max_remembered) {
                remembered_.emplace(identity, e.monotonic_ns);
            } else {
                dedup_overflow_.fetch_add(1, std::memory_order_relaxed);
            }
            const auto& info = registry_.flags[e.flag];
            const Exposure exposure{
                .flag = info.name,
                .variant = info.value_name(e.value),
                .reason = static_cast<Reason>(e.reason),
                .key = key,
                .generation = e.generation,
                .content_hash = content_hash_of(e.generation),
                .time = wall_now - std::chrono::duration_cast<std::chrono::system_clock::duration>(
                                       std::chrono::nanoseconds(mono_now - e.monotonic_ns))};
            try {
                sink(exposure);
                delivered_.fetch_add(1, std::memory_order_relaxed);
            } catch (...) {
                // The sink is the host's; its failure costs this exposure and nothing else.
                sink_failures_.fetch_add(1, std::memory_order_relaxed);
            }
        });
    }
}

void Observer::note_generation(std::uint64_t generation, std::uint64_t content_hash) {
    std::lock_guard lock(hashes_mutex_);
    hashes_[generation % remembered_generations] = {generation, content_hash};
}

std::uint64_t Observer::content_hash_of(std::uint64_t generation) {
    std::lock_guard lock(hashes_mutex_);
    const auto& entry = hashes_[generation % remembered_generations];
    return entry.generation == generation ? entry.content_hash : 0;
}

void Observer::forget_expired(std::int64_t now_ns, std::int64_t window_ns) {
    std::erase_if(remembered_, [&](const auto& entry) { return now_ns - entry.second >= window_ns; });
}

bool Observer::flush(std::chrono::milliseconds timeout) {
    std::unique_lock lock(mutex_);
    if (!thread_.joinable()) return false;
    const auto target = ++flush_requested_;
    wake_.notify_all();
    return flushed_.wait_for(lock, timeout, [&] { return flush_done_ >= target; });
}

std::vector<std::uint64_t> Observer::flag_totals() const {
    std::vector<std::uint64_t> totals(registry_.flags.size(), 0);
    const auto* first = records_.load(std::memory_order_acquire);
    if (!first) return totals;  // never observed: nothing was counted, and nothing is allocated
    auto add = [&](const Atomic<std::uint64_t>* counts) {
        for (std::size_t flag = 0; flag < totals.size(); ++flag) {
            const auto end = flag + 1 < totals.size() ? counter_offsets_[flag + 1] : counter_total_;
            for (auto i = counter_offsets_[flag]; i < end; ++i) totals[flag] += counts[i].load(std::memory_order_relaxed);
        }
    };
    add(shared_counts_.get());
    for (auto* r = first; r; r = r->next) add(r->counts.get());
    return totals;
}

void Observer::sample_usage_locked(std::chrono::system_clock::time_point now) {
    const auto totals = flag_totals();
    for (std::size_t flag = 0; flag < totals.size(); ++flag)
        if (totals[flag] != last_totals_[flag]) last_evaluated_[flag] = now;
    last_totals_ = totals;
}

std::vector<EvaluationCount> Observer::counts() const {
    const auto* first = records_.load(std::memory_order_acquire);
    if (!first) return {};  // never observed
    std::vector<std::uint64_t> sums(counter_total_, 0);
    for (std::size_t i = 0; i < counter_total_; ++i) sums[i] = shared_counts_[i].load(std::memory_order_relaxed);
    for (auto* r = first; r; r = r->next)
        for (std::size_t i = 0; i < counter_total_; ++i) sums[i] += r->counts[i].load(std::memory_order_relaxed);
    std::vector<EvaluationCount> out;
    for (std::size_t flag = 0; flag < registry_.flags.size(); ++flag) {
        const auto& info = registry_.flags[flag];
        for (ValueIndex value = 0; value < info.value_count(); ++value)
            for (std::size_t reason = 0; reason < reasons_counted; ++reason)
                if (const auto n = sums[counter_index(flag, value, static_cast<Reason>(reason))])
                    out.push_back({.flag = info.name, .value = info.value_name(value),
                                   .reason = static_cast<Reason>(reason), .count = n});
    }
    return out;
}

std::vector<FlagUsage> Observer::usage() {
    std::lock_guard usage(usage_mutex_);
    sample_usage_locked(std::chrono::system_clock::now());
    std::vector<FlagUsage> out;
    for (std::size_t flag = 0; flag < registry_.flags.size(); ++flag)
        out.push_back({.flag = registry_.flags[flag].name, .evaluations = last_totals_[flag],
                       .last_evaluated = last_evaluated_[flag]});
    return out;
}

ObservationStats Observer::stats() const {
    ObservationStats s{.exposures_delivered = delivered_.load(std::memory_order_relaxed),
                       .exposures_deduplicated = deduplicated_at_delivery_.load(std::memory_order_relaxed),
                       .exposures_dropped = dropped_without_record_.load(std::memory_order_relaxed),
                       .sink_failures = sink_failures_.load(std::memory_order_relaxed),
                       .dedup_overflow = dedup_overflow_.load(std::memory_order_relaxed)};
    for (auto* r = records_.load(std::memory_order_acquire); r; r = r->next) {
        s.exposures_deduplicated += r->filtered.load(std::memory_order_relaxed);
        s.exposures_dropped += r->dropped.load(std::memory_order_relaxed);
    }
    return s;
}

std::string Observer::write_usage_file(const std::filesystem::path& path) {
    std::string service;
    {
        std::lock_guard lock(mutex_);
        service = options_.service;
    }
    const auto flags = usage();
    std::chrono::system_clock::time_point since;
    {
        std::lock_guard usage(usage_mutex_);
        since = counting_since_;
    }
    return write_atomically(path, render_usage_file(service, since, flags, counts()));
}

}  // namespace flags::internal
