// flagctl debt: what needs cleaning up, most urgent first, and every line the cleanup touches.
// Exit 1 when anything is overdue, so that CI can gate on it.
#include <algorithm>
#include <array>
#include <iostream>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "command.hpp"
#include "engine.hpp"
#include "git_history.hpp"
#include "output.hpp"
#include "registry/lifecycle_text.hpp"
#include "entry_text.hpp"
#include "source_scan.hpp"
#include "toml_input.hpp"
#include "usage_file.hpp"

namespace flagctl {
namespace {

constexpr OptionSpec debt_options[] = {
    {"--file", OptionSpec::Takes::one},
    {"--src", OptionSpec::Takes::greedy},
    {"--usage", OptionSpec::Takes::greedy},
    {"--build-dir", OptionSpec::Takes::one},
};

// A release flag that has served true to everyone for longer than this is finished: its rollout is
// done, and the old code path it keeps alive is dead weight.
constexpr int fully_on_grace_days = 14;

enum class Urgency { overdue, due, cleanup };

constexpr std::string_view to_string(Urgency u) {
    switch (u) {
    case Urgency::overdue: return "overdue";
    case Urgency::due: return "due";
    case Urgency::cleanup: return "cleanup";
    }
    return "?";
}

struct Location {
    std::string file{};
    int line = 0;
};

// One thing to clean up about a flag.
struct Finding {
    Urgency urgency = Urgency::cleanup;
    std::string kind{};  // expired, retiring, review, fully-on, unused, unevaluated, unregistered
    std::string message{};
    std::string hint{};
    std::int64_t days = 0;  // overdue: days past the limit; due: days left until it
    std::optional<flags::Date> since{};
    std::string since_from{};  // "since" (the entry's date) or "git"
    std::vector<const UsageFile*> usage{};  // unevaluated: the files that counted no evaluation of it
};

// A flag with debt, and every line its cleanup touches.
struct FlagDebt {
    std::string flag{};
    std::vector<Finding> findings{};  // most urgent first
    std::optional<Location> declared{}, entry{};
    std::vector<CallSite> call_sites{};
    std::optional<std::string> retire_command{};  // for an overdue flag

    const Finding& worst() const { return findings.front(); }
};

std::string days_text(std::int64_t days) { return counted(static_cast<std::size_t>(days), "day"); }

// Retirement and review dates, classified by the registry's own lifecycle_of and worded by its
// lifecycle_text, so that debt and the build agree on the day a flag expires and on what they say.
void date_findings(const flags::FlagInfo& flag, int warn_days, flags::Date today, std::vector<Finding>& out) {
    using Kind = flags::registry::Lifecycle::Kind;
    const auto state = flags::registry::lifecycle_of(flag, warn_days, today);
    if (state.kind == Kind::current) return;
    auto text = flags::registry::lifecycle_text(flag, state);
    const auto kind = state.kind == Kind::expired ? "expired" : state.kind == Kind::retiring ? "retiring" : "review";
    out.push_back(Finding{.urgency = state.kind == Kind::retiring ? Urgency::due : Urgency::overdue,
                          .kind = kind,
                          .message = std::move(text.message),
                          .hint = std::move(text.hint),
                          .days = state.days});
}

// A release flag whose runtime entry serves true to everyone: since when, from the entry's `since`
// or else the git history of its file.
std::optional<Finding> fully_on_finding(const flags::RegistryView& registry, const flags::FlagInfo& flag,
                                        const EntrySource& entry, flags::Date today) {
    if (flag.type != flags::FlagType::release || !entry.fully_on()) return std::nullopt;
    Finding f{.kind = "fully-on"};
    const std::string removal = fmt::format("the rollout is done: remove Flag::{} from the code, then the flag from the "
                                            "registry and the runtime file",
                                            flag.identifier);
    if (auto since = entry.since) {
        f.since = since;
        f.since_from = "since";
    } else if (auto from_git = held_since(registry, entry.place.file, flag.name,
                                          [](const EntrySource* e) { return e != nullptr && e->fully_on(); })) {
        f.since = from_git;
        f.since_from = "git";
    }
    if (!f.since) {
        f.message = "serves true to everyone, since a date nobody recorded";
        f.hint = "add since = YYYY-MM-DD to its runtime entry, or keep the runtime file in git; " + removal;
        return f;
    }
    const auto held = (today - *f.since).count();
    const std::string from = f.since_from == "git" ? "by the git history of " + entry.place.file : "by its since date";
    if (held > fully_on_grace_days) {
        f.urgency = Urgency::overdue;
        f.days = held - fully_on_grace_days;
        f.message = fmt::format("has served true to everyone for {} (since {}, {})", days_text(held),
                                date_text(*f.since), from);
    } else {
        f.urgency = Urgency::due;
        f.days = fully_on_grace_days + 1 - held;
        f.message = fmt::format("has served true to everyone for {} (since {}, {}); overdue in {}", days_text(held),
                                date_text(*f.since), from, days_text(f.days));
    }
    f.hint = removal;
    return f;
}

// The usage files read, and for each registry flag the files that list it with its count. A file
// that does not list a flag comes from a service whose registry lacks it, which says nothing about
// the flag; so only the files that list it count, and a flag none lists gets no finding.
struct Usage {
    struct Count {
        const UsageFile* file;
        std::uint64_t evaluations;
    };
    std::vector<UsageFile> files;
    std::vector<std::vector<Count>> counts;  // by registry index
};

// Reads every file (the first bad one ends the command), and warns about the flags a file lists that
// the registry does not know.
Usage read_usage(const std::vector<std::string>& names, const flags::RegistryView& view,
                 std::vector<flags::Diagnostic>& warnings) {
    Usage usage;
    for (const auto& name : names) usage.files.push_back(read_usage_file(name));
    usage.counts.resize(view.flags.size());
    for (const auto& file : usage.files) {
        for (const auto& flag : file.flags) {
            const int index = view.find(flag.name);
            if (index >= 0) {
                usage.counts[static_cast<std::size_t>(index)].push_back({&file, flag.evaluations});
                continue;
            }
            warnings.push_back(flags::Diagnostic{
                .severity = flags::Severity::warning,
                .file = file.file,
                .line = flag.position.line,
                .column = flag.position.column,
                .message = fmt::format("flag '{}' is not in the registry; its usage is ignored", flags::internal::one_line(flag.name)),
                .hint = fmt::format("the service was built with another registry than {}: an older or newer one, "
                                    "or another service's",
                                    view.source)});
        }
    }
    return usage;
}

// A flag that the services whose files list it never evaluated in the periods those files cover.
std::optional<Finding> unevaluated_finding(const flags::FlagInfo& flag, const std::vector<Usage::Count>& counts) {
    if (counts.empty() || std::ranges::any_of(counts, [](const auto& c) { return c.evaluations > 0; }))
        return std::nullopt;
    Finding f{.kind = "unevaluated"};
    std::string services;
    for (const auto& c : counts) {
        services += (services.empty() ? "" : "; ") + c.file->describe();
        f.usage.push_back(c.file);
    }
    f.message = "not evaluated by a running service: " + services;
    // A short period can miss a flag that guards a rare path, and a service without a usage file
    // here may read it: the finding is a question to answer before the removal, not a verdict.
    f.hint = fmt::format("if no other service reads it and the period covers its rare paths (a monthly job, an "
                         "error path), remove Flag::{} from the code, then the flag from the registry and the "
                         "runtime file",
                         flag.identifier);
    return f;
}

// The value an entry serves everyone, when it serves one: the default when it is off; else, without
// rules or prerequisites, its `value`, a rollout of 100 % (true) or 0 % (false), or a split wholly on
// one variant.
std::optional<std::string> served_to_everyone(const flags::FlagInfo& flag, const EntrySource& entry) {
    const auto shape = shape_of(entry);
    if (shape.off) return std::string(flag.value_name(flag.default_value));
    if (entry.fully_on()) return "true";
    if (shape.rules > 0 || !shape.required.empty()) return std::nullopt;
    if (shape.value) return shape.value;
    if (shape.rollout && (*shape.rollout == 0 || *shape.rollout == 10000))
        return *shape.rollout == 0 ? "false" : "true";
    std::optional<std::string> only;
    for (const auto& [variant, weight] : shape.split) {
        if (weight == 0) continue;
        if (only) return std::nullopt;
        only = variant;
    }
    return only;
}

// The command that retires an overdue flag, keeping what the runtime file serves everyone if it
// serves one value; VALUE for the person to choose otherwise.
std::string retire_command(const flags::FlagInfo& flag, const EntrySource* entry, const Invocation& inv) {
    std::optional<std::string> keep;
    if (entry) keep = served_to_everyone(flag, *entry);
    const auto file = inv.args.value("--file");
    return fmt::format("flagctl retire {} --keep {} --build-dir {} --registry {}{}", flag.name, keep.value_or("VALUE"),
                       inv.args.value("--build-dir").value_or("build"), inv.common.registry.generic_string(),
                       file ? " --runtime " + *file : "");
}

// Overdue first, the longest overdue at the top; then what is due, the soonest first; then cleanups.
bool more_urgent(const Finding& a, const Finding& b) {
    if (a.urgency != b.urgency) return a.urgency < b.urgency;
    if (a.urgency == Urgency::overdue) return a.days > b.days;
    if (a.urgency == Urgency::due) return a.days < b.days;
    return false;
}

void sort_by_urgency(std::vector<FlagDebt>& debts) {
    for (auto& d : debts) std::stable_sort(d.findings.begin(), d.findings.end(), more_urgent);
    std::stable_sort(debts.begin(), debts.end(), [](const FlagDebt& a, const FlagDebt& b) {
        if (more_urgent(a.worst(), b.worst())) return true;
        if (more_urgent(b.worst(), a.worst())) return false;
        return a.flag < b.flag;
    });
}

std::string location_json(const std::optional<Location>& l) {
    return l ? JsonLine{}.field("file", l->file).field("line", l->line).str() : "null";
}

// The usage files behind an unevaluated finding; null for the other kinds.
std::string usage_json(const Finding& f) {
    if (f.kind != "unevaluated") return "null";
    std::vector<std::string> files;
    for (const auto* file : f.usage)
        files.push_back(JsonLine{}
                            .field("file", file->file)
                            .field("service", file->service)
                            .field("started_at", file->started_at)
                            .field("written_at", file->written_at)
                            .str());
    return json_array(files);
}

std::array<std::uint64_t, 3> count_by_urgency(const std::vector<FlagDebt>& debts) {
    std::array<std::uint64_t, 3> counts{};
    for (const auto& d : debts) ++counts[static_cast<std::size_t>(d.worst().urgency)];
    return counts;
}

void print_json(const std::vector<FlagDebt>& debts, flags::Date today) {
    std::vector<std::string> rows;
    for (const auto& d : debts) {
        std::vector<std::string> findings, sites;
        for (const auto& f : d.findings)
            findings.push_back(JsonLine{}
                                   .field("urgency", to_string(f.urgency))
                                   .field("kind", f.kind)
                                   .field("message", f.message)
                                   .field("hint", f.hint)
                                   .field("days", f.days)
                                   .raw("since", f.since ? json_quoted(date_text(*f.since)) : "null")
                                   .raw("since_from", f.since_from.empty() ? "null" : json_quoted(f.since_from))
                                   .raw("usage", usage_json(f))
                                   .str());
        for (const auto& s : d.call_sites)
            sites.push_back(JsonLine{}.field("file", s.file).field("line", s.line).field("text", s.text).str());
        rows.push_back(JsonLine{}
                           .field("flag", d.flag)
                           .field("urgency", to_string(d.worst().urgency))
                           .raw("findings", json_array(findings))
                           .raw("declared", location_json(d.declared))
                           .raw("entry", location_json(d.entry))
                           .raw("call_sites", json_array(sites))
                           .raw("retire", d.retire_command ? json_quoted(*d.retire_command) : "null")
                           .str());
    }
    const auto counts = count_by_urgency(debts);
    std::cout << JsonLine{}
                     .field("today", date_text(today))
                     .field("overdue", counts[0])
                     .field("due", counts[1])
                     .field("cleanup", counts[2])
                     .raw("flags", json_array(rows))
                     .str()
              << '\n';
}

// One block per flag: its findings, each with its hint, then every line the cleanup touches.
void print_text(const std::vector<FlagDebt>& debts) {
    constexpr std::string_view indent = "           ";
    for (const auto& d : debts) {
        std::cout << d.flag << '\n';
        for (const auto& f : d.findings) {
            std::cout << fmt::format("  {:<8} {}\n", to_string(f.urgency), f.message);
            std::cout << indent << "hint: " << f.hint << '\n';
        }
        if (d.retire_command) std::cout << "  retire   " << *d.retire_command << '\n';
        std::vector<std::string> touches;
        if (d.declared) touches.push_back(fmt::format("{}:{}: registry entry", d.declared->file, d.declared->line));
        if (d.entry) touches.push_back(fmt::format("{}:{}: runtime entry", d.entry->file, d.entry->line));
        for (const auto& s : d.call_sites) touches.push_back(fmt::format("{}:{}: {}", s.file, s.line, s.text));
        for (std::size_t i = 0; i < touches.size(); ++i)
            std::cout << (i == 0 ? "  touches  " : indent) << touches[i] << '\n';
    }
    const auto counts = count_by_urgency(debts);
    if (debts.empty()) std::cout << "no flag debt\n";
    else std::cout << fmt::format("{} overdue, {} due, {} to clean up\n", counts[0], counts[1], counts[2]);
}

int debt(const Invocation& inv) {
    inv.positionals({});
    const auto file = inv.args.value("--file");
    std::vector<std::filesystem::path> roots;
    for (const auto& src : inv.args.values("--src")) {
        if (!std::filesystem::exists(src))
            throw failure("debt", fmt::format("--src {}: no such file or directory", src),
                          "name the directories of the C++ code that reads the flags");
        roots.emplace_back(src);
    }

    const auto registry = load_registry(inv.common);
    const auto view = registry.view();
    std::optional<SourceMap> text;
    if (file) text = std::move(*require_runtime(inv.common, view, *file).described);
    std::vector<flags::Diagnostic> warnings;
    const auto usage = read_usage(inv.args.values("--usage"), view, warnings);
    if (!inv.common.json) print_diagnostics(std::cerr, warnings);
    const auto call_sites = roots.empty() ? std::vector<std::vector<CallSite>>{} : find_call_sites(roots, view);
    std::vector<std::string> root_names;
    for (const auto& root : roots) root_names.push_back(root.generic_string());
    const auto searched = fmt::format("{}", fmt::join(root_names, ", "));

    std::vector<FlagDebt> debts;
    for (std::size_t i = 0; i < view.flags.size(); ++i) {
        const auto& flag = view.flags[i];
        FlagDebt d{.flag = std::string(flag.name)};
        date_findings(flag, registry.policy().warn_days, inv.common.today, d.findings);
        const EntrySource* entry = text ? text->entry(flag.name) : nullptr;
        if (entry)
            if (auto f = fully_on_finding(view, flag, *entry, inv.common.today)) d.findings.push_back(std::move(*f));
        if (!roots.empty() && call_sites[i].empty())
            d.findings.push_back(Finding{
                .kind = "unused",
                .message = fmt::format("no C++ file under {} reads it", searched),
                .hint = fmt::format("remove the flag from the registry and the runtime file, or read it as Flag::{}",
                                    flag.identifier)});
        if (auto f = unevaluated_finding(flag, usage.counts[i])) d.findings.push_back(std::move(*f));
        if (d.findings.empty()) continue;
        const auto& source = registry.source_of(i);
        d.declared = Location{source.file, source.line};
        if (entry) d.entry = Location{entry->place.file, entry->place.line};
        if (!roots.empty()) d.call_sites = call_sites[i];
        if (std::ranges::any_of(d.findings, [](const Finding& f) { return f.urgency == Urgency::overdue; }))
            d.retire_command = retire_command(flag, entry, inv);
        debts.push_back(std::move(d));
    }
    if (text) {
        for (const auto& entry : text->entries()) {
            if (view.find(entry.flag) >= 0) continue;
            debts.push_back(FlagDebt{.flag = entry.flag,
                                     .findings = {Finding{.kind = "unregistered",
                                                          .message = "runtime entry for a flag the registry does not know",
                                                          .hint = "remove the entry once no deployed binary reads the flag"}},
                                     .entry = Location{entry.place.file, entry.place.line}});
        }
    }
    sort_by_urgency(debts);

    if (inv.common.json) print_json(debts, inv.common.today);
    else print_text(debts);
    return count_by_urgency(debts)[0] > 0 ? 1 : 0;
}

}  // namespace

const Command debt_command{
    .name = "debt",
    .summary = "what needs cleaning up, most urgent first; exit 1 when overdue",
    .usage = "flagctl debt [--file RUNTIME] [--src DIR...] [--usage FILE...] [--build-dir DIR] [--registry PATH]",
    .help = "Lists flag debt, most urgent first, with every line its cleanup touches:\n"
            "  overdue  release and experiment flags past retire_by; ops and permission flags past\n"
            "           review_by; release flags that have served true to everyone (value = true or\n"
            "           rollout = 100) for more than 14 days\n"
            "  due      flags retiring within the registry's warn_days; release flags fully on for 14\n"
            "           days or less\n"
            "  cleanup  flags no C++ file reads (with --src); flags no running service evaluated (with\n"
            "           --usage); runtime entries for unregistered flags; fully-on flags whose start date\n"
            "           is unknown\n"
            "How long a flag has been fully on comes from `since = YYYY-MM-DD` on its runtime entry, or\n"
            "else from the git history of the runtime file. Each overdue flag gets the `flagctl retire`\n"
            "command that removes it, with --keep the value the runtime file serves everyone when it\n"
            "serves one (value = true, rollout = 100, off), else VALUE to choose. Exit 1 when anything\n"
            "is overdue.\n"
            "\n"
            "  --file RUNTIME  the runtime file (or directory) whose states to examine\n"
            "  --src DIR...    C++ source directories (or files) to search for Flag::x and \"type.name\"\n"
            "  --build-dir DIR the build directory the retire commands name (default: build)\n"
            "  --usage FILE... usage files written by running services: a flag that every file listing\n"
            "                  it counts 0 evaluations of is a cleanup (a file that does not list a flag\n"
            "                  says nothing about it). Each file is JSON:\n"
            "                  {\"schema\": \"flagstone-usage/1\", \"service\": \"checkout\",\n"
            "                   \"started_at\": \"2026-11-21T08:00:00Z\", \"written_at\": \"2026-11-21T10:00:00Z\",\n"
            "                   \"flags\": [{\"flag\": \"ops.x\", \"evaluations\": 0, \"last_evaluated\": null,\n"
            "                              \"values\": []}, ...]}\n"
            "\n"
            "example:\n"
            "  $ flagctl debt --registry registry.toml --file debt.toml --src src\n"
            "  ...\n"
            "  release.dark-mode\n"
            "    overdue  has served true to everyone for 27 days (since 2026-10-25, by its since date)\n"
            "             hint: the rollout is done: remove Flag::release_dark_mode from the code, then the flag\n"
            "             from the registry and the runtime file\n"
            "    touches  registry.toml:26: registry entry\n"
            "             debt.toml:7: runtime entry\n"
            "             src/checkout.cpp:8: if (flags::enabled<\"release.dark-mode\">(ctx)) return 3;\n"
            "  ...\n"
            "  4 overdue, 1 due, 2 to clean up\n"
            "\n"
            "  $ flagctl debt --registry registry.toml --usage usage/checkout.json usage/search.json\n"
            "  ...\n"
            "  permission.early-access\n"
            "    cleanup  not evaluated by a running service: checkout from 2026-11-21T08:00:00Z to\n"
            "             2026-11-21T10:00:00Z (usage/checkout.json)\n"
            "             hint: if no other service reads it and the period covers its rare paths (a monthly\n"
            "             ...\n"
            "    touches  registry.toml:72: registry entry\n"
            "  3 overdue, 1 due, 2 to clean up\n",
    .options = debt_options,
    .run = debt,
};

}  // namespace flagctl
