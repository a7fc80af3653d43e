// flagctl diff: what changes for whom if this file is deployed. Both files are loaded by the engine;
// a synthetic population is evaluated under each, and every flag whose value changes for anyone, or
// whose entry is written differently, is reported with what changed and the share of users it moves.
#include <algorithm>
#include <iostream>
#include <map>
#include <set>

#include <fmt/format.h>

#include "command.hpp"
#include "engine.hpp"
#include "output.hpp"
#include "population.hpp"
#include "entry_text.hpp"

namespace flagctl {
namespace {

constexpr OptionSpec diff_options[] = {
    {"--sample", OptionSpec::Takes::one},
    {"--seed", OptionSpec::Takes::one},
};

std::string outcome_phrase(const EntryShape& shape, const flags::FlagInfo& flag) {
    if (shape.value) return "value " + *shape.value;
    if (shape.rollout) return "rollout " + percent_text(*shape.rollout);
    if (!shape.split.empty()) return outcome_text(shape, flag);
    return "no value of its own";
}

// A whole entry, for one that appears or disappears: "value true", "rollout 5%, 1 rule", "off".
std::string entry_phrase(const EntryShape& shape, const flags::FlagInfo& flag) {
    if (shape.off) return "off";
    std::string out = outcome_phrase(shape, flag);
    if (shape.rules > 0) out += ", " + counted(shape.rules, "rule");
    for (const auto& name : shape.required) out += ", requires " + name;
    return out;
}

// The segments an entry's rules refer to.
std::set<std::string> segments_used(const EntrySource& entry) {
    std::set<std::string> names;
    for (const auto& rule : entry.rules)
        for (const auto& condition : rule.conditions)
            if (condition.op == "segment" && !condition.values.empty()) names.insert(condition.values.front());
    return names;
}

// What changed in the way the flag is written, in the operator's words: its entry, and the segments
// and prerequisites it refers to. Empty when all of them read the same.
std::vector<std::string> describe_change(const flags::FlagInfo& flag, const SourceMap& before, const SourceMap& after) {
    const auto* old_entry = before.entry(flag.name);
    const auto* new_entry = after.entry(flag.name);
    if (!old_entry && !new_entry) return {};
    if (!old_entry) return {"new entry: " + entry_phrase(shape_of(*new_entry), flag)};
    if (!new_entry)
        return {fmt::format("entry removed: {} -> default {}", entry_phrase(shape_of(*old_entry), flag),
                            flag.value_name(flag.default_value))};

    const auto& o = *old_entry;
    const auto& n = *new_entry;
    const auto os = shape_of(o), ns = shape_of(n);
    std::vector<std::string> changes;
    if (os.off != ns.off) changes.push_back(ns.off ? "turned off" : "turned back on");
    if (outcome_phrase(os, flag) != outcome_phrase(ns, flag))
        changes.push_back(os.rollout && ns.rollout
                              ? fmt::format("rollout {} -> {}", percent_text(*os.rollout), percent_text(*ns.rollout))
                              : fmt::format("{} -> {}", outcome_phrase(os, flag), outcome_phrase(ns, flag)));
    if (o.canonical_rules != n.canonical_rules)
        changes.push_back(os.rules == ns.rules ? "rules changed" : fmt::format("rules {} -> {}", os.rules, ns.rules));
    if (o.canonical_requires != n.canonical_requires) changes.push_back("requires changed");
    if (os.bucket_by != ns.bucket_by) changes.push_back(fmt::format("bucket_by {} -> {}", os.bucket_by, ns.bucket_by));
    if (o.salt != n.salt) changes.push_back("salt changed (buckets reshuffled)");

    // What the entry refers to may have changed too, whether or not the entry did.
    for (const auto& segment : segments_used(n))
        if (before.segment(segment) != after.segment(segment))
            changes.push_back(fmt::format("segment '{}' changed", segment));
    for (const auto& required : ns.required) {
        const auto *a = before.entry(required), *b = after.entry(required);
        if ((a ? a->canonical : "") != (b ? b->canonical : ""))
            changes.push_back(fmt::format("its prerequisite '{}' changed", required));
    }
    return changes;
}

struct Impact {
    std::vector<std::string> changes;
    std::map<std::pair<flags::ValueIndex, flags::ValueIndex>, std::size_t> moves;  // (before, after) -> users
    std::size_t moved = 0;
};

double share(std::size_t count, std::size_t total) { return 100.0 * static_cast<double>(count) / static_cast<double>(total); }

std::string impact_text(const flags::FlagInfo& flag, const Impact& impact, std::size_t total) {
    if (flag.is_boolean()) {
        const auto gain = impact.moves.contains({0, 1}) ? impact.moves.at({0, 1}) : 0;
        const auto lose = impact.moves.contains({1, 0}) ? impact.moves.at({1, 0}) : 0;
        return fmt::format("{:.1f}% of users gain it, {:.1f}% lose it", share(gain, total), share(lose, total));
    }
    std::vector<std::pair<std::size_t, std::string>> moves;
    for (const auto& [move, count] : impact.moves)
        moves.emplace_back(count, fmt::format("{} -> {} {:.1f}%", flag.value_name(move.first),
                                              flag.value_name(move.second), share(count, total)));
    std::stable_sort(moves.begin(), moves.end(), [](const auto& a, const auto& b) { return a.first > b.first; });
    std::string detail;
    for (const auto& [count, text] : moves) detail += (detail.empty() ? " (" : ", ") + text;
    return fmt::format("{:.1f}% of users change variant{}", share(impact.moved, total), detail.empty() ? "" : detail + ")");
}

int diff(const Invocation& inv) {
    const auto& files = inv.positionals({"OLD", "NEW"});
    const std::size_t sample = inv.args.count("--sample", 10'000);
    const std::uint64_t seed = inv.args.count("--seed", 1);

    const auto registry = load_registry(inv.common);
    const auto view = registry.view();
    auto before = load_runtime(view, files[0]);
    auto after = load_runtime(view, files[1]);
    if (!before.report.ok() || !after.report.ok()) {
        Failure f{before.report.diagnostics};
        f.diagnostics.insert(f.diagnostics.end(), after.report.diagnostics.begin(), after.report.diagnostics.end());
        throw f;
    }
    if (!inv.common.json) {
        print_diagnostics(std::cerr, before.report.diagnostics);
        print_diagnostics(std::cerr, after.report.diagnostics);
    }
    const auto& old_text = *before.described;
    const auto& new_text = *after.described;

    Population population;
    population.learn(old_text);
    population.learn(new_text);
    population.generate(sample, seed);

    std::vector<std::pair<std::size_t, Impact>> impacts;
    for (std::size_t flag = 0; flag < view.flags.size(); ++flag) {
        Impact impact{.changes = describe_change(view.flags[flag], old_text, new_text), .moves = {}};
        for (std::size_t m = 0; m < population.size(); ++m) {
            const auto ctx = population.context(m);
            const auto a = before.core->evaluate(flag, ctx).value;
            const auto b = after.core->evaluate(flag, ctx).value;
            if (a == b) continue;
            ++impact.moves[{a, b}];
            ++impact.moved;
        }
        if (impact.moved > 0 && impact.changes.empty()) impact.changes.push_back("its entry reads the same");
        if (!impact.changes.empty()) impacts.emplace_back(flag, std::move(impact));
    }

    if (inv.common.json) {
        std::vector<std::string> rows;
        for (const auto& [flag, impact] : impacts) {
            const auto& info = view.flags[flag];
            std::vector<std::string> changes, moves;
            for (const auto& c : impact.changes) changes.push_back(json_quoted(c));
            for (const auto& [move, count] : impact.moves)
                moves.push_back(JsonLine{}
                                    .raw("from", value_json(info, move.first))
                                    .raw("to", value_json(info, move.second))
                                    .field("percent", share(count, sample))
                                    .str());
            rows.push_back(JsonLine{}
                               .field("flag", info.name)
                               .raw("changes", json_array(changes))
                               .field("changed_percent", share(impact.moved, sample))
                               .raw("moves", json_array(moves))
                               .field("summary", impact_text(info, impact, sample))
                               .str());
        }
        std::cout << JsonLine{}
                         .field("old", files[0])
                         .field("new", files[1])
                         .field("sample", static_cast<std::uint64_t>(sample))
                         .field("seed", seed)
                         .raw("flags", json_array(rows))
                         .str()
                  << '\n';
        return 0;
    }
    for (const auto& [flag, impact] : impacts) {
        std::string changes;
        for (const auto& c : impact.changes) changes += (changes.empty() ? "" : "; ") + c;
        std::cout << fmt::format("{}: {}: {}\n", view.flags[flag].name, changes, impact_text(view.flags[flag], impact, sample));
    }
    if (impacts.empty()) std::cout << fmt::format("no flag changes ({} synthetic users)\n", sample);
    else std::cout << fmt::format("{} changed; shares of {} synthetic users (seed {})\n", counted(impacts.size(), "flag"), sample, seed);
    return 0;
}

}  // namespace

const Command diff_command{
    .name = "diff",
    .summary = "preview what deploying a runtime file changes, and for whom",
    .usage = "flagctl diff OLD NEW [--sample N] [--seed S] [--registry PATH]",
    .help = "Compares two runtime files (or directories) before a deploy. For each flag whose entry changes,\n"
            "or whose value changes for anyone, it says what changed (value, rollout, split, rules, off,\n"
            "requires, bucket_by, salt, the segments and prerequisites it uses) and the share of a\n"
            "synthetic population whose value changes. Both files are evaluated by the runtime's engine.\n"
            "Synthetic users have unique ids; every other attribute the files test (tenant included)\n"
            "takes one of the values the files mention, a value they do not, or none, with equal chance.\n"
            "Exit 1 only when a file is invalid: changes are what diff is for.\n"
            "\n"
            "  --sample N  synthetic users (default 10000)\n"
            "  --seed S    another population of the same size (default 1)\n"
            "\n"
            "example:\n"
            "  $ flagctl diff --registry flags/registry.toml deployed.toml flags/runtime.toml\n"
            "  experiment.button-color: its prerequisite 'release.new-checkout' changed: 10.0% of users change\n"
            "  variant (blue -> green 5.2%, blue -> red 4.8%)\n"
            "  release.new-checkout: rollout 5% -> 25%: 20.4% of users gain it, 0.0% lose it\n"
            "  2 flags changed; shares of 10000 synthetic users (seed 1)\n",
    .options = diff_options,
    .run = diff,
};

}  // namespace flagctl
