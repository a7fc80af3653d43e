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
#include "runtime_text.hpp"

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
    const auto text = RuntimeText::read(file, override_file);  // alive while `entry` points into it
    const auto entry = text.entry(name);
    const EntryShape shape = entry ? shape_of(*entry->table) : EntryShape{};
    if (!entry || shape.off || (!shape.rollout && shape.split.empty()))
        throw failure("buckets", fmt::format("flag '{}' has no rollout or split of its own in {}", name, file.generic_string()),
                      fmt::format("its state there is: {}; `flagctl eval` shows how one context is served",
                                  entry ? state_text(shape, info) : "no entry"));

    // Each key alone in its context, in the attribute the flag buckets by.
    std::vector<std::size_t> observed(info.value_count(), 0);
    std::map<flags::Reason, std::size_t> elsewhere;  // keys a rule, prerequisite or error served instead
    for (std::size_t k = 0; k < keys; ++k) {
        const std::string key = fmt::format("{}-{}", shape.bucket_by, k);
        flags::Context ctx;
        if (shape.bucket_by == "user") ctx.user = key;
        else if (shape.bucket_by == "tenant") ctx.tenant = key;
        else ctx.attributes.set(shape.bucket_by, key);
        const auto e = runtime.core->evaluate(flag, ctx);
        if (e.reason == flags::Reason::SPLIT) ++observed[e.value];
        else ++elsewhere[e.reason];
    }

    const auto shares = configured_shares(shape, info);
    std::size_t reached = 0;
    for (auto n : observed) reached += n;
    double statistic = 0;
    int categories = 0;
    bool impossible = false;  // a key landed on a value configured at 0%
    for (std::size_t v = 0; v < shares.size(); ++v) {
        const double expected = static_cast<double>(reached) * shares[v] / 10'000.0;
        if (expected == 0) {
            impossible = impossible || observed[v] > 0;
            continue;
        }
        ++categories;
        const double difference = static_cast<double>(observed[v]) - expected;
        statistic += difference * difference / expected;
    }
    const int degrees = std::max(categories - 1, 0);
    const double p = chi_square_p_value(statistic, degrees);
    const bool consistent = !impossible && reached > 0 && p >= significance;
    const std::string verdict = consistent ? "consistent with the configured shares" : "not consistent with the configured shares";

    if (inv.common.json) {
        std::vector<std::string> rows, other;
        for (std::size_t v = 0; v < shares.size(); ++v)
            rows.push_back(JsonLine{}
                               .raw("value", value_json(info, static_cast<flags::ValueIndex>(v)))
                               .field("configured_percent", shares[v] / 100.0)
                               .field("expected", static_cast<double>(reached) * shares[v] / 10'000.0)
                               .field("observed", static_cast<std::uint64_t>(observed[v]))
                               .str());
        for (const auto& [reason, count] : elsewhere)
            other.push_back(JsonLine{}.field("reason", flags::to_string(reason)).field("keys", static_cast<std::uint64_t>(count)).str());
        std::cout << JsonLine{}
                         .field("flag", name)
                         .field("configured", outcome_text(shape, info))
                         .field("bucket_by", shape.bucket_by)
                         .field("keys", static_cast<std::uint64_t>(keys))
                         .field("reached", static_cast<std::uint64_t>(reached))
                         .raw("values", json_array(rows))
                         .raw("elsewhere", json_array(other))
                         .raw("chi_square", fmt::format("{}", statistic))
                         .field("degrees_of_freedom", degrees)
                         .raw("p_value", fmt::format("{}", p))
                         .field("consistent", consistent)
                         .str()
                  << '\n';
        return consistent ? 0 : 1;
    }

    std::cout << fmt::format("{}: {}, by {}, {} keys\n", name, outcome_text(shape, info), shape.bucket_by, keys);
    if (!elsewhere.empty()) {
        std::string reasons;
        for (const auto& [reason, count] : elsewhere)
            reasons += fmt::format("{}{} {}", reasons.empty() ? "" : ", ", count, flags::to_string(reason));
        std::cout << fmt::format("{} of {} keys reached the split; the others were served otherwise ({})\n", reached, keys, reasons);
    }
    Table table({"VALUE", "CONFIGURED", "EXPECTED", "OBSERVED", "SHARE"});
    for (std::size_t v = 0; v < shares.size(); ++v)
        table.add({std::string(info.value_name(static_cast<flags::ValueIndex>(v))), percent_text(shares[v]),
                   fmt::format("{:.0f}", static_cast<double>(reached) * shares[v] / 10'000.0), std::to_string(observed[v]),
                   reached ? fmt::format("{:.2f}%", 100.0 * static_cast<double>(observed[v]) / static_cast<double>(reached)) : "-"});
    table.print(std::cout);
    std::cout << fmt::format("chi-square {:.2f}, {} degree{} of freedom, p = {:.3f}: {}\n", statistic, degrees,
                             degrees == 1 ? "" : "s", p, verdict);
    return consistent ? 0 : 1;
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
