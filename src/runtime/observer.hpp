// A runtime's observation of its own reads: evaluation counters and exposure events.
//
// Read side (any thread, noexcept, no lock, no allocation): record() finds the calling thread's
// record through its hazard slot, adds one to a counter in it, and appends an exposure to its ring. A
// small table of recent (flag, variant, key) hashes on the record filters repeats within the window
// before they cost an append. Reads answered from a published word mostly count at their call site
// instead, in the same counters (call_site_counting.hpp).
//
// Observation thread: drains every ring, removes the repeats the per-thread filters could not see
// (another thread's, or a filter slot reused), delivers the rest to the sink, samples the counters
// to learn when each flag was last read, and writes the usage file.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <unordered_map>
#include <vector>

#include <flags/detail/atomic.hpp>
#include <flags/detail/call_site_counting.hpp>
#include <flags/detail/exposure_key.hpp>
#include <flags/observability.hpp>
#include <flags/registry_types.hpp>

#include "exposure_ring.hpp"
#include "hazard.hpp"

namespace flags::internal {

struct ObservationRecord;

class Observer {
public:
    using Log = std::function<void(const std::string& json_line)>;

    Observer(RegistryView registry, Log log);
    Observer(const Observer&) = delete;
    Observer& operator=(const Observer&) = delete;
    ~Observer();

    // Replaces the options; observing nothing stops the thread, after a last delivery.
    void configure(ObserveOptions options);

    bool active() const noexcept {
        return counting_.load(std::memory_order_relaxed) || exposing_.load(std::memory_order_relaxed);
    }

    // Acquire: a reader sent to count finds the shared counters that configure() allocated first.
    bool counting() const noexcept { return counting_.load(std::memory_order_acquire); }
    // Whether a read of `flag` is an exposure to record.
    bool tracks(std::size_t flag) const noexcept { return exposing_.load(std::memory_order_acquire) && tracked_[flag]; }

    // One read of `flag`: the value served and why.
    void count(std::size_t flag, ValueIndex value, Reason reason) noexcept;
    // The calling thread's counters, for a call site to add to (call_site_counting.hpp), or nullptr
    // while it has none of its own.
    Atomic<std::uint64_t>* counters_of_this_thread() noexcept;
    // The same read as an exposure: also from which generation, and the key the flag buckets by, with
    // its exposure_key_hash for the flag when the caller has it (0: hashed here).
    void expose(std::size_t flag, ValueIndex value, Reason reason, std::uint64_t generation, std::string_view key,
                std::uint64_t key_hash = 0) noexcept {
        if (key.empty()) return;  // nobody to attribute it to; such a read is an ERROR anyway
        ObservationRecord* mine = record_of_this_thread();
        if (!mine) return drop_without_record();
        const auto hash = exposure_filter_hash(key_hash != 0 ? key_hash : hash_key(flag, key), value);
        if (!recently_exposed(*mine, hash)) expose_anew(*mine, flag, value, reason, generation, key, hash);
    }

    // Both, as they apply. The key is asked of `key_of()` only for an exposure: finding it may mean a
    // look through the context's attributes, which a read that is only counted does not need.
    template <class KeyOf>
    void record(std::size_t flag, ValueIndex value, Reason reason, std::uint64_t generation, KeyOf&& key_of) noexcept {
        if (counting()) count(flag, value, reason);
        if (tracks(flag)) expose(flag, value, reason, generation, key_of());
    }

    // A published generation and the content hash of its files, so that its exposures carry the
    // hash without the read path looking at the snapshot.
    void note_generation(std::uint64_t generation, std::uint64_t content_hash);

    // Delivers everything buffered so far and waits for that, up to `timeout`. False on timeout, or
    // when nothing is being observed.
    bool flush(std::chrono::milliseconds timeout);

    std::vector<EvaluationCount> counts() const;
    std::vector<FlagUsage> usage();
    ObservationStats stats() const;
    // Writes the usage file atomically. An empty string, or what went wrong.
    std::string write_usage_file(const std::filesystem::path& path);

private:
    ObservationRecord* record_of_this_thread() noexcept {
        HazardSlot* slot = this_thread_slot();
        if (slot && slot->observer_id == id_) [[likely]]
            return static_cast<ObservationRecord*>(slot->observer_record);
        return find_record(slot);
    }
    ObservationRecord* find_record(HazardSlot* slot) noexcept;
    // The parts of expose(). A repeat, which is nearly every exposure a read makes, takes the first
    // alone, and its path is short without the others' registers: they are out of line.
    // Whether this thread exposed the same (flag, value, key), by its exposure_filter_hash, within the
    // window: then counted as filtered.
    bool recently_exposed(ObservationRecord& mine, std::uint64_t hash) noexcept;
    [[gnu::noinline]] void expose_anew(ObservationRecord& mine, std::size_t flag, ValueIndex value, Reason reason,
                                       std::uint64_t generation, std::string_view key, std::uint64_t hash) noexcept;
    [[gnu::noinline]] void drop_without_record() noexcept;
    [[gnu::noinline]] std::uint64_t hash_key(std::size_t flag, std::string_view key) const noexcept;
    void add_records(std::size_t count);
    std::size_t counter_index(std::size_t flag, ValueIndex value, Reason reason) const noexcept {
        return counter_offsets_[flag] + counter_in_flag(value, reason);
    }
    void run();
    void deliver_pending(const ExposureSink& sink, std::int64_t window_ns, std::size_t max_remembered);
    void forget_expired(std::int64_t now_ns, std::int64_t window_ns);
    void sample_usage_locked(std::chrono::system_clock::time_point now);
    std::vector<std::uint64_t> flag_totals() const;
    void stop_thread();

    RegistryView registry_;
    Log log_;
    const std::uint64_t id_;
    std::vector<std::size_t> counter_offsets_;  // each flag's first counter
    std::size_t counter_total_ = 0;
    std::vector<std::uint8_t> tracked_;
    std::vector<std::uint64_t> name_salt_states_;  // each flag's, for exposure_key_hash

    std::atomic<bool> counting_{false};
    std::atomic<bool> exposing_{false};
    std::atomic<std::int64_t> window_ns_{0};
    // While the observation thread sleeps, the latest the coarse clock can read before it wakes: its
    // reading as it went to sleep, plus delivery_interval, plus filter_clock_lateness_ns; 0 while it
    // is awake (run). A filter that finds a repeat within the window by this bound needs no clock.
    std::atomic<std::int64_t> latest_clock_ns_{0};
    // How late the observation thread may wake, past delivery_interval, with latest_clock_ns_ still
    // a bound: a thread kept off its core longer, on an overloaded machine, could let a filter hold
    // back a repeat up to that much past the window.
    static constexpr std::int64_t filter_clock_lateness_ns = 1'000'000'000;

    // Records only grow, and live as long as the observer: a reader may hold one at any time.
    std::atomic<ObservationRecord*> records_{nullptr};
    std::atomic<bool> want_records_{false};
    // For a thread that got no record. Allocated with the first records, and read only after them.
    std::unique_ptr<Atomic<std::uint64_t>[]> shared_counts_;
    std::atomic<std::uint64_t> dropped_without_record_{0};

    // Counted by the observation thread.
    std::atomic<std::uint64_t> delivered_{0}, deduplicated_at_delivery_{0}, sink_failures_{0}, dedup_overflow_{0};

    std::mutex configuring_;  // held through configure(), which stops and starts the thread
    std::mutex mutex_;        // options and the thread's lifecycle
    ObserveOptions options_;
    std::condition_variable wake_;
    bool stopping_ = false;
    std::uint64_t flush_requested_ = 0, flush_done_ = 0;
    std::condition_variable flushed_;
    std::thread thread_;

    // Recent generations' content hashes, by generation modulo their number. An exposure buffered
    // across more publishes than that is delivered with a hash of 0 (not known).
    struct GenerationHash {
        std::uint64_t generation = 0, content_hash = 0;
    };
    static constexpr std::size_t remembered_generations = 1024;
    std::uint64_t content_hash_of(std::uint64_t generation);
    std::mutex hashes_mutex_;
    std::vector<GenerationHash> hashes_ = std::vector<GenerationHash>(remembered_generations);

    // The observation thread's alone.
    std::unordered_map<std::string, std::int64_t> remembered_;  // (flag, variant, key) -> when delivered
    std::int64_t last_forget_ns_ = 0;

    std::mutex usage_mutex_;  // guards the three below
    std::vector<std::uint64_t> last_totals_;
    std::vector<std::optional<std::chrono::system_clock::time_point>> last_evaluated_;
    std::chrono::system_clock::time_point counting_since_{};
};

}  // namespace flags::internal
