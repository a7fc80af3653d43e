#include "scenario.hpp"

#include <algorithm>
#include <stdexcept>

#include <fmt/format.h>

#include <flags/bucketing.hpp>
#include <flags/detail/runtime_access.hpp>

namespace bench {

const std::string_view runtime_text = R"(schema = 1

[segments]
big-tenants = [{ attr = "tenant", in = ["acme", "globex", "initech", "umbrella", "hooli", "stark", "wayne",
                                        "wonka", "tyrell", "cyberdyne", "soylent", "oscorp", "aperture"] }]

[flags."ops.kill-switch-payments"]
value = true

[flags."release.new-checkout"]
rollout = 25

[flags."permission.early-access"]
value = false
rules = [
  { when = [{ segment = "big-tenants" }], value = true },
  { when = [{ attr = "plan", in = ["growth", "scale"] }, { attr = "app_version", semver_gte = "2.3.0" }], rollout = 50 },
  { when = [{ attr = "email", ends_with = "@example.com" }], value = true },
]

[flags."experiment.button-color"]
split = { blue = 50, green = 25, red = 25 }

[flags."release.fast-search"]
value = false
rules = [{ when = [{ attr = "plan", in = ["scale"] }], rollout = 50 }]
)";

const std::vector<std::string> big_tenants = {"acme",  "globex", "initech",   "umbrella", "hooli",  "stark",   "wayne",
                                              "wonka", "tyrell", "cyberdyne", "soylent",  "oscorp", "aperture"};

namespace {

// One user in four belongs to a big tenant, so most targeting checks go on to the semver rule;
// plans and versions vary so that rule 2 matches about a third of the time and rule 3 is reached.
Population build_population() {
    Population p;
    p.people.reserve(Population::size);
    for (std::size_t i = 0; i < Population::size; ++i) {
        Person person;
        person.user = fmt::format("user-{}", 100'000 + i * 7919 % 900'000);
        person.tenant = i % 4 == 0 ? big_tenants[i / 4 % big_tenants.size()] : fmt::format("tenant-{:03}", i % 97);
        person.plan = i % 3 == 0 ? "free" : (i % 3 == 1 ? "growth" : "scale");
        person.app_version = i % 2 == 0 ? "2.4.1" : "2.2.9";
        person.email = fmt::format("{}@{}", person.user, i % 16 == 5 ? "example.com" : "customer.org");
        p.people.push_back(std::move(person));
    }
    for (const auto& person : p.people) {
        p.contexts.push_back(flags::Context{.user = person.user,
                                            .tenant = person.tenant,
                                            .attributes = {{"plan", person.plan},
                                                           {"app_version", person.app_version},
                                                           {"email", person.email}}});
        p.naive_users.push_back(NaiveUser{.id = person.user,
                                          .tenant = person.tenant,
                                          .attributes = {{"plan", person.plan},
                                                         {"app_version", person.app_version},
                                                         {"email", person.email}}});
    }
    return p;
}

void configure(NaiveFlags& naive) {
    using C = NaiveFlags::Condition;
    naive.put("ops.kill-switch-payments", {.value = true});
    naive.put("release.new-checkout", {.rollout = 25});
    NaiveFlags::Flag early{.value = false};
    early.rules.push_back({.when = {C{.kind = C::Kind::one_of, .attribute = "tenant",
                                      .values = {big_tenants.begin(), big_tenants.end()}}},
                           .value = true});
    early.rules.push_back({.when = {C{.kind = C::Kind::one_of, .attribute = "plan", .values = {"growth", "scale"}},
                                    C{.kind = C::Kind::version_at_least, .attribute = "app_version", .operand = "2.3.0"}},
                           .rollout = 50});
    early.rules.push_back(
        {.when = {C{.kind = C::Kind::ends_with, .attribute = "email", .operand = "@example.com"}}, .value = true});
    naive.put("permission.early-access", std::move(early));
    naive.put("experiment.button-color", {.split = {{"blue", 50}, {"green", 25}, {"red", 25}}});
    NaiveFlags::Flag search{.value = false};
    search.rules.push_back(
        {.when = {C{.kind = C::Kind::one_of, .attribute = "plan", .values = {"scale"}}}, .rollout = 50});
    naive.put("release.fast-search", std::move(search));
}

}  // namespace

const Population& population() {
    static const Population p = build_population();
    return p;
}

void load_flagstone() {
    const auto report = flags::internal::core_of(flags::process_runtime()).load_text(runtime_text, "bench.toml");
    if (!report.ok() || report.generation == 0) {
        std::string messages;
        for (const auto& d : report.diagnostics) messages += flags::format(d) + "\n";
        throw std::runtime_error("the benchmark's runtime file does not load:\n" + messages);
    }
}

NaiveFlags& naive_flags() {
    static NaiveFlags* naive = [] {
        auto* n = new NaiveFlags;  // never destroyed, like a process-wide client
        configure(*n);
        return n;
    }();
    return *naive;
}

SharedPtrFlags& shared_ptr_flags() {
    static SharedPtrFlags* flags = [] {
        auto* f = new SharedPtrFlags;  // never destroyed, like a process-wide client
        auto snapshot = std::make_shared<SharedPtrFlags::Snapshot>();
        snapshot->flags.resize(flags::generated::registry.flags.size());
        auto& kill = snapshot->flags[static_cast<std::size_t>(flags::Flag::ops_kill_switch_payments)];
        kill.value = true;
        auto& checkout = snapshot->flags[static_cast<std::size_t>(flags::Flag::release_new_checkout)];
        checkout.has_rollout = true;
        checkout.rollout_buckets = 2500;
        checkout.salt_state = flags::bucketing::salt_state("release.new-checkout");
        f->publish(std::move(snapshot));
        return f;
    }();
    return *flags;
}

bool expected_rollout(const Person& p) { return flags::bucket("release.new-checkout", p.user) < 2500; }

bool expected_targeting(const Person& p) {
    if (std::find(big_tenants.begin(), big_tenants.end(), p.tenant) != big_tenants.end()) return true;
    if ((p.plan == "growth" || p.plan == "scale") && p.app_version == "2.4.1")
        return flags::bucket("permission.early-access", p.user) < 5000;
    return p.email.ends_with("@example.com");
}

flags::variants::ButtonColor expected_split(const Person& p) {
    const auto b = flags::bucket("experiment.button-color", p.user);
    return b < 5000 ? flags::variants::ButtonColor::blue : b < 7500 ? flags::variants::ButtonColor::green : flags::variants::ButtonColor::red;
}

bool expected_fast_search(const Person& p) {
    return p.plan == "scale" && flags::bucket("release.fast-search", p.user) < 5000;
}

}  // namespace bench
