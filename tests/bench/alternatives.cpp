#include "alternatives.hpp"

#include <flags/bucketing.hpp>

#include "md5.hpp"

namespace bench {

void NaiveFlags::put(const std::string& name, Flag flag) {
    std::lock_guard lock(mutex_);
    remote_[name] = std::move(flag);
    cache_.erase(name);
}

// The TTL check of every cached client: a clock read per check, and a refetch when stale.
const NaiveFlags::Flag* NaiveFlags::lookup_locked(const std::string& name) {
    const auto now = std::chrono::steady_clock::now();
    auto it = cache_.find(name);
    if (it == cache_.end() || now - it->second.fetched_at > ttl_) {
        const auto remote = remote_.find(name);
        if (remote == remote_.end()) return nullptr;
        it = cache_.insert_or_assign(name, Cached{remote->second, now}).first;
    }
    return &it->second.flag;
}

int NaiveFlags::bucket_percent(const std::string& flag, const std::string& key) {
    const auto digest = md5(flag + ":" + key);
    const std::uint32_t head = std::uint32_t{digest[0]} | std::uint32_t{digest[1]} << 8 |
                               std::uint32_t{digest[2]} << 16 | std::uint32_t{digest[3]} << 24;
    return static_cast<int>(head % 100);
}

namespace {

// "2.4.1" -> {2, 4, 1}, the way such code parses a version.
std::vector<int> parse_version(const std::string& text) {
    std::vector<int> parts;
    std::size_t start = 0;
    while (start <= text.size()) {
        const auto dot = text.find('.', start);
        const auto piece = text.substr(start, dot == std::string::npos ? std::string::npos : dot - start);
        try {
            parts.push_back(std::stoi(piece));
        } catch (...) {
            return {};
        }
        if (dot == std::string::npos) break;
        start = dot + 1;
    }
    return parts;
}

const std::string* attribute_of(const NaiveUser& user, const std::string& name) {
    if (name == "user") return &user.id;
    if (name == "tenant") return &user.tenant;
    const auto it = user.attributes.find(name);
    return it == user.attributes.end() ? nullptr : &it->second;
}

}  // namespace

bool NaiveFlags::matches(const Condition& c, const NaiveUser& user) {
    const std::string* value = attribute_of(user, c.attribute);
    if (!value) return false;
    switch (c.kind) {
    case Condition::Kind::one_of: return c.values.count(*value) > 0;
    case Condition::Kind::version_at_least: {
        const auto have = parse_version(*value);
        const auto want = parse_version(c.operand);
        return !have.empty() && have >= want;
    }
    case Condition::Kind::ends_with:
        return value->size() >= c.operand.size() &&
               value->compare(value->size() - c.operand.size(), c.operand.size(), c.operand) == 0;
    }
    return false;
}

bool NaiveFlags::is_enabled(const std::string& name, const NaiveUser& user) {
    std::lock_guard lock(mutex_);
    const Flag* flag = lookup_locked(name);
    if (!flag) return false;
    for (const auto& rule : flag->rules) {
        bool all = true;
        for (const auto& c : rule.when) all = all && matches(c, user);
        if (!all) continue;
        if (rule.rollout < 0) return rule.value;
        return bucket_percent(name, user.id) < rule.rollout;
    }
    if (flag->rollout >= 0) return bucket_percent(name, user.id) < flag->rollout;
    return flag->value;
}

std::string NaiveFlags::get_variant(const std::string& name, const NaiveUser& user) {
    std::lock_guard lock(mutex_);
    const Flag* flag = lookup_locked(name);
    if (!flag || flag->split.empty()) return {};
    const int bucket = bucket_percent(name, user.id);
    int upper = 0;
    for (const auto& [variant, weight] : flag->split) {
        upper += weight;
        if (bucket < upper) return variant;
    }
    return flag->split.back().first;
}

bool SharedPtrFlags::enabled(std::size_t flag, const flags::Context& ctx) const noexcept {
    const std::shared_ptr<const Snapshot> snapshot = current_.load(std::memory_order_acquire);
    const Entry& entry = snapshot->flags[flag];
    if (!entry.has_rollout) return entry.value;
    if (ctx.user.empty()) return false;
    return flags::bucketing::bucket_from_salt_state(entry.salt_state, ctx.user) < entry.rollout_buckets;
}

}  // namespace bench
