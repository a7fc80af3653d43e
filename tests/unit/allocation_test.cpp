// The read path allocates nothing: this program replaces operator new with a counting one and reads
// every kind of flag 10^5 times.
#define BOOST_TEST_MODULE allocation
#include <boost/test/unit_test.hpp>

#include <atomic>
#include <cstdlib>
#include <new>
#include <string>
#include <vector>

#include <flags/flags.hpp>
#include <flags/detail/runtime_access.hpp>

namespace {
// The calling thread's own: the runtime's background threads (the observation thread delivers
// exposures) allocate as they please, off the read path.
thread_local long allocations = 0;
}

#if defined(__SANITIZE_ADDRESS__)
// Under AddressSanitizer, operator new belongs to its runtime: allocations are counted through the
// allocator's hook instead of a replacement. GCC installs no sanitizer headers; the runtime has it.
extern "C" int __sanitizer_install_malloc_and_free_hooks(void (*)(const volatile void*, std::size_t),
                                                         void (*)(const volatile void*));

namespace {
void count_allocation(const volatile void*, std::size_t) { ++allocations; }
void ignore_free(const volatile void*) {}
[[maybe_unused]] const int hooks_installed = __sanitizer_install_malloc_and_free_hooks(count_allocation, ignore_free);
}  // namespace
#else
// The replacements pair malloc with free; GCC cannot see that every new in the program is this one
// and warns about a mismatch that does not exist.
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"

void* operator new(std::size_t size) {
    ++allocations;
    if (void* p = std::malloc(size ? size : 1)) return p;
    throw std::bad_alloc();
}
void operator delete(void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }
#endif

using flags::Flag;

BOOST_AUTO_TEST_SUITE(allocation)

BOOST_AUTO_TEST_CASE(reads_allocate_nothing) {
    flags::internal::RuntimeCore& core =
        flags::internal::core_of(flags::process_runtime());
    const auto report = core.load_text(R"(schema = 1
[segments]
big-tenants = [{ attr = "tenant", in = ["t1", "t2", "t3", "t4", "t5", "t6", "t7", "t8", "t9", "t10", "t11", "acme", "t13"] }]
[flags."ops.kill-switch-payments"]
value = true
[flags."release.new-checkout"]
rollout = 25
[flags."permission.early-access"]
value = false
rules = [
  { when = [{ segment = "big-tenants" }, { attr = "plan", not_in = ["free"] }], value = true },
  { when = [{ attr = "app_version", semver_gte = "2.3.0" }, { attr = "signup", before = 2026-01-01T00:00:00Z }], rollout = 50 },
  { when = [{ attr = "email", ends_with = "@example.com" }], value = true },
]
[flags."experiment.button-color"]
split = { blue = 34, green = 33, red = 33 }
requires = { "release.new-checkout" = true }
)",
                                       "runtime.toml");
    BOOST_REQUIRE(report.ok());
    BOOST_REQUIRE(allocations > 0);  // the counter sees allocations: loading makes plenty

    // Contexts are built before counting; building one with up to eight attributes allocates
    // nothing either, which the second measurement checks.
    const flags::Context ctx{.user = "u-42", .tenant = "t9",
                             .attributes = {{"plan", "growth"}, {"app_version", "2.4.1"}, {"signup", "2025-05-01T00:00:00Z"}}};
    int sink = 0;
    const long before = allocations;
    for (int i = 0; i < 100'000; ++i) {
        sink += flags::enabled<Flag::ops_kill_switch_payments>(ctx);
        sink += flags::enabled<Flag::release_new_checkout>(ctx);
        sink += flags::enabled<"permission.early-access">(ctx);
        sink += static_cast<int>(flags::variant<Flag::experiment_button_color>(ctx));
        sink += flags::detail<Flag::permission_early_access>(ctx).rule_index;
        const auto view = flags::pin();
        sink += view.enabled<Flag::release_new_checkout>(ctx);
    }
    BOOST_TEST(allocations - before == 0);

    const long before_contexts = allocations;
    for (int i = 0; i < 1000; ++i) {
        flags::Context built{.user = "u", .tenant = "t",
                             .attributes = {{"a", "1"}, {"b", "2"}, {"c", "3"}, {"d", "4"}, {"e", "5"}, {"f", "6"}, {"g", "7"}, {"h", "8"}}};
        sink += flags::enabled<Flag::release_new_checkout>(built);
    }
    BOOST_TEST(allocations - before_contexts == 0);
    BOOST_TEST(sink != 0);
}

// With counters and exposures on, a read still only writes memory its thread already has: a
// counter, and a record in its exposure buffer.
BOOST_AUTO_TEST_CASE(observed_reads_allocate_nothing) {
    std::atomic<long> exposures{0};
    flags::observe({.count_evaluations = true, .exposures = [&](const flags::Exposure&) { exposures.fetch_add(1); }});
    std::vector<flags::Context> users;
    std::vector<std::string> ids;
    for (int i = 0; i < 1000; ++i) ids.push_back("u-" + std::to_string(i));
    for (const auto& id : ids) users.push_back(flags::Context{.user = id, .tenant = "t9"});

    int sink = 0;
    const long before = allocations;
    for (int i = 0; i < 100'000; ++i) {
        const auto& ctx = users[static_cast<std::size_t>(i) % users.size()];
        sink += flags::enabled<Flag::ops_kill_switch_payments>(ctx);
        sink += flags::enabled<Flag::release_new_checkout>(ctx);
        sink += static_cast<int>(flags::variant<Flag::experiment_button_color>(ctx));
        sink += flags::detail<Flag::permission_early_access>(ctx).rule_index;
        const auto view = flags::pin();
        sink += static_cast<int>(view.variant<Flag::experiment_button_color>(ctx));
    }
    BOOST_TEST(allocations - before == 0);
    BOOST_REQUIRE(flags::flush_observations());
    BOOST_TEST(exposures.load() > 0);  // the observation was real: exposures reached the sink
    BOOST_TEST(!flags::evaluation_counts().empty());
    flags::observe({});
    BOOST_TEST(sink != 0);
}

BOOST_AUTO_TEST_SUITE_END()
