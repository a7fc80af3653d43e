// The state every benchmark and self-check runs against: one runtime file for the example registry
// (flags/registry.toml), the same flags configured in the naive and shared_ptr alternatives, and a
// population of 1024 users to cycle through, so that a check sees varied keys as in production
// rather than one key whose answer the branch predictor has learnt.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include <flags/flags.hpp>

#include "alternatives.hpp"

namespace bench {

// The flags the cases read, as the issue names them:
//   ops.kill-switch-payments  a static flag (value = true)
//   release.new-checkout      a 25 % rollout by user
//   permission.early-access   3 rules: a 13-tenant set (via a segment); plan in a set AND a semver
//                             condition, serving a 50 % rollout; an email suffix
//   experiment.button-color   a 3-way split 50/25/25
//   release.fast-search       one rule over plan, serving a 50 % rollout (for the 10-check request)
extern const std::string_view runtime_text;

// The 13 tenants of the big-tenants segment.
extern const std::vector<std::string> big_tenants;

struct Person {
    std::string user, tenant, plan, app_version, email;
};

struct Population {
    static constexpr std::size_t size = 1024;  // a power of two: the loops index with a mask
    std::vector<Person> people;
    std::vector<flags::Context> contexts;  // views into `people`
    std::vector<NaiveUser> naive_users;
};

// Built once; every benchmark thread reads it.
const Population& population();

// Loads runtime_text into the process-wide runtime the free functions read. Throws on failure.
void load_flagstone();

// The alternatives, configured with the same flags.
NaiveFlags& naive_flags();
SharedPtrFlags& shared_ptr_flags();

// What each flagstone case must answer, computed from the definitions in docs/ with
// flags::bucket(), independently of the evaluator.
bool expected_rollout(const Person& p);
bool expected_targeting(const Person& p);
flags::variants::ButtonColor expected_split(const Person& p);
bool expected_fast_search(const Person& p);

}  // namespace bench
