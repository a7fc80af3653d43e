// Bucketing: the pinned test vectors analysts rely on, and the properties docs/bucketing.md promises
// (monotonic rollouts, uniformity, independence across flags, 0.01% granularity), proven on the
// function itself and, where the runtime could get them wrong, through load_text and evaluate.
#define BOOST_TEST_MODULE bucketing
#include <boost/test/data/test_case.hpp>
#include <boost/test/unit_test.hpp>

#include <array>
#include <cmath>
#include <cstdint>
#include <ostream>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <fmt/format.h>

#include <flags/bucketing.hpp>
#include <flags/flags.hpp>

#include "printing.hpp"

namespace {

using flags::internal::RuntimeCore;

// The bucket is constexpr: a vector can be pinned at compile time as well as at run time.
static_assert(flags::bucket("release.new-checkout", "u-123") == 2442);

// ---------------------------------------------------------------------------------------------
// Statistics. Every bound below is for a significance level of p = 0.001: a correct hash fails a
// given check with probability 0.1%, and since the keys are fixed, a pass is a pass forever.

constexpr double significance = 0.001;

// z such that P(Z > z) = upper_tail for a standard normal Z, by bisection on erfc: the standard
// library has no inverse, and 60 halvings of [-10, 10] are far below double precision anyway.
double normal_quantile_above(double upper_tail) {
    double lo = -10, hi = 10;
    for (int i = 0; i < 60; ++i) {
        const double mid = (lo + hi) / 2;
        (0.5 * std::erfc(mid / std::sqrt(2.0)) > upper_tail ? lo : hi) = mid;
    }
    return (lo + hi) / 2;
}

// The value a chi-square variable with `df` degrees of freedom exceeds with probability
// `upper_tail`, by the Wilson-Hilferty approximation: (X/df)^(1/3) is close to normal with mean
// 1 - 2/(9 df) and variance 2/(9 df), so X ~ df * (1 - 2/(9 df) + z * sqrt(2/(9 df)))^3. For the
// degrees of freedom used here (81, 99, 9999) it is accurate to well under 0.1%, far closer than any
// of the statistics come to their bounds; for df = 1 it is poor, so the 2x2 test uses z^2 instead.
double chi_square_critical(double df, double upper_tail) {
    const double z = normal_quantile_above(upper_tail);
    const double v = 2.0 / (9.0 * df);
    return df * std::pow(1.0 - v + z * std::sqrt(v), 3);
}

// Pearson's statistic of observed counts against one expected count for every cell.
double chi_square_uniform(const std::vector<std::uint64_t>& counts, double expected) {
    double sum = 0;
    for (auto c : counts) sum += (static_cast<double>(c) - expected) * (static_cast<double>(c) - expected) / expected;
    return sum;
}

// ---------------------------------------------------------------------------------------------
// Keys and runtimes.

// The first n of "user-0", "user-1", ...: sequential ids, the case that defeats weak hashes, since
// consecutive keys differ in one or two bytes. Built once and shared by the tests that walk them.
std::span<const std::string> user_keys(std::size_t n) {
    static std::vector<std::string> keys;
    while (keys.size() < n) keys.push_back("user-" + std::to_string(keys.size()));
    return std::span<const std::string>(keys).first(n);
}

std::size_t index_of(std::string_view name) {
    const int index = flags::generated::registry.find(name);
    BOOST_REQUIRE(index >= 0);
    return static_cast<std::size_t>(index);
}

void load(RuntimeCore& core, const std::string& body) {
    const auto report = core.load_text("schema = 1\n" + body, "runtime.toml");
    for (const auto& d : report.diagnostics) BOOST_TEST_MESSAGE(flags::format(d));
    BOOST_REQUIRE(report.ok());
    BOOST_REQUIRE(report.published);
}

bool served(const RuntimeCore& core, std::size_t flag, std::string_view user) {
    return core.evaluate(flag, flags::Context{.user = user}).value == 1;
}

// "rollout = 12.34" for 1234 buckets, and the integer form "rollout = 25" for whole percents, so
// that both ways of writing a percent are exercised.
std::string rollout_line(unsigned buckets) {
    return buckets % 100 == 0 ? fmt::format("rollout = {}\n", buckets / 100)
                              : fmt::format("rollout = {}.{:02}\n", buckets / 100, buckets % 100);
}

// ---------------------------------------------------------------------------------------------
// (a) Test vectors. Computed once with tools/bucket.py and pinned: these values are a contract with
// every analysis ever run on exposure logs, and must never change. docs/bucketing.md lists the same
// table. Non-ASCII keys are spelled as UTF-8 byte escapes so that the bytes hashed do not depend on
// the encoding this file is read in.

struct Vector {
    std::string_view what;
    std::string_view salt;
    std::string_view key;
    std::uint32_t bucket;
};
std::ostream& operator<<(std::ostream& out, const Vector& v) { return out << v.what; }

const std::vector<Vector> vectors = {
    {"a user id under a flag's name", "release.new-checkout", "u-123", 2442},
    {"another user id", "release.new-checkout", "user-42", 8253},
    {"a tenant key (bucket_by = \"tenant\")", "release.new-checkout", "acme", 4443},
    {"the same user under another flag", "experiment.button-color", "u-123", 7519},
    {"the same user under an explicit salt", "button-color-q4", "u-123", 6643},
    {"an empty salt", "", "u-123", 7297},
    {"an empty salt and an empty key", "", "", 1709},
    {"an empty key", "release.new-checkout", "", 588},
    {"a numeric key", "release.new-checkout", "42", 8736},
    {"a large numeric key", "release.new-checkout", "1000000", 5398},
    {"jose with precomposed U+00E9", "release.new-checkout", "jos\xc3\xa9", 100},
    {"jose with e + combining U+0301: other bytes, other bucket", "release.new-checkout", "jose\xcc\x81", 9275},
    {"katakana (3-byte UTF-8)", "release.new-checkout", "\xe3\x83\xa6\xe3\x83\xbc\xe3\x82\xb6\xe3\x83\xbc", 4437},
    {"an emoji U+1F600 (4-byte UTF-8)", "release.new-checkout", "\xf0\x9f\x98\x80", 7232},
    {"':' inside the salt", "a:b", "c", 5280},
    {"':' inside the key: the same bytes as above", "a", "b:c", 5280},
};

}  // namespace

BOOST_AUTO_TEST_SUITE(bucketing)

BOOST_DATA_TEST_CASE(documented_vectors, boost::unit_test::data::make(vectors), v) {
    BOOST_TEST(flags::bucket(v.salt, v.key) == v.bucket);
    // The runtime precomputes the salt's state once per flag; resuming from it must change nothing.
    BOOST_TEST(flags::bucketing::bucket_from_salt_state(flags::bucketing::salt_state(v.salt), v.key) == v.bucket);
}

BOOST_AUTO_TEST_CASE(the_runtime_buckets_by_the_documented_function) {
    // Vectors pinned on the function would be worthless if evaluation hashed something else.
    RuntimeCore core(flags::generated::registry);
    load(core, "[flags.\"release.new-checkout\"]\nrollout = 100\n");
    for (const auto& v : vectors) {
        if (v.salt != "release.new-checkout" || v.key.empty()) continue;  // an empty user is a missing key
        BOOST_TEST_CONTEXT(v.what) {
            BOOST_TEST(core.evaluate(index_of("release.new-checkout"), flags::Context{.user = v.key}).bucket ==
                       static_cast<int>(v.bucket));
        }
    }
}

// (b) Raising a rollout only adds keys.

BOOST_AUTO_TEST_CASE(keys_in_at_5_percent_stay_in_at_25_and_up) {
    // Through the runtime, for 100k users, along a ladder of rollouts an operator might take. At each
    // rung the served set must be exactly the keys whose bucket is below the threshold, and every key
    // served at one rung must be served at the next.
    const auto keys = user_keys(100'000);
    const std::size_t flag = index_of("release.new-checkout");
    const std::vector<unsigned> ladder = {1, 2, 50, 100, 500, 1234, 2500, 5000, 7500, 9999, 10'000};
    std::vector<char> before(keys.size(), 0);
    RuntimeCore core(flags::generated::registry);
    for (unsigned threshold : ladder) {
        load(core, "[flags.\"release.new-checkout\"]\n" + rollout_line(threshold));
        std::size_t count = 0, lost = 0, wrong = 0;
        for (std::size_t i = 0; i < keys.size(); ++i) {
            const bool in = served(core, flag, keys[i]);
            if (before[i] && !in) ++lost;
            if (in != (flags::bucket("release.new-checkout", keys[i]) < threshold)) ++wrong;
            count += in;
            before[i] = in;
        }
        BOOST_TEST_CONTEXT("rollout " << threshold / 100.0 << "%") {
            BOOST_TEST(lost == 0u);
            BOOST_TEST(wrong == 0u);
            BOOST_TEST(count > 0u);  // so that "nobody lost" is not vacuous
        }
    }
    // The headline case, spelled out: every user in at 5% is in at 25%.
    RuntimeCore five(flags::generated::registry), twenty_five(flags::generated::registry);
    load(five, "[flags.\"release.new-checkout\"]\nrollout = 5\n");
    load(twenty_five, "[flags.\"release.new-checkout\"]\nrollout = 25\n");
    std::size_t in_at_5 = 0, in_at_25 = 0, dropped = 0;
    for (const auto& key : keys) {
        const bool a = served(five, flag, key), b = served(twenty_five, flag, key);
        in_at_5 += a;
        in_at_25 += b;
        dropped += a && !b;
    }
    BOOST_TEST(dropped == 0u);
    BOOST_TEST(in_at_5 > 4'000u);
    BOOST_TEST(in_at_25 > in_at_5);
}

BOOST_AUTO_TEST_CASE(each_step_from_0_01_to_100_percent_moves_the_threshold_by_one_bucket) {
    // All 10,000 rollouts 0.01, 0.02, ..., 100 through the loader: decimal percents are where a
    // floating-point conversion could round 0.29 * 100 down to 28, or skip or repeat a bucket. The
    // served value depends on the key only through its bucket (the ladder above checks that on 100k
    // keys), so one key per bucket stands for all keys of that bucket. At step t the buckets t-1 and t, either side of the threshold, must be in
    // and out; so must bucket 0 and bucket 9999. A further hundred buckets, those congruent to t
    // mod 100, are checked at every step, so that over the run every bucket is checked at a hundred
    // thresholds spread from 0 to 100%, on both sides of its own.
    const std::size_t flag = index_of("release.new-checkout");
    std::vector<std::string> key_of_bucket(flags::bucket_count);
    std::size_t missing = flags::bucket_count;
    for (std::size_t i = 0; missing > 0; ++i) {
        auto key = "k" + std::to_string(i);
        auto& slot = key_of_bucket[flags::bucket("release.new-checkout", key)];
        if (slot.empty()) {
            slot = std::move(key);
            --missing;
        }
    }
    RuntimeCore core(flags::generated::registry);
    std::size_t failures = 0;
    for (unsigned t = 1; t <= flags::bucket_count; ++t) {
        load(core, "[flags.\"release.new-checkout\"]\n" + rollout_line(t));
        std::vector<unsigned> checked = {0, t - 1, flags::bucket_count - 1};
        if (t < flags::bucket_count) checked.push_back(t);
        for (unsigned b = t % 100; b < flags::bucket_count; b += 100) checked.push_back(b);
        for (unsigned b : checked) {
            if (served(core, flag, key_of_bucket[b]) != (b < t)) {
                if (++failures <= 10)
                    BOOST_ERROR(fmt::format("{}rollout of {} buckets: bucket {} is {}", rollout_line(t), t, b,
                                            b < t ? "out" : "in"));
            }
        }
    }
    BOOST_TEST(failures == 0u);
}

// (c) Uniformity.

struct KeyFamily {
    std::string_view name;
    std::string (*key)(std::size_t n);
};
std::ostream& operator<<(std::ostream& out, const KeyFamily& f) { return out << f.name; }
const std::vector<KeyFamily> families = {
    {"user-<n>", [](std::size_t n) { return "user-" + std::to_string(n); }},
    {"<n>", [](std::size_t n) { return std::to_string(n); }},  // numeric ids, decimal digits only
};

BOOST_DATA_TEST_CASE(buckets_are_uniform_over_a_million_sequential_keys, boost::unit_test::data::make(families),
                     family) {
    // Pearson's chi-square of the counts against a flat distribution, over the 10,000 buckets and
    // over the 100 one-percent bins a rollout moves through. Both tails are tested: a statistic above
    // the upper bound means uneven buckets; one below the lower bound means the keys are spread more
    // evenly than chance allows, as a "hash" like id mod 10000 would spread sequential ids.
    constexpr std::size_t n = 1'000'000;
    std::vector<std::uint64_t> buckets(flags::bucket_count, 0), percents(100, 0);
    for (std::size_t i = 0; i < n; ++i) {
        const auto b = flags::bucket("release.new-checkout", family.key(i));
        ++buckets[b];
        ++percents[b / 100];
    }
    const double fine = chi_square_uniform(buckets, static_cast<double>(n) / flags::bucket_count);
    const double coarse = chi_square_uniform(percents, static_cast<double>(n) / 100);
    BOOST_TEST_MESSAGE(fmt::format("{}: chi-square {:.1f} over 10000 buckets, {:.1f} over 100 bins", family.name,
                                   fine, coarse));
    BOOST_TEST(fine < chi_square_critical(9999, significance));
    BOOST_TEST(fine > chi_square_critical(9999, 1 - significance));
    BOOST_TEST(coarse < chi_square_critical(99, significance));
    BOOST_TEST(coarse > chi_square_critical(99, 1 - significance));
}

BOOST_AUTO_TEST_CASE(the_critical_values_match_published_tables) {
    // The approximation against exact upper 0.1% points of the chi-square distribution (published
    // tables such as the NIST/SEMATECH e-Handbook's, section 1.3.6.7.4, for df 81 and 99; numerical
    // integration of the incomplete gamma function for df 9999), and z against the normal table.
    BOOST_TEST(normal_quantile_above(significance) == 3.0902, boost::test_tools::tolerance(1e-4));
    BOOST_TEST(chi_square_critical(81, significance) == 126.08, boost::test_tools::tolerance(1e-3));
    BOOST_TEST(chi_square_critical(99, significance) == 148.23, boost::test_tools::tolerance(1e-3));
    BOOST_TEST(chi_square_critical(9999, significance) == 10441.71, boost::test_tools::tolerance(1e-5));
    BOOST_TEST(chi_square_critical(9999, 1 - significance) == 9567.69, boost::test_tools::tolerance(1e-5));
}

// (d) Independence across flags.

BOOST_AUTO_TEST_CASE(two_flags_at_50_percent_bucket_independently) {
    // Both flags at 50% through the runtime, for 10^6 users. If the flags' names salt the hash
    // properly, being in one says nothing about being in the other: the 2x2 table of (in A, in B)
    // passes Pearson's chi-square test of independence, df = 1, whose critical value is exactly the
    // square of the two-sided normal quantile.
    constexpr std::size_t n = 1'000'000;
    const auto keys = user_keys(n);
    RuntimeCore core(flags::generated::registry);
    load(core, "[flags.\"release.new-checkout\"]\nrollout = 50\n[flags.\"release.fast-search\"]\nrollout = 50\n");
    const std::size_t a = index_of("release.new-checkout"), b = index_of("release.fast-search");
    std::array<std::array<double, 2>, 2> table{};
    for (std::size_t i = 0; i < n; ++i) table[served(core, a, keys[i])][served(core, b, keys[i])] += 1;

    const double rows[2] = {table[0][0] + table[0][1], table[1][0] + table[1][1]};
    const double cols[2] = {table[0][0] + table[1][0], table[0][1] + table[1][1]};
    // Each margin is Binomial(n, 1/2): within z * sqrt(n)/2 of n/2, or the flags are not at 50%.
    const double margin_bound = normal_quantile_above(significance / 2) * std::sqrt(static_cast<double>(n)) / 2;
    for (double m : {rows[0], rows[1], cols[0], cols[1]}) BOOST_TEST(std::fabs(m - n / 2.0) < margin_bound);

    const double cross = table[0][0] * table[1][1] - table[0][1] * table[1][0];
    const double chi_square = n * cross * cross / (rows[0] * rows[1] * cols[0] * cols[1]);
    const double z = normal_quantile_above(significance / 2);
    BOOST_TEST_MESSAGE(fmt::format("2x2 chi-square {:.3f}, critical {:.3f}", chi_square, z * z));
    BOOST_TEST(chi_square < z * z);
}

BOOST_AUTO_TEST_CASE(two_salts_bucket_independently_at_every_decile) {
    // A finer look than 50/50: the 10x10 table of (decile under salt A, decile under salt B) for 10^6
    // keys, df = 81. Catches a dependence confined to part of the range, which a 2x2 table can miss.
    constexpr std::size_t n = 1'000'000;
    const auto keys = user_keys(n);
    std::array<std::array<double, 10>, 10> table{};
    for (const auto& key : keys)
        table[flags::bucket("release.new-checkout", key) / 1000][flags::bucket("release.fast-search", key) / 1000] += 1;
    std::array<double, 10> rows{}, cols{};
    for (std::size_t i = 0; i < 10; ++i)
        for (std::size_t j = 0; j < 10; ++j) {
            rows[i] += table[i][j];
            cols[j] += table[i][j];
        }
    double chi_square = 0;
    for (std::size_t i = 0; i < 10; ++i)
        for (std::size_t j = 0; j < 10; ++j) {
            const double expected = rows[i] * cols[j] / n;
            chi_square += (table[i][j] - expected) * (table[i][j] - expected) / expected;
        }
    BOOST_TEST_MESSAGE(fmt::format("10x10 chi-square {:.1f}", chi_square));
    BOOST_TEST(chi_square < chi_square_critical(81, significance));
}

BOOST_AUTO_TEST_CASE(flags_sharing_a_salt_share_their_buckets) {
    // By design: `salt` lets two flags bucket together, so that a user in the 30% of one is in the
    // 50% of the other (e.g. a backend and a frontend half of the same change).
    const auto keys = user_keys(100'000);
    RuntimeCore core(flags::generated::registry);
    load(core, R"([flags."release.new-checkout"]
rollout = 30
salt = "checkout-2027"
[flags."release.fast-search"]
rollout = 50
salt = "checkout-2027"
)");
    const std::size_t a = index_of("release.new-checkout"), b = index_of("release.fast-search");
    std::size_t different_buckets = 0, in_a_not_b = 0, in_a = 0;
    for (const auto& key : keys) {
        const auto ea = core.evaluate(a, flags::Context{.user = key});
        const auto eb = core.evaluate(b, flags::Context{.user = key});
        different_buckets += ea.bucket != eb.bucket || ea.bucket != static_cast<int>(flags::bucket("checkout-2027", key));
        in_a += ea.value;
        in_a_not_b += ea.value == 1 && eb.value == 0;
    }
    BOOST_TEST(different_buckets == 0u);
    BOOST_TEST(in_a_not_b == 0u);
    BOOST_TEST(in_a > 25'000u);

    // And it is the salt that does it: under their own names the same keys share a bucket about one
    // time in 10,000.
    std::size_t same_without_salt = 0;
    for (const auto& key : keys)
        same_without_salt += flags::bucket("release.new-checkout", key) == flags::bucket("release.fast-search", key);
    BOOST_TEST(same_without_salt < 100u);
}

// (e) Granularity.

BOOST_AUTO_TEST_CASE(a_0_01_percent_rollout_is_one_bucket) {
    // rollout = 0.01 must serve bucket 0 and nothing else. Over 10^6 keys the count served is
    // Binomial(10^6, 1/10000): mean 100, standard deviation ~10, so a two-sided bound at p = 0.001
    // is 100 +- 3.29 * 10. A rollout rounded to 0 or to 0.1% would fall far outside it.
    constexpr std::size_t n = 1'000'000;
    const auto keys = user_keys(n);
    RuntimeCore core(flags::generated::registry);
    load(core, "[flags.\"release.new-checkout\"]\nrollout = 0.01\n");
    const std::size_t flag = index_of("release.new-checkout");
    std::size_t count = 0, outside_bucket_0 = 0, in_bucket_0 = 0;
    for (const auto& key : keys) {
        const auto e = core.evaluate(flag, flags::Context{.user = key});
        count += e.value;
        outside_bucket_0 += e.value == 1 && e.bucket != 0;
        in_bucket_0 += flags::bucket("release.new-checkout", key) == 0;
    }
    const double p = 1.0 / flags::bucket_count;
    const double bound = normal_quantile_above(significance / 2) * std::sqrt(n * p * (1 - p));
    BOOST_TEST_MESSAGE(fmt::format("{} of {} keys served, expected {} +- {:.1f}", count, n, n * p, bound));
    BOOST_TEST(std::fabs(static_cast<double>(count) - n * p) < bound);
    BOOST_TEST(outside_bucket_0 == 0u);
    BOOST_TEST(count == in_bucket_0);
}

BOOST_AUTO_TEST_CASE(rollout_12_34_serves_exactly_the_buckets_below_1234) {
    constexpr std::size_t n = 1'000'000;
    const auto keys = user_keys(n);
    RuntimeCore core(flags::generated::registry);
    load(core, "[flags.\"release.new-checkout\"]\nrollout = 12.34\n");
    const std::size_t flag = index_of("release.new-checkout");
    std::size_t wrong = 0, at_1233 = 0, at_1234 = 0;
    for (const auto& key : keys) {
        const auto b = flags::bucket("release.new-checkout", key);
        at_1233 += b == 1233;
        at_1234 += b == 1234;
        wrong += served(core, flag, key) != (b < 1234);
    }
    BOOST_TEST(wrong == 0u);
    // Keys on both sides of the boundary were tried, so an off-by-one threshold could not hide.
    BOOST_TEST(at_1233 > 0u);
    BOOST_TEST(at_1234 > 0u);
}

BOOST_AUTO_TEST_SUITE_END()
