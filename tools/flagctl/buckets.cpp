// flagctl buckets: do keys spread over a flag's rollout or split as configured? Synthetic keys are
// evaluated by the engine; their values are compared with the configured shares by a chi-square test.
#include <algorithm>
#include <iostream>
#include <map>

#include <fmt/format.h>

#include "chi_square.hpp"
#include "command.hpp"
#include "engine.hpp"
#include "output.hpp"
#include "entry_text.hpp"

namespace flagctl {
namespace {

constexpr OptionSpec buckets_options[] = {
    {"--file", OptionSpec::Takes::one},
    {"--override", OptionSpec::Takes::one},
    {"--keys", OptionSpec::Takes::one},
};

// Below this p-value the spread is judged wrong. Strict, so that a correct split fails about once in
// a thousand seeds rather than once in twenty.
constexpr double significance = 0.001;

// The configured share of each value, in basis points, from the flag's own rollout or split.
std::vector<unsigned> configured_shares(const EntryShape& shape, const flags::FlagInfo& flag) {
    std::vector<unsigned> shares(flag.value_count(), 0);
    if (shape.rollout) {
        shares[1] = *shape.rollout;
        shares[0] = 10'000 - *shape.rollout;
    }
    for (const auto& [variant, weight] : shape.split)
        if (const auto at = std::ranges::find(flag.variants, variant); at != flag.variants.end())
            shares[static_cast<std::size_t>(at - flag.variants.begin())] = weight;
    return shares;
}

// How the synthetic keys were served: by the flag's own rollout or split, value by value, or otherwise.
struct Spread {
    std::vector<std::size_t> observed;               // keys the split gave each value
    std::map<flags::Reason, std::size_t> elsewhere;  // keys a rule, prerequisite or error served instead
    std::size_t reached = 0;                         // keys the split served
};

// Each key alone in its context, in the attribute the flag buckets by.
Spread spread_of(const Runtime& runtime, std::size_t flag, const flags::FlagInfo& info, const EntryShape& shape,
                 std::size_t keys) {
    Spread spread;
    spread.observed.assign(info.value_count(), 0);
    for (std::size_t k = 0; k < keys; ++k) {
        const std::string key = fmt::format("{}-{}", shape.bucket_by, k);
        flags::Context ctx;
        if (shape.bucket_by == "user") ctx.user = key;
        else if (shape.bucket_by == "tenant") ctx.tenant = key;
        else ctx.attributes.set(shape.bucket_by, key);
        const auto e = runtime.core->evaluate(flag, ctx);
        if (e.reason == flags::Reason::SPLIT) ++spread.observed[e.value];
        else ++spread.elsewhere[e.reason];
    }
    for (auto n : spread.observed) spread.reached += n;
    return spread;
}

// The chi-square test of the observed spread against the configured shares.
struct Verdict {
    double statistic = 0;
    int degrees = 0;
    double p = 0;
    bool consistent = false;
};

Verdict judge(const Spread& spread, const std::vector<unsigned>& shares) {
    Verdict verdict;
    int categories = 0;
    bool impossible = false;  // a key landed on a value configured at 0%
    for (std::size_t v = 0; v < shares.size(); ++v) {
        const double expected = static_cast<double>(spread.reached) * shares[v] / 10'000.0;
        if (expected == 0) {
            impossible = impossible || spread.observed[v] > 0;
            continue;
        }
        ++categories;
        const double difference = static_cast<double>(spread.observed[v]) - expected;
        verdict.statistic += difference * difference / expected;
    }
    verdict.degrees = std::max(categories - 1, 0);
    verdict.p = chi_square_p_value(verdict.statistic, verdict.degrees);
    verdict.consistent = !impossible && spread.reached > 0 && verdict.p >= significance;
    return verdict;
}

// What the command reports, whichever way it is printed.
struct BucketsReport {
    const std::string& name;
    const flags::FlagInfo& info;
    const EntryShape& shape;
    std::size_t keys;
    const Spread& spread;
    const std::vector<unsigned>& shares;
    const Verdict& verdict;

    double expected(std::size_t v) const { return static_cast<double>(spread.reached) * shares[v] / 10'000.0; }
};

void print_json(const BucketsReport& r) {
    std::vector<std::string> rows, other;
    for (std::size_t v = 0; v < r.shares.size(); ++v)
        rows.push_back(JsonLine{}
                           .raw("value", value_json(r.info, static_cast<flags::ValueIndex>(v)))
                           .field("configured_percent", r.shares[v] / 100.0)
                           .field("expected", r.expected(v))
                           .field("observed", static_cast<std::uint64_t>(r.spread.observed[v]))
                           .str());
    for (const auto& [reason, count] : r.spread.elsewhere)
        other.push_back(JsonLine{}.field("reason", flags::to_string(reason)).field("keys", static_cast<std::uint64_t>(count)).str());
    std::cout << JsonLine{}
                     .field("flag", r.name)
                     .field("configured", outcome_text(r.shape, r.info))
                     .field("bucket_by", r.shape.bucket_by)
                     .field("keys", static_cast<std::uint64_t>(r.keys))
                     .field("reached", static_cast<std::uint64_t>(r.spread.reached))
                     .raw("values", json_array(rows))
                     .raw("elsewhere", json_array(other))
                     .raw("chi_square", fmt::format("{}", r.verdict.statistic))
                     .field("degrees_of_freedom", r.verdict.degrees)
                     .raw("p_value", fmt::format("{}", r.verdict.p))
                     .field("consistent", r.verdict.consistent)
                     .str()
              << '\n';
}

void print_text(const BucketsReport& r) {
    const auto& spread = r.spread;
    std::cout << fmt::format("{}: {}, by {}, {} keys\n", r.name, outcome_text(r.shape, r.info), r.shape.bucket_by, r.keys);
    if (!spread.elsewhere.empty()) {
        std::string reasons;
        for (const auto& [reason, count] : spread.elsewhere)
            reasons += fmt::format("{}{} {}", reasons.empty() ? "" : ", ", count, flags::to_string(reason));
        std::cout << fmt::format("{} of {} keys reached the split; the others were served otherwise ({})\n",
                                 spread.reached, r.keys, reasons);
    }
    Table table({"VALUE", "CONFIGURED", "EXPECTED", "OBSERVED", "SHARE"});
    for (std::size_t v = 0; v < r.shares.size(); ++v)
        table.add({std::string(r.info.value_name(static_cast<flags::ValueIndex>(v))), percent_text(r.shares[v]),
                   fmt::format("{:.0f}", r.expected(v)), std::to_string(spread.observed[v]),
                   spread.reached ? fmt::format("{:.2f}%", 100.0 * static_cast<double>(spread.observed[v]) /
                                                               static_cast<double>(spread.reached))
                                  : "-"});
    table.print(std::cout);
    const auto& verdict = r.verdict;
    std::cout << fmt::format("chi-square {:.2f}, {} degree{} of freedom, p = {:.3f}: {}\n", verdict.statistic,
                             verdict.degrees, verdict.degrees == 1 ? "" : "s", verdict.p,
                             verdict.consistent ? "consistent with the configured shares"
                                                : "not consistent with the configured shares");
}

int buckets(const Invocation& inv) {
    const std::string name = inv.positionals({"FLAG"})[0];
    const std::filesystem::path file = inv.args.required("--file");
    const std::filesystem::path override_file = inv.args.value("--override").value_or("");
    const std::size_t keys = inv.args.count("--keys", 10'000);

    const auto registry = load_registry(inv.common);
    const auto view = registry.view();
    const std::size_t flag = find_flag(view, name, "buckets");
    const auto& info = view.flags[flag];
    const auto runtime = require_runtime(inv.common, view, file, override_file);
    const EntrySource* entry = runtime.described->entry(name);
    const EntryShape shape = entry ? shape_of(*entry) : EntryShape{};
    if (!entry || shape.off || (!shape.rollout && shape.split.empty()))
        throw failure("buckets", fmt::format("flag '{}' has no rollout or split of its own in {}", name, file.generic_string()),
                      fmt::format("its state there is: {}; `flagctl eval` shows how one context is served",
                                  entry ? state_text(shape, info) : "no entry"));

    const Spread spread = spread_of(runtime, flag, info, shape, keys);
    const auto shares = configured_shares(shape, info);
    const Verdict verdict = judge(spread, shares);
    const BucketsReport report{name, info, shape, keys, spread, shares, verdict};
    if (inv.common.json) print_json(report);
    else print_text(report);
    return verdict.consistent ? 0 : 1;
}

}  // namespace

const Command buckets_command{
    .name = "buckets",
    .summary = "how synthetic keys spread over a flag's rollout or split",
    .usage = "flagctl buckets FLAG --file RUNTIME [--keys N] [--override FILE] [--registry PATH]",
    .help = "Evaluates FLAG for N synthetic keys (user-0, user-1, ... in the attribute the flag buckets by)\n"
            "with the runtime's engine and compares how they spread over the flag's own rollout or split\n"
            "with the configured shares: a chi-square test, judged at p < 0.001. Keys that a rule, a\n"
            "prerequisite or a missing key served otherwise are counted apart. Exit 1 when the spread is\n"
            "not consistent with the configuration, or the flag has no rollout or split of its own.\n"
            "\n"
            "  --file RUNTIME   the runtime file, or a directory of them\n"
            "  --override FILE  with the local override file on top\n"
            "  --keys N         synthetic keys (default 10000)\n"
            "\n"
            "example:\n"
            "  $ flagctl buckets release.new-checkout --registry flags/registry.toml --file flags/runtime.toml\n"
            "  release.new-checkout: 25%, by user, 10000 keys\n"
            "  VALUE  CONFIGURED  EXPECTED  OBSERVED  SHARE\n"
            "  false  75%         7500      7450      74.50%\n"
            "  true   25%         2500      2550      25.50%\n"
            "  chi-square 1.33, 1 degree of freedom, p = 0.248: consistent with the configured shares\n",
    .options = buckets_options,
    .run = buckets,
};

}  // namespace flagctl
