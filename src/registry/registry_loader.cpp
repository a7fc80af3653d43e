#include "registry_loader.hpp"

#include <algorithm>
#include <array>
#include <charconv>
#include <deque>
#include <map>
#include <set>

#include <fmt/format.h>

#include "../runtime/text_budget.hpp"
#include "../toml_input.hpp"
#include "lifecycle_text.hpp"
#include "macro_names.hpp"
#include "names.hpp"

namespace flags::registry {

using internal::in_quotes;
using internal::Reporter;

struct LoadedRegistry::Storage {
    std::deque<std::string> strings;  // a deque never moves its elements, so views into them stay valid
    std::deque<std::vector<std::string_view>> variant_lists;
    std::vector<FlagInfo> flags;
    std::vector<FlagSource> sources;
    std::vector<std::string> files;
    std::string source_description;
    Policy policy;

    std::string_view keep(std::string text) { return strings.emplace_back(std::move(text)); }
};

LoadedRegistry::LoadedRegistry() : storage_(std::make_unique<Storage>()) {}
LoadedRegistry::LoadedRegistry(LoadedRegistry&&) noexcept = default;
LoadedRegistry& LoadedRegistry::operator=(LoadedRegistry&&) noexcept = default;
LoadedRegistry::~LoadedRegistry() = default;

RegistryView LoadedRegistry::view() const noexcept {
    return RegistryView{.flags = storage_->flags, .source = storage_->source_description};
}
const FlagSource& LoadedRegistry::source_of(std::size_t flag) const noexcept { return storage_->sources[flag]; }
const Policy& LoadedRegistry::policy() const noexcept { return storage_->policy; }
const std::vector<std::string>& LoadedRegistry::files() const noexcept { return storage_->files; }

std::optional<Date> parse_iso_date(std::string_view text) noexcept {
    if (text.size() != 10 || text[4] != '-' || text[7] != '-') return std::nullopt;
    int y = 0, m = 0, d = 0;
    auto number = [&](std::size_t at, std::size_t len, int& out) {
        auto [ptr, ec] = std::from_chars(text.data() + at, text.data() + at + len, out);
        return ec == std::errc{} && ptr == text.data() + at + len;
    };
    if (!number(0, 4, y) || !number(5, 2, m) || !number(8, 2, d)) return std::nullopt;
    const std::chrono::year_month_day ymd{std::chrono::year{y}, std::chrono::month{static_cast<unsigned>(m)},
                                          std::chrono::day{static_cast<unsigned>(d)}};
    if (!ymd.ok()) return std::nullopt;
    return Date{ymd};
}

std::string format_date(Date date) {
    const std::chrono::year_month_day ymd{date};
    return fmt::format("{:04}-{:02}-{:02}", static_cast<int>(ymd.year()), static_cast<unsigned>(ymd.month()),
                       static_cast<unsigned>(ymd.day()));
}

// Builds a LoadedRegistry from parsed files, reporting every problem it finds before giving up.
class RegistryBuilder {
public:
    explicit RegistryBuilder(std::vector<Diagnostic>& diagnostics) : report_(diagnostics) {}

    void add_file(const toml::table& root, const std::string& display);
    std::optional<LoadedRegistry> finish(const std::string& input_display);

private:
    struct Pending {
        FlagInfo info;
        FlagSource source;
        std::string variant_type;  // C++ enum name of a multivariate flag
    };

    // A key of a flag's table: whether a flag must have it, its reader (called when the table has
    // it) and the hint when a flag lacks it.
    struct FlagKey {
        enum class Need { always, when_retiring, never };
        std::string_view name;
        Need need;
        void (RegistryBuilder::*read)(Pending& flag, const toml::node& node, const toml::table& table);
        std::string_view hint;  // empty: made by missing_hint from the flag
    };
    static const std::array<FlagKey, 9> flag_keys;
    static std::set<std::string_view> flag_key_names();

    void read_policy(const toml::table& policy);
    bool declare(const std::string& name, const toml::source_region& where);
    void read_flag(const std::string& name, const toml::table& table, const toml::key& key, const std::string& file);
    static std::string missing_hint(const FlagKey& spec, const Pending& flag, const toml::table& table);
    void read_description(Pending& flag, const toml::node& node, const toml::table& table);
    void read_owner(Pending& flag, const toml::node& node, const toml::table& table);
    void read_ticket(Pending& flag, const toml::node& node, const toml::table& table);
    void read_track(Pending& flag, const toml::node& node, const toml::table& table);
    void read_created(Pending& flag, const toml::node& node, const toml::table& table);
    void read_retire_by(Pending& flag, const toml::node& node, const toml::table& table);
    void read_review_by(Pending& flag, const toml::node& node, const toml::table& table);
    void read_variants(Pending& flag, const toml::node& node, const toml::table& table);
    void read_variant_names(const toml::array& array, std::string_view name, std::vector<std::string_view>& list);
    void read_default(Pending& flag, const toml::node& node, const toml::table& table);
    std::optional<Date> read_date(const toml::node& node, std::string_view key, std::string_view flag);
    std::optional<std::string> read_string(const toml::node& node, std::string_view key, std::string_view flag);
    void check_count();
    void check_identifiers();
    void check_spans();

    Reporter report_;
    LoadedRegistry registry_;
    std::vector<Pending> pending_;
    std::map<std::string, toml::source_region> declared_;  // flag name -> first declaration
    bool policy_seen_ = false;
};

namespace {

const std::set<std::string_view> top_level_keys = {"policy", "flags"};
const std::set<std::string_view> policy_keys = {"warn_days", "max_days"};

// Policy spans are days within a century: any more is a typo, and would overflow the dates it is added to.
constexpr int max_policy_days = 36'500;
constexpr int max_warn_days = 3'650;

// The integer in `node` when it lies in [low, high], compared as the 64-bit value the file holds.
std::optional<int> days_in_range(const toml::node& node, int low, int high) {
    const auto* integer = node.as_integer();
    if (!integer || integer->get() < low || integer->get() > high) return std::nullopt;
    return static_cast<int>(integer->get());
}

// A value for a message: an integer as written, anything else by its kind.
std::string describe_value(const toml::node& node) {
    if (const auto* integer = node.as_integer()) return std::to_string(integer->get());
    return std::string(internal::describe_type(node));
}

std::string known_keys(const std::set<std::string_view>& keys) {
    std::string out;
    for (auto k : keys) out += (out.empty() ? "" : ", ") + std::string(k);
    return out;
}

}  // namespace

void RegistryBuilder::add_file(const toml::table& root, const std::string& display) {
    registry_.storage_->files.push_back(display);
    for (auto&& [key, node] : root) {
        if (!top_level_keys.contains(key.str())) {
            report_.error(key.source(), fmt::format("unknown key {} at the top level", in_quotes(key.str())),
                          "a registry holds only [policy] and [flags.\"<type>.<name>\"] tables");
        }
    }
    if (const auto* policy = root.get("policy")) {
        if (policy_seen_) {
            report_.error(policy->source(), "[policy] is declared in more than one registry file",
                          "keep a single [policy] table");
        } else if (const auto* table = policy->as_table()) {
            policy_seen_ = true;
            read_policy(*table);
        } else {
            report_.error(policy->source(), "'policy' must be a table", "write it as a [policy] section");
        }
    }
    if (const auto* flags_node = root.get("flags")) {
        const auto* flags_table = flags_node->as_table();
        if (!flags_table) {
            report_.error(flags_node->source(), "'flags' must be a table of flags",
                          "declare each flag as [flags.\"<type>.<name>\"]");
            return;
        }
        for (auto&& [key, node] : *flags_table) {
            const std::string name(key.str());
            const auto* table = node.as_table();
            if (!table) {
                report_.error(key.source(), fmt::format("flag {} must be a table", in_quotes(name)),
                              fmt::format("declare it as [flags.\"{}\"] with its keys below", name));
                continue;
            }
            read_flag(name, *table, key, display);
        }
    }
}

void RegistryBuilder::read_policy(const toml::table& policy) {
    auto& p = registry_.storage_->policy;
    for (auto&& [key, node] : policy) {
        if (!policy_keys.contains(key.str()))
            report_.error(key.source(), fmt::format("unknown key {} in [policy]", in_quotes(key.str())),
                          "known keys: " + known_keys(policy_keys));
    }
    if (const auto* node = policy.get("warn_days")) {
        if (const auto days = days_in_range(*node, 0, max_warn_days))
            p.warn_days = *days;
        else
            report_.error(node->source(), fmt::format("'warn_days' must be a whole number of days from 0 to {}, not {}",
                                                      max_warn_days, describe_value(*node)));
    }
    if (const auto* node = policy.get("max_days")) {
        const auto* table = node->as_table();
        if (!table) {
            report_.error(node->source(), "'max_days' must be a table",
                          "write it as max_days = { release = 90, experiment = 180 }");
            return;
        }
        for (auto&& [key, value] : *table) {
            const auto days = days_in_range(value, 1, max_policy_days);
            const bool known = key.str() == "release" || key.str() == "experiment";
            if (!known) {
                report_.error(key.source(), fmt::format("unknown key {} in 'max_days'", in_quotes(key.str())),
                              "only release and experiment flags retire: known keys: release, experiment");
            } else if (!days) {
                report_.error(value.source(), fmt::format("'max_days.{}' must be a whole number of days from 1 to {}, "
                                                          "not {}",
                                                          key.str(), max_policy_days, describe_value(value)),
                              "write it as max_days = { release = 90, experiment = 180 }");
            } else {
                (key.str() == "release" ? p.max_days_release : p.max_days_experiment) = *days;
            }
        }
    }
}

std::optional<std::string> RegistryBuilder::read_string(const toml::node& node, std::string_view key,
                                                        std::string_view flag) {
    if (!node.is_string()) {
        report_.error(node.source(),
                      fmt::format("{} of flag {} must be a string, not {}", in_quotes(key), in_quotes(flag),
                                  internal::describe_type(node)),
                      fmt::format("write it in quotes: {} = \"...\"", key));
        return std::nullopt;
    }
    const std::string& text = node.as_string()->get();
    if (text.empty()) {
        report_.error(node.source(), fmt::format("{} of flag {} is empty", in_quotes(key), in_quotes(flag)));
        return std::nullopt;
    }
    return text;
}

std::optional<Date> RegistryBuilder::read_date(const toml::node& node, std::string_view key, std::string_view flag) {
    if (const auto* date = node.as_date()) {
        const auto& d = date->get();
        const std::chrono::year_month_day ymd{std::chrono::year{d.year}, std::chrono::month{d.month},
                                              std::chrono::day{d.day}};
        if (ymd.ok()) return Date{ymd};
    }
    report_.error(node.source(), fmt::format("{} of flag {} must be a date", in_quotes(key), in_quotes(flag)),
                  fmt::format("write a bare TOML date without quotes: {} = 2027-01-31", key));
    return std::nullopt;
}

namespace {

std::string retire_by_hint(FlagType type) {
    return fmt::format("{} flags are temporary: add retire_by = YYYY-MM-DD, the day the flag must be gone from code "
                       "and registry",
                       to_string(type));
}

std::string default_hint(bool boolean) {
    return boolean ? "add default = false (or true): the value served when the runtime file is silent"
                   : "add default = \"<variant>\": the variant served when the runtime file is silent";
}

}  // namespace

// In the order they are read: the default is read after the variants it must be one of.
const std::array<RegistryBuilder::FlagKey, 9> RegistryBuilder::flag_keys{{
    {"description", FlagKey::Need::always, &RegistryBuilder::read_description,
     "add description = \"what the flag switches\""},
    {"owner", FlagKey::Need::always, &RegistryBuilder::read_owner,
     "add owner = \"<team>\": the team that removes the flag"},
    {"ticket", FlagKey::Need::never, &RegistryBuilder::read_ticket, {}},
    {"track", FlagKey::Need::never, &RegistryBuilder::read_track, {}},
    {"created", FlagKey::Need::always, &RegistryBuilder::read_created,
     "add created = YYYY-MM-DD, the day the flag was introduced"},
    {"retire_by", FlagKey::Need::when_retiring, &RegistryBuilder::read_retire_by, {}},
    {"review_by", FlagKey::Need::never, &RegistryBuilder::read_review_by, {}},
    {"variants", FlagKey::Need::never, &RegistryBuilder::read_variants, {}},
    {"default", FlagKey::Need::always, &RegistryBuilder::read_default, {}},
}};

// A name not declared before and of the registry's grammar; false after saying why not.
bool RegistryBuilder::declare(const std::string& name, const toml::source_region& where) {
    if (auto [first, inserted] = declared_.emplace(name, where); !inserted) {
        report_.error(where,
                      fmt::format("flag {} is declared twice; first at {}:{}", in_quotes(name),
                                  first->second.path ? *first->second.path : std::string{}, first->second.begin.line),
                      "keep one declaration and remove the other");
        return false;
    }
    if (auto problem = flag_name_problem(name); !problem.empty()) {
        report_.error(where, fmt::format("flag name {} {}", in_quotes(name), problem),
                      "name flags <type>.<kebab-name> with type release, experiment, ops or permission, "
                      "e.g. release.new-checkout");
        return false;
    }
    return true;
}

void RegistryBuilder::read_flag(const std::string& name, const toml::table& table, const toml::key& key,
                                const std::string& file) {
    auto& storage = *registry_.storage_;
    const auto& where = table.source().begin.line > 0 ? table.source() : key.source();
    if (!declare(name, where)) return;

    Pending flag;
    flag.info.type = *parse_flag_type(name.substr(0, name.find('.')));
    flag.info.name = storage.keep(name);
    flag.info.identifier = storage.keep(flag_identifier(name));
    flag.source = FlagSource{.file = file,
                             .line = static_cast<int>(where.begin.line),
                             .column = static_cast<int>(where.begin.column),
                             .date_line = static_cast<int>(where.begin.line),
                             .date_column = static_cast<int>(where.begin.column)};
    // Exposures are what experiment analysis joins on, so experiments report them unless told not to;
    // other flags opt in.
    flag.info.track = flag.info.type == FlagType::experiment;

    std::array<const toml::node*, flag_keys.size()> found{};
    for (auto&& [k, node] : table) {
        const auto known = std::ranges::find(flag_keys, k.str(), &FlagKey::name);
        if (known != flag_keys.end()) found[static_cast<std::size_t>(known - flag_keys.begin())] = &node;
        else
            report_.error(k.source(), fmt::format("unknown key {} in flag {}", in_quotes(k.str()), in_quotes(name)),
                          "known keys: " + known_keys(flag_key_names()));
    }
    for (std::size_t i = 0; i < flag_keys.size(); ++i) {
        const auto& spec = flag_keys[i];
        if (found[i]) (this->*spec.read)(flag, *found[i], table);
        else if (spec.need == FlagKey::Need::always || (spec.need == FlagKey::Need::when_retiring &&
                                                         must_retire(flag.info.type)))
            report_.error(where, fmt::format("flag {} has no {}", in_quotes(name), in_quotes(spec.name)),
                          missing_hint(spec, flag, table));
    }
    pending_.push_back(std::move(flag));
}

std::string RegistryBuilder::missing_hint(const FlagKey& spec, const Pending& flag, const toml::table& table) {
    if (spec.name == "retire_by") return retire_by_hint(flag.info.type);
    if (spec.name == "default") return default_hint(flag.info.is_boolean() && !table.contains("variants"));
    return std::string(spec.hint);
}

void RegistryBuilder::read_description(Pending& flag, const toml::node& node, const toml::table&) {
    if (auto v = read_string(node, "description", flag.info.name)) flag.info.description = registry_.storage_->keep(*v);
}

void RegistryBuilder::read_owner(Pending& flag, const toml::node& node, const toml::table&) {
    if (auto v = read_string(node, "owner", flag.info.name)) flag.info.owner = registry_.storage_->keep(*v);
}

void RegistryBuilder::read_ticket(Pending& flag, const toml::node& node, const toml::table&) {
    if (auto v = read_string(node, "ticket", flag.info.name)) flag.info.ticket = registry_.storage_->keep(*v);
}

void RegistryBuilder::read_track(Pending& flag, const toml::node& node, const toml::table&) {
    if (const auto* b = node.as_boolean())
        flag.info.track = b->get();
    else
        report_.error(node.source(), fmt::format("'track' of flag {} must be true or false", in_quotes(flag.info.name)),
                      "track = true reports exposures of the flag to the exposure sink");
}

void RegistryBuilder::read_created(Pending& flag, const toml::node& node, const toml::table&) {
    if (const auto created = read_date(node, "created", flag.info.name)) flag.info.created = *created;
}

// Messages about the flag's lifecycle point at its retire_by or review_by, the date they are about.
void RegistryBuilder::read_retire_by(Pending& flag, const toml::node& node, const toml::table&) {
    if (!must_retire(flag.info.type)) {
        report_.error(node.source(),
                      fmt::format("{} flag {} does not retire; 'retire_by' is for release and experiment flags",
                                  to_string(flag.info.type), in_quotes(flag.info.name)),
                      "use review_by = YYYY-MM-DD to be reminded to review it");
        return;
    }
    flag.info.retire_by = read_date(node, "retire_by", flag.info.name);
    flag.source.date_line = static_cast<int>(node.source().begin.line);
    flag.source.date_column = static_cast<int>(node.source().begin.column);
}

void RegistryBuilder::read_review_by(Pending& flag, const toml::node& node, const toml::table&) {
    if (must_retire(flag.info.type)) {
        report_.error(node.source(),
                      fmt::format("{} flag {} takes retire_by, not review_by", to_string(flag.info.type),
                                  in_quotes(flag.info.name)),
                      "rename review_by to retire_by");
        return;
    }
    flag.info.review_by = read_date(node, "review_by", flag.info.name);
    flag.source.date_line = static_cast<int>(node.source().begin.line);
    flag.source.date_column = static_cast<int>(node.source().begin.column);
}

void RegistryBuilder::read_variants(Pending& flag, const toml::node& node, const toml::table&) {
    const auto* array = node.as_array();
    auto& list = registry_.storage_->variant_lists.emplace_back();
    const auto name = flag.info.name;
    if (!array || array->size() < 2) {
        report_.error(node.source(), fmt::format("'variants' of flag {} must be an array of at least two names",
                                                 in_quotes(name)),
                      "write variants = [\"control\", \"treatment\"]");
    } else if (array->size() > max_variants) {
        report_.error(node.source(),
                      fmt::format("flag {} has {} variants; its generated enum holds at most {}", in_quotes(name),
                                  array->size(), max_variants),
                      "an experiment compares a few variants: keep the ones in use");
    } else {
        read_variant_names(*array, name, list);
    }
    flag.info.variants = list;
    flag.variant_type = variant_type_name(name);
}

void RegistryBuilder::read_variant_names(const toml::array& array, std::string_view name,
                                         std::vector<std::string_view>& list) {
    std::set<std::string> seen;
    for (const auto& element : array) {
        const auto* s = element.as_string();
        if (!s) {
            report_.error(element.source(), fmt::format("variant of flag {} must be a string", in_quotes(name)));
            continue;
        }
        if (auto problem = variant_name_problem(s->get()); !problem.empty()) {
            report_.error(element.source(),
                          fmt::format("variant {} of flag {} {}", in_quotes(s->get()), in_quotes(name), problem),
                          "variants become C++ enumerators: name them like blue or new-layout");
            continue;
        }
        if (!seen.insert(variant_identifier(s->get())).second) {
            report_.error(element.source(),
                          fmt::format("variant {} of flag {} is listed twice", in_quotes(s->get()), in_quotes(name)),
                          "list each variant once");
            continue;
        }
        list.push_back(registry_.storage_->keep(s->get()));
    }
}

// A boolean for a flag without variants; one of its variants for a flag with some. Variants that
// were all refused leave nothing to check the default against.
void RegistryBuilder::read_default(Pending& flag, const toml::node& node, const toml::table& table) {
    const auto name = flag.info.name;
    if (!table.contains("variants")) {
        if (const auto* b = node.as_boolean())
            flag.info.default_value = b->get() ? 1 : 0;
        else
            report_.error(node.source(),
                          fmt::format("default of boolean flag {} must be true or false, not {}", in_quotes(name),
                                      internal::describe_type(node)),
                          "write default = false or default = true without quotes, or declare variants = [...] for a "
                          "multivariate flag");
        return;
    }
    if (flag.info.variants.empty()) return;
    const auto* s = node.as_string();
    const auto& variants = flag.info.variants;
    const auto found = s ? std::find(variants.begin(), variants.end(), s->get()) : variants.end();
    if (found != variants.end()) {
        flag.info.default_value = static_cast<ValueIndex>(found - variants.begin());
        return;
    }
    std::string list;
    for (auto v : variants) list += (list.empty() ? "" : ", ") + std::string(v);
    report_.error(node.source(),
                  s ? fmt::format("default {} of flag {} is not one of its variants", in_quotes(s->get()), in_quotes(name))
                    : fmt::format("default of flag {} must be a variant name, not {}", in_quotes(name),
                                  internal::describe_type(node)),
                  "choose one of: " + list);
}

std::set<std::string_view> RegistryBuilder::flag_key_names() {
    std::set<std::string_view> names;
    for (const auto& key : flag_keys) names.insert(key.name);
    return names;
}

// Names that are distinct in TOML can still collide in C++: two multivariate flags whose enum types
// share a name, or an enum type named like a macro. The enums have flags::variants to themselves, so
// no name of the library can collide with them.
void RegistryBuilder::check_identifiers() {
    std::map<std::string, const Pending*> enum_types;
    for (const auto& flag : pending_) {
        if (flag.variant_type.empty()) continue;
        const toml::source_region where{.begin = {static_cast<uint32_t>(flag.source.line),
                                                  static_cast<uint32_t>(flag.source.column)},
                                        .end = {},
                                        .path = std::make_shared<const std::string>(flag.source.file)};
        const char first = flag.variant_type.front();
        const auto problem = first >= '0' && first <= '9' ? std::string("is not a C++ name")
                                                          : macro_problem(flag.variant_type);
        if (!problem.empty()) {
            report_.error(where,
                          fmt::format("flag {} would generate the variant type flags::variants::{}, which {}",
                                      in_quotes(flag.info.name), flag.variant_type, problem),
                          "rename the flag: its name after the type becomes the type's name");
            continue;
        }
        auto [other, inserted] = enum_types.emplace(flag.variant_type, &flag);
        if (!inserted)
            report_.error(where,
                          fmt::format("flags {} and {} both map to the C++ type flags::variants::{}", in_quotes(other->second->info.name),
                                      in_quotes(flag.info.name), flag.variant_type),
                          "rename one of them: the part after the type must differ between multivariate flags");
    }
}

// Runs once every file is read: a [policy] in any file of a directory registry applies to all of them.
void RegistryBuilder::check_spans() {
    const auto& policy = registry_.storage_->policy;
    for (const auto& flag : pending_) {
        if (!flag.info.retire_by || flag.info.created == Date{}) continue;
        const auto span = (*flag.info.retire_by - flag.info.created).count();
        const auto max = flag.info.type == FlagType::release ? policy.max_days_release : policy.max_days_experiment;
        const toml::source_region where{.begin = {static_cast<uint32_t>(flag.source.date_line),
                                                  static_cast<uint32_t>(flag.source.date_column)},
                                        .end = {},
                                        .path = std::make_shared<const std::string>(flag.source.file)};
        if (span < 0) {
            report_.error(where,
                          fmt::format("flag {} retires ({}) before it was created ({})", in_quotes(flag.info.name),
                                      format_date(*flag.info.retire_by), format_date(flag.info.created)),
                          "retire_by must be on or after created");
        } else if (max && span > *max) {
            report_.error(where,
                          fmt::format("flag {} lives {} days from created to retire_by; policy allows {} for {} flags",
                                      in_quotes(flag.info.name), span, *max, to_string(flag.info.type)),
                          fmt::format("set retire_by to {} or earlier",
                                      format_date(flag.info.created + std::chrono::days{*max})));
        }
    }
}

// flags::Flag numbers the flags in 16 bits: one more and the header would not compile. Reported at
// the last flag declared, the one that went past the limit.
void RegistryBuilder::check_count() {
    if (pending_.size() <= max_flags) return;
    const auto& files = registry_.storage_->files;
    auto declared_at = [&files](const Pending& flag) {
        const auto file = std::find(files.begin(), files.end(), flag.source.file) - files.begin();
        return std::tuple(file, flag.source.line, flag.source.column);
    };
    const auto& last =
        std::max_element(pending_.begin(), pending_.end(),
                         [&](const Pending& a, const Pending& b) { return declared_at(a) < declared_at(b); })
            ->source;
    report_.error(toml::source_region{.begin = {static_cast<uint32_t>(last.line),
                                                static_cast<uint32_t>(last.column)},
                                      .end = {},
                                      .path = std::make_shared<const std::string>(last.file)},
                  fmt::format("the registry declares {} flags; flags::Flag holds at most {}", pending_.size(), max_flags),
                  "remove flags that have served their purpose (flagctl debt lists them), or give each project "
                  "a registry of its own");
}

std::optional<LoadedRegistry> RegistryBuilder::finish(const std::string& input_display) {
    check_count();
    check_identifiers();
    check_spans();
    auto& storage = *registry_.storage_;
    if (pending_.empty() && !report_.failed())
        report_.error_in_file(input_display, "the registry declares no flags",
                              "declare at least one flag as [flags.\"<type>.<name>\"]");
    if (report_.failed()) return std::nullopt;

    std::sort(pending_.begin(), pending_.end(),
              [](const Pending& a, const Pending& b) { return a.info.name < b.info.name; });
    for (auto& flag : pending_) {
        storage.flags.push_back(flag.info);
        storage.sources.push_back(std::move(flag.source));
    }
    storage.source_description = input_display;
    return std::move(registry_);
}

namespace {

void sort_by_position(std::vector<Diagnostic>& diagnostics) {
    std::stable_sort(diagnostics.begin(), diagnostics.end(), [](const Diagnostic& a, const Diagnostic& b) {
        return std::tie(a.file, a.line, a.column) < std::tie(b.file, b.line, b.column);
    });
}

std::string display_path(const std::filesystem::path& path, const LoadOptions& options) {
    if (options.display_root.empty()) return path.generic_string();
    std::error_code ec;
    const auto absolute = std::filesystem::weakly_canonical(path, ec);
    const auto root = std::filesystem::weakly_canonical(options.display_root, ec);
    const auto relative = absolute.lexically_relative(root);
    if (ec || relative.empty() || *relative.begin() == "..") return path.generic_string();
    if (relative == ".") return path.filename().empty() ? path.generic_string() : path.filename().generic_string();
    return relative.generic_string();
}

constexpr internal::BudgetWords registry_words{
    .files = "the registry files",
    .hint = "a registry of the most flags a header holds is far below this: check that the path names the registry"};

// The cheap limits, checked in the text before toml++ builds a tree of it. `total_bytes` and `values`
// carry what the files before this one in the same registry hold. A file past a limit stops the
// reading: what follows it would only add to what is already too much.
bool within_registry_budget(std::string_view text, const std::string& display, std::size_t& total_bytes,
                            std::size_t& values, Reporter& report) {
    total_bytes += text.size();
    if (total_bytes > registry_text_limits.max_total_bytes) {
        report.error_in_file(display,
                             fmt::format("with it the registry files hold {} bytes; the limit for all of them is {}",
                                         total_bytes, registry_text_limits.max_total_bytes),
                             "a registry of the most flags a header holds is far smaller: check that the "
                             "directory holds only registry files");
        return false;
    }
    return internal::text_within_limits(text, display, registry_text_limits, values, report, registry_words);
}

}  // namespace

LoadOutcome load_registry(const std::filesystem::path& input, const LoadOptions& options) {
    LoadOutcome outcome;
    Reporter report(outcome.diagnostics);
    RegistryBuilder builder(outcome.diagnostics);
    const std::string input_display = display_path(input, options);

    std::vector<std::filesystem::path> files;
    std::error_code ec;
    if (std::filesystem::is_directory(input, ec)) {
        for (const auto& entry : std::filesystem::directory_iterator(input, ec))
            if (entry.path().extension() == ".toml") files.push_back(entry.path());
        std::sort(files.begin(), files.end());
        if (files.empty())
            report.error_in_file(input_display, "the registry directory holds no *.toml files",
                                 "add a registry file such as registry.toml");
    } else {
        files.push_back(input);
    }

    const bool directory = files.size() != 1 || files.front() != input;
    std::size_t total_bytes = 0, values = 0;
    for (const auto& file : files) {
        const std::string display = display_path(file, options);
        auto text = internal::read_text_file(file, display, report, max_registry_file_bytes);
        if (!text) continue;
        if (!within_registry_budget(*text, display, total_bytes, values, report)) break;
        const auto root = internal::parse_toml(*text, display, report);
        text.reset();  // the tree holds all it needs: the text's megabytes would only add to the peak
        // A registry directory may also hold the runtime file (this repository's flags/ does): a
        // top-level `schema` marks a runtime file, which no registry file has.
        if (root && directory && root->contains("schema")) continue;
        if (root) builder.add_file(*root, display);
    }
    if (!report.failed()) outcome.registry = builder.finish(input_display);
    sort_by_position(outcome.diagnostics);
    return outcome;
}

LoadOutcome load_registry_text(std::string_view text, const std::string& display) {
    LoadOutcome outcome;
    Reporter report(outcome.diagnostics);
    RegistryBuilder builder(outcome.diagnostics);
    std::size_t total_bytes = 0, values = 0;
    if (within_registry_budget(text, display, total_bytes, values, report))
        if (const auto root = internal::parse_toml(text, display, report)) builder.add_file(*root, display);
    if (!report.failed()) outcome.registry = builder.finish(display);
    sort_by_position(outcome.diagnostics);
    return outcome;
}

Lifecycle lifecycle_of(const FlagInfo& flag, int warn_days, Date today) noexcept {
    if (flag.retire_by) {
        const auto left = (*flag.retire_by - today).count();
        if (left < 0) return {Lifecycle::Kind::expired, -left};
        if (left <= warn_days) return {Lifecycle::Kind::retiring, left};
    }
    if (flag.review_by && *flag.review_by < today) return {Lifecycle::Kind::review_due, (today - *flag.review_by).count()};
    return {};
}

std::vector<Diagnostic> check_lifecycle(const LoadedRegistry& registry, Date today) {
    std::vector<Diagnostic> out;
    const auto view = registry.view();
    for (std::size_t i = 0; i < view.flags.size(); ++i) {
        const auto& flag = view.flags[i];
        const auto& src = registry.source_of(i);
        const auto state = lifecycle_of(flag, registry.policy().warn_days, today);
        if (state.kind == Lifecycle::Kind::current) continue;
        auto text = lifecycle_text(flag, state);
        out.push_back(Diagnostic{.severity = state.kind == Lifecycle::Kind::expired ? Severity::error : Severity::warning,
                                 .file = src.file, .line = src.date_line, .column = src.date_column,
                                 .message = std::move(text.message), .hint = std::move(text.hint)});
    }
    sort_by_position(out);
    return out;
}

}  // namespace flags::registry
