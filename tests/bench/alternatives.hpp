// What a user would write instead of flagstone, measured in the same process so that every figure
// is also a ratio.
//
// NaiveFlags is the client of a hundred blog posts: a std::mutex around a std::unordered_map keyed
// by std::string, entries refreshed when older than a TTL checked against steady_clock, rollouts by
// MD5("flag:user") % 100. It is deliberately not strawman code: no I/O on the read path, no
// exceptions, the usual containers used the usual way.
//
// SharedPtrFlags is the "lock-free" improvement people reach for next: an immutable snapshot behind
// std::atomic<std::shared_ptr<const Snapshot>>, loaded on every check. It buckets exactly as
// flagstone does, so the two differ only in how a check reaches the snapshot. (In libstdc++ 12 that
// load takes a lock bit in the control word and bumps the use count: two writes to a shared cache
// line per check.)
#pragma once

#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include <flags/context.hpp>

namespace bench {

struct NaiveUser {
    std::string id;
    std::string tenant;
    std::unordered_map<std::string, std::string> attributes;
};

class NaiveFlags {
public:
    struct Condition {
        enum class Kind { one_of, version_at_least, ends_with } kind = Kind::one_of;
        std::string attribute{};
        std::unordered_set<std::string> values{};  // one_of
        std::string operand{};                     // version_at_least, ends_with
    };
    struct Rule {
        std::vector<Condition> when{};
        bool value = false;
        int rollout = -1;  // percent, or -1 for `value`
    };
    struct Flag {
        bool value = false;
        int rollout = -1;                                 // percent of users, or -1
        std::vector<std::pair<std::string, int>> split{};  // variant and weight in percent, or empty
        std::vector<Rule> rules{};
    };

    // What the remote configuration says; checks read the cache, refreshed from here after the TTL.
    void put(const std::string& name, Flag flag);

    bool is_enabled(const std::string& name, const NaiveUser& user);
    std::string get_variant(const std::string& name, const NaiveUser& user);

    // MD5 of "flag:key", first four bytes little-endian, modulo 100.
    static int bucket_percent(const std::string& flag, const std::string& key);

private:
    struct Cached {
        Flag flag;
        std::chrono::steady_clock::time_point fetched_at;
    };
    const Flag* lookup_locked(const std::string& name);
    static bool matches(const Condition& c, const NaiveUser& user);

    std::mutex mutex_;
    std::unordered_map<std::string, Cached> cache_;
    std::unordered_map<std::string, Flag> remote_;
    std::chrono::seconds ttl_{30};
};

class SharedPtrFlags {
public:
    struct Entry {
        bool value = false;
        bool has_rollout = false;
        std::uint16_t rollout_buckets = 0;  // of flags::bucket_count
        std::uint64_t salt_state = 0;
    };
    struct Snapshot {
        std::vector<Entry> flags;
    };

    void publish(std::shared_ptr<const Snapshot> snapshot) { current_.store(std::move(snapshot)); }
    bool enabled(std::size_t flag, const flags::Context& ctx) const noexcept;

private:
    std::atomic<std::shared_ptr<const Snapshot>> current_;
};

}  // namespace bench
