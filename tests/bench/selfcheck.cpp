// What the benchmarks' figures are worth depends on the code they time being right, so every case
// is checked here before anything is timed, and in CI by the bench-smoke test: the answers against
// the definitions in docs/ (computed with flags::bucket, not with the evaluator), zero heap
// allocations per flagstone check, and the hand-written MD5 against RFC 1321's test suite.
#include <benchmark/benchmark.h>

#include <cstdio>
#include <string>

#include <fmt/format.h>

#include <flags/bucketing.hpp>

#include "alloc_counter.hpp"
#include "md5.hpp"
#include "programs.hpp"
#include "proposal.hpp"
#include "scenario.hpp"

using flags::Flag;

namespace bench {
namespace {

// Keeps a result alive as the compiler sees it, so that a counted call is not optimised away.
template <class T>
void sink(T value) {
    benchmark::DoNotOptimize(value);
}

struct Checker {
    int checks = 0;
    int failures = 0;
    void expect(bool ok, const std::string& what) {
        ++checks;
        if (ok) return;
        ++failures;
        std::fprintf(stderr, "selfcheck: FAILED: %s\n", what.c_str());
    }
};

// The answer the naive client must give for permission.early-access, from its own definition.
bool naive_expected_targeting(const Person& p) {
    if (std::find(big_tenants.begin(), big_tenants.end(), p.tenant) != big_tenants.end()) return true;
    if ((p.plan == "growth" || p.plan == "scale") && p.app_version == "2.4.1")
        return NaiveFlags::bucket_percent("permission.early-access", p.user) < 50;
    return p.email.ends_with("@example.com");
}

// Heap allocations made by `n` runs of `body` on this thread.
template <class Body>
std::uint64_t allocations_of(int n, Body&& body) {
    const auto before = thread_allocations();
    for (int i = 0; i < n; ++i) body(static_cast<std::size_t>(i) % Population::size);
    return thread_allocations() - before;
}

void check_md5(Checker& c) {
    // RFC 1321, appendix A.5.
    const std::pair<const char*, const char*> suite[] = {
        {"", "d41d8cd98f00b204e9800998ecf8427e"},
        {"a", "0cc175b9c0f1b6a831c399e269772661"},
        {"abc", "900150983cd24fb0d6963f7d28e17f72"},
        {"message digest", "f96b697d7cb7938d525a2f31aaf161d0"},
        {"abcdefghijklmnopqrstuvwxyz", "c3fcd3d76192e4007dfb496cca67e13b"},
        {"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789", "d174ab98d277d9f5a5611c2c9f419d9f"},
        {"12345678901234567890123456789012345678901234567890123456789012345678901234567890",
         "57edf4a22be3c955ac49da2e2107b67a"},
    };
    for (const auto& [message, digest] : suite)
        c.expect(md5_hex(message) == digest, fmt::format("md5(\"{}\") is {}, not {}", message, md5_hex(message), digest));
}

void check_answers(Checker& c) {
    const auto& pop = population();
    auto& naive = naive_flags();
    const auto& shared = shared_ptr_flags();
    int rollout_in = 0, naive_in = 0;
    for (std::size_t i = 0; i < Population::size; ++i) {
        const Person& p = pop.people[i];
        const flags::Context& ctx = pop.contexts[i];
        const NaiveUser& u = pop.naive_users[i];
        const auto who = fmt::format("user {}", p.user);

        c.expect(flags::enabled<Flag::ops_kill_switch_payments>(ctx), "static flag is not true for " + who);
        c.expect(flags::enabled<Flag::release_new_checkout>(ctx) == expected_rollout(p), "rollout wrong for " + who);
        c.expect(flags::enabled<"release.new-checkout">(ctx) == expected_rollout(p), "by-name rollout wrong for " + who);
        c.expect(flags::enabled<Flag::permission_early_access>(ctx) == expected_targeting(p), "targeting wrong for " + who);
        c.expect(flags::variant<Flag::experiment_button_color>(ctx) == expected_split(p), "split wrong for " + who);
        c.expect(flags::enabled<Flag::release_fast_search>(ctx) == expected_fast_search(p), "fast-search wrong for " + who);

        const auto d = flags::detail<Flag::release_new_checkout>(ctx);
        c.expect(d.value == expected_rollout(p) && d.reason == flags::Reason::SPLIT &&
                     d.bucket == static_cast<int>(flags::bucket("release.new-checkout", p.user)) && d.generation > 0,
                 "detail wrong for " + who);

        const auto view = flags::pin();
        c.expect(view.generation() == d.generation && view.enabled<Flag::release_new_checkout>(ctx) == expected_rollout(p) &&
                     view.enabled<Flag::permission_early_access>(ctx) == expected_targeting(p) &&
                     view.variant<Flag::experiment_button_color>(ctx) == expected_split(p),
                 "pinned view disagrees for " + who);

        c.expect(proposal::new_checkout_model().enabled(ctx) == expected_rollout(p), "proposal model wrong for " + who);
        c.expect(shared.enabled(static_cast<std::size_t>(Flag::release_new_checkout), ctx) == expected_rollout(p),
                 "shared_ptr rollout wrong for " + who);
        c.expect(shared.enabled(static_cast<std::size_t>(Flag::ops_kill_switch_payments), ctx),
                 "shared_ptr static flag is not true for " + who);

        const bool naive_rollout = naive.is_enabled("release.new-checkout", u);
        c.expect(naive_rollout == (NaiveFlags::bucket_percent("release.new-checkout", p.user) < 25),
                 "naive rollout wrong for " + who);
        c.expect(naive.is_enabled("permission.early-access", u) == naive_expected_targeting(p),
                 "naive targeting wrong for " + who);
        c.expect(naive.is_enabled("ops.kill-switch-payments", u), "naive static flag is not true for " + who);
        const auto variant = naive.get_variant("experiment.button-color", u);
        c.expect(variant == "blue" || variant == "green" || variant == "red", "naive split wrong for " + who);

        rollout_in += expected_rollout(p);
        naive_in += naive_rollout;
    }
    // 25 % of 1024 is 256; a fair hash lands well within this band.
    c.expect(rollout_in > 200 && rollout_in < 312, fmt::format("flagstone rollout serves {} of 1024, not about 256", rollout_in));
    c.expect(naive_in > 200 && naive_in < 312, fmt::format("naive rollout serves {} of 1024, not about 256", naive_in));
}

void check_allocations(Checker& c) {
    const auto& pop = population();
    constexpr int n = 20'000;
    const auto none = [&](const char* what, std::uint64_t count) {
        c.expect(count == 0, fmt::format("{} made {} allocations in {} checks", what, count, n));
    };
    none("enabled (static)", allocations_of(n, [&](std::size_t i) {
        sink(flags::enabled<Flag::ops_kill_switch_payments>(pop.contexts[i]));
    }));
    none("enabled (rollout)", allocations_of(n, [&](std::size_t i) {
        sink(flags::enabled<Flag::release_new_checkout>(pop.contexts[i]));
    }));
    none("enabled (3 rules)", allocations_of(n, [&](std::size_t i) {
        sink(flags::enabled<Flag::permission_early_access>(pop.contexts[i]));
    }));
    none("variant (split)", allocations_of(n, [&](std::size_t i) {
        sink(flags::variant<Flag::experiment_button_color>(pop.contexts[i]) == flags::variants::ButtonColor::red);
    }));
    none("detail", allocations_of(n, [&](std::size_t i) {
        sink(flags::detail<Flag::release_new_checkout>(pop.contexts[i]).bucket > 0);
    }));
    none("enabled by name", allocations_of(n, [&](std::size_t i) {
        sink(flags::enabled<"release.new-checkout">(pop.contexts[i]));
    }));
    none("building a Context", allocations_of(n, [&](std::size_t i) {
        const Person& p = pop.people[i];
        flags::Context ctx{.user = p.user, .tenant = p.tenant,
                           .attributes = {{"plan", p.plan}, {"app_version", p.app_version}, {"email", p.email}}};
        sink(ctx.attributes.size() == 3);
    }));
    none("pin", allocations_of(n, [&](std::size_t) { sink(flags::pin().generation() > 0); }));
    none("pin and 10 checks", allocations_of(n, [&](std::size_t i) {
        const auto view = flags::pin();
        for (int k = 0; k < 2; ++k) {
            sink(view.enabled<Flag::ops_kill_switch_payments>(pop.contexts[i]));
            sink(view.enabled<Flag::release_new_checkout>(pop.contexts[i]));
            sink(view.enabled<Flag::permission_early_access>(pop.contexts[i]));
            sink(view.variant<Flag::experiment_button_color>(pop.contexts[i]) == flags::variants::ButtonColor::red);
            sink(view.enabled<Flag::release_fast_search>(pop.contexts[i]));
        }
    }));
    // The naive client allocates on its read path: the point of the comparison, so it is shown,
    // not failed.
    const auto naive = allocations_of(1000, [&](std::size_t i) {
        sink(naive_flags().is_enabled("release.new-checkout", pop.naive_users[i]));
    });
    std::fprintf(stderr, "selfcheck: the naive rollout check makes %.1f allocations per call\n", naive / 1000.0);
}

}  // namespace

int run_selfcheck() {
    Checker c;
    check_md5(c);
    load_flagstone();
    check_answers(c);
    check_allocations(c);
    std::fprintf(stderr, "selfcheck: %d checks, %d failed\n", c.checks, c.failures);
    return c.failures;
}

}  // namespace bench
