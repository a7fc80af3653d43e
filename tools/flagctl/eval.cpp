// flagctl eval: why did this user get this value? The engine evaluates the flag for the given
// context; this command adds what a person needs to follow it: the rule as written, the bucket, and
// the reason in words.
#include <iostream>

#include <fmt/format.h>

#include "command.hpp"
#include "engine.hpp"
#include "output.hpp"
#include "entry_text.hpp"

namespace flagctl {
namespace {

constexpr OptionSpec eval_options[] = {
    {"--file", OptionSpec::Takes::one},
    {"--override", OptionSpec::Takes::one},
    ContextArgs::options[0],
    ContextArgs::options[1],
    ContextArgs::options[2],
};

// The reason in words, for one evaluation. `prerequisites` describes the values of the flags the
// entry requires, for PREREQUISITE_FAILED.
std::string explain(const flags::Evaluation& e, const EntrySource* entry, const EntryShape& shape,
                    const std::string& prerequisites) {
    using flags::Reason;
    switch (e.reason) {
    case Reason::DEFAULT:
        return entry ? "nothing in the entry applies: the registry default" : "no entry for the flag: the registry default";
    case Reason::STATIC: return "the entry's value";
    case Reason::TARGETING_MATCH: return fmt::format("rule {} matched", e.rule_index);
    case Reason::SPLIT: return fmt::format("the entry's {}, by the key's bucket", shape.rollout ? "rollout" : "split");
    case Reason::DISABLED: return "off = true: the registry default";
    case Reason::PREREQUISITE_FAILED:
        return "a flag it requires has another value (" + prerequisites + "): the registry default";
    case Reason::ERROR:
        if (e.error == flags::ErrorCode::TARGETING_KEY_MISSING)
            return fmt::format("the context has no '{}', the key it buckets by: the registry default (pass --{})",
                               shape.bucket_by,
                               shape.bucket_by == "user" || shape.bucket_by == "tenant" ? shape.bucket_by
                                                                                        : "attr " + shape.bucket_by + "=...");
        return "evaluation failed: the registry default";
    }
    return {};
}

int eval(const Invocation& inv) {
    const std::string name = inv.positionals({"FLAG"})[0];
    const std::filesystem::path file = inv.args.required("--file");
    const std::filesystem::path override_file = inv.args.value("--override").value_or("");
    const ContextArgs context_args(inv.args);

    const auto registry = load_registry(inv.common);
    const auto view = registry.view();
    const std::size_t flag = find_flag(view, name, "eval");
    const auto runtime = require_runtime(inv.common, view, file, override_file);
    const auto ctx = context_args.context();
    const flags::Evaluation e = runtime.core->evaluate(flag, ctx);
    const auto& info = view.flags[flag];

    const EntrySource* entry = runtime.described->entry(name);
    const EntryShape shape = entry ? shape_of(*entry) : EntryShape{};
    const auto matched = static_cast<std::size_t>(e.rule_index);
    const RuleSource* rule = e.rule_index >= 0 && entry && matched < entry->rules.size() ? &entry->rules[matched] : nullptr;
    std::string prerequisites;
    for (const auto& required : shape.required) {
        if (const int other = view.find(required); other >= 0) {
            const auto value = runtime.core->evaluate(static_cast<std::size_t>(other), ctx).value;
            prerequisites += fmt::format("{}{} is {}", prerequisites.empty() ? "" : ", ", required,
                                         view.flags[static_cast<std::size_t>(other)].value_name(value));
        }
    }
    const std::string bucket_by = e.bucket >= 0 ? shape.bucket_by : "";

    if (inv.common.json) {
        JsonLine json;
        json.field("flag", name)
            .raw("value", value_json(info, e.value))
            .field("variant", info.value_name(e.value))
            .field("reason", flags::to_string(e.reason))
            .raw("error", e.error == flags::ErrorCode::NONE ? "null" : json_quoted(flags::to_string(e.error)))
            .raw("rule_index", e.rule_index >= 0 ? std::to_string(e.rule_index) : "null")
            .raw("rule", rule ? JsonLine{}.field("file", rule->place.file).field("line", rule->place.line).field("text", rule->text).str()
                              : "null")
            .raw("bucket", e.bucket >= 0 ? std::to_string(e.bucket) : "null")
            .raw("bucket_by", bucket_by.empty() ? "null" : json_quoted(bucket_by))
            .field("explanation", explain(e, entry, shape, prerequisites))
            .field("generation", e.generation)
            .field("hash", flags::internal::hex_hash(e.content_hash));
        std::cout << json.str() << '\n';
        return 0;
    }
    std::cout << fmt::format("flag     {}\n", name)
              << fmt::format("context  {}\n", context_args.describe())
              << fmt::format("value    {}\n", info.value_name(e.value))
              << fmt::format("variant  {}\n", info.value_name(e.value))
              << fmt::format("reason   {}{}: {}\n", flags::to_string(e.reason),
                             e.error == flags::ErrorCode::NONE ? "" : fmt::format(" ({})", flags::to_string(e.error)),
                             explain(e, entry, shape, prerequisites));
    if (rule) std::cout << fmt::format("rule     {}:{}: {}\n", rule->place.file, rule->place.line, rule->text);
    if (e.bucket >= 0) std::cout << fmt::format("bucket   {} of 0..9999, by {}\n", e.bucket, bucket_by);
    if (entry) std::cout << fmt::format("entry    {}:{}{}\n", entry->place.file, entry->place.line, entry->from_override ? " (override)" : "");
    return 0;
}

}  // namespace

const Command eval_command{
    .name = "eval",
    .summary = "evaluate a flag for one context, and say why",
    .usage = "flagctl eval FLAG --file RUNTIME [--override FILE] [--user U] [--tenant T] [--attr NAME=VALUE ...]",
    .help = "Evaluates FLAG for the context given, with the runtime's own engine, and shows the value, the\n"
            "reason, the rule that matched as written in the file, and the key's bucket (0..9999).\n"
            "\n"
            "  --file RUNTIME     the runtime file, or a directory of them\n"
            "  --override FILE    the local override file the service reads on top of RUNTIME\n"
            "  --user U           the context's user key\n"
            "  --tenant T         the context's tenant key\n"
            "  --attr NAME=VALUE  an attribute; repeat for more\n"
            "\n"
            "example:\n"
            "  $ flagctl eval release.fast-search --registry flags/registry.toml --file flags/runtime.toml \\\n"
            "        --user u-42 --attr plan=scale\n"
            "  flag     release.fast-search\n"
            "  context  user=u-42 plan=scale\n"
            "  value    true\n"
            "  variant  true\n"
            "  reason   TARGETING_MATCH: rule 0 matched\n"
            "  rule     flags/runtime.toml:14: { when = [{ attr = \"plan\", in = [\"scale\"] }], rollout = 50 }\n"
            "  bucket   4942 of 0..9999, by user\n"
            "  entry    flags/runtime.toml:12\n",
    .options = eval_options,
    .run = eval,
};

}  // namespace flagctl
