// flagctl list: the registry as a table, for reviewers; with --file, each flag's current state too.
#include <iostream>

#include <fmt/format.h>

#include "command.hpp"
#include "engine.hpp"
#include "output.hpp"
#include "entry_text.hpp"

namespace flagctl {
namespace {

constexpr OptionSpec list_options[] = {
    {"--file", OptionSpec::Takes::one},
    {"--override", OptionSpec::Takes::one},
};

// The date that ends or reviews the flag's life, and whether it is a review date.
struct Deadline {
    std::optional<flags::Date> date;
    bool review = false;
};

Deadline deadline_of(const flags::FlagInfo& flag) {
    if (flag.retire_by) return {flag.retire_by, false};
    if (flag.review_by) return {flag.review_by, true};
    return {};
}

int list(const Invocation& inv) {
    inv.positionals({});
    const auto file = inv.args.value("--file");
    const std::filesystem::path override_file = inv.args.value("--override").value_or("");
    if (!file && !override_file.empty()) throw UsageError("--override needs --file");

    const auto registry = load_registry(inv.common);
    const auto view = registry.view();
    // Validated by the engine first: a state is shown only for a file a service would accept.
    std::optional<SourceMap> text;
    if (file) text = std::move(*require_runtime(inv.common, view, *file, override_file).described);

    auto state_of = [&](const flags::FlagInfo& flag) -> std::string {
        const auto* entry = text->entry(flag.name);
        if (!entry) return "no entry";
        return state_text(shape_of(*entry), flag) + (entry->from_override ? " (override)" : "");
    };

    if (inv.common.json) {
        std::vector<std::string> rows;
        for (const auto& flag : view.flags) {
            const auto deadline = deadline_of(flag);
            JsonLine row;
            row.field("name", flag.name)
                .field("type", flags::to_string(flag.type))
                .field("owner", flag.owner)
                .field("created", date_text(flag.created))
                .field("age_days", static_cast<std::int64_t>((inv.common.today - flag.created).count()))
                .raw("retire_by", flag.retire_by ? json_quoted(date_text(*flag.retire_by)) : "null")
                .raw("review_by", flag.review_by ? json_quoted(date_text(*flag.review_by)) : "null")
                .raw("days_left", deadline.date ? std::to_string((*deadline.date - inv.common.today).count()) : "null")
                .raw("default", value_json(flag, flag.default_value));
            if (text) {
                const auto* entry = text->entry(flag.name);
                row.field("state", state_of(flag))
                    .raw("entry", entry ? JsonLine{}
                                              .field("file", entry->place.file)
                                              .field("line", entry->place.line)
                                              .field("override", entry->from_override)
                                              .str()
                                        : "null");
            }
            rows.push_back(row.str());
        }
        std::cout << JsonLine{}
                         .field("registry", inv.common.registry.generic_string())
                         .field("today", date_text(inv.common.today))
                         .raw("flags", json_array(rows))
                         .str()
                  << '\n';
        return 0;
    }

    std::vector<std::string> header{"NAME", "TYPE", "OWNER", "CREATED", "AGE", "RETIRE_BY", "LEFT", "DEFAULT"};
    if (text) header.emplace_back("STATE");
    Table table(header);
    for (const auto& flag : view.flags) {
        const auto deadline = deadline_of(flag);
        std::vector<std::string> row{
            std::string(flag.name),
            std::string(flags::to_string(flag.type)),
            std::string(flag.owner),
            date_text(flag.created),
            fmt::format("{}d", (inv.common.today - flag.created).count()),
            deadline.date ? (deadline.review ? "review " : "") + date_text(*deadline.date) : "-",
            deadline.date ? fmt::format("{}d", (*deadline.date - inv.common.today).count()) : "-",
            std::string(flag.value_name(flag.default_value)),
        };
        if (text) row.push_back(state_of(flag));
        table.add(std::move(row));
    }
    table.print(std::cout);
    return 0;
}

}  // namespace

const Command list_command{
    .name = "list",
    .summary = "the registry as a table; with --file, each flag's state",
    .usage = "flagctl list [--file RUNTIME [--override FILE]] [--registry PATH]",
    .help = "Lists every registered flag: name, type, owner, created, age, retire_by (or review_by, marked\n"
            "\"review\") and the days left until it (negative: past), and the default. With --file, the\n"
            "flag's state in that runtime file: off, a value, a rollout (25%), a split, its rules and\n"
            "prerequisites, or \"no entry\" (the default serves).\n"
            "\n"
            "  --file RUNTIME   show each flag's state in this runtime file (or directory)\n"
            "  --override FILE  with the local override file on top\n"
            "\n"
            "example:\n"
            "  $ flagctl list --registry flags/registry.toml --file flags/runtime.toml\n"
            "  NAME                      TYPE        OWNER          CREATED     AGE   RETIRE_BY          LEFT  DEFAULT  STATE\n"
            "  ...\n"
            "  ops.kill-switch-payments  ops         oncall         2025-01-01  689d  review 2027-09-01  284d  false    false\n"
            "  release.fast-search       release     search-team    2026-10-15  37d   2027-06-30         221d  false    false, 1 rule\n"
            "  release.new-checkout      release     payments-team  2026-11-01  20d   2027-07-15         236d  false    25%\n",
    .options = list_options,
    .run = list,
};

}  // namespace flagctl
