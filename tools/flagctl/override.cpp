// flagctl override: the emergency lever. Writes the local override file, which the runtime reads on
// top of the base runtime file (an entry there replaces the base's entry for that flag), so that an
// operator can force a flag within seconds, without waiting for config management.
#include <fstream>
#include <iostream>
#include <sstream>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "command.hpp"
#include "engine.hpp"
#include "output.hpp"
#include "runtime/atomic_file.hpp"
#include "runtime/runtime_loader.hpp"
#include "entry_text.hpp"
#include "toml_input.hpp"

namespace flagctl {
namespace {

namespace fs = std::filesystem;

constexpr OptionSpec override_options[] = {{"--file", OptionSpec::Takes::one}};

// The override file as it is now: an empty document when it does not exist yet or is blank.
toml::table read_override_file(const fs::path& path) {
    std::error_code ec;
    if (!fs::exists(path, ec)) return {};
    std::vector<flags::Diagnostic> diagnostics;
    flags::internal::Reporter reporter(diagnostics);
    const auto text = flags::internal::read_text_file(path, path.string(), reporter, flags::Limits{}.max_file_bytes);
    if (!text) throw Failure{diagnostics};
    if (text->find_first_not_of(" \t\r\n") == std::string::npos) return {};
    auto root = flags::internal::parse_toml(*text, path.string(), reporter);
    if (!root) {
        for (auto& d : diagnostics) d.hint = "fix the override file by hand, or remove it; flagctl rewrites only a valid one";
        throw Failure{diagnostics};
    }
    return std::move(*root);
}

// The value index VALUE names for the flag, or a Failure saying which values the flag takes.
flags::ValueIndex parse_value(const flags::FlagInfo& flag, std::string_view value) {
    for (flags::ValueIndex v = 0; v < flag.value_count(); ++v)
        if (flag.value_name(v) == value) return v;
    if (flag.is_boolean())
        throw failure("override", fmt::format("'{}' is not a value of boolean flag '{}'", value, flag.name),
                      "give true or false");
    throw failure("override", fmt::format("'{}' is not a variant of flag '{}'", value, flag.name),
                  fmt::format("variants: {}", fmt::join(flag.variants, ", ")));
}

// The entry that serves `value` to everyone, as a runtime file writes it.
toml::table entry_for(const flags::FlagInfo& flag, flags::ValueIndex value) {
    if (flag.is_boolean()) return toml::table{{"value", value != 0}};
    return toml::table{{"value", std::string(flag.value_name(value))}};
}

std::string render(const toml::table& root) {
    std::ostringstream out;
    // Plain flags: double-quoted strings and no indentation, as the runtime files in the docs are written.
    out << toml::toml_formatter(root, toml::format_flags::none) << '\n';
    return out.str();
}

// The engine's own check of the file about to be written: a file the runtime would refuse is never
// put in its place.
void validate(const flags::RegistryView& registry, const fs::path& path, const std::string& content) {
    std::vector<flags::Diagnostic> diagnostics;
    const std::vector<flags::internal::RuntimeSource> sources{{.display = path.string(), .text = content, .layer = 0}};
    if (!flags::internal::compile_runtime(registry, sources, diagnostics)) {
        diagnostics.push_back(flags::Diagnostic{.file = "flagctl override",
                                                .message = "the override file would be invalid; nothing was written",
                                                .hint = "fix or remove the entries above in " + path.string()});
        throw Failure{diagnostics};
    }
}

int override_command_run(const Invocation& inv) {
    const auto& given = inv.args.positionals();
    if (given.empty()) throw UsageError("ACTION is missing: set or clear");
    const std::string action = given[0];
    if (action != "set" && action != "clear") throw UsageError("unknown action '" + action + "': set or clear");
    const auto& args = action == "set" ? inv.positionals({"ACTION", "FLAG", "VALUE"}) : inv.positionals({"ACTION", "FLAG"});
    const std::string name = args[1];
    const fs::path path = inv.args.required("--file");

    const auto registry = load_registry(inv.common);
    const auto view = registry.view();
    const int index = view.find(name);
    toml::table root = read_override_file(path);
    if (root.contains("flags") && !root.get_as<toml::table>("flags"))
        throw failure("override", fmt::format("'flags' in {} is not a table", path.string()),
                      "fix the override file by hand, or remove it");
    const auto* existing = root["flags"][name].as_table();
    const auto described = existing && index >= 0 ? describe_text(view, render(root), path.string()) : SourceMap{};
    const auto* described_entry = described.entry(name);
    const std::string previous =
        !existing ? "no override"
        : described_entry ? state_text(shape_of(*described_entry), view.flags[static_cast<std::size_t>(index)])
                          : "an entry";

    std::optional<flags::ValueIndex> value;
    if (action == "set") {
        const auto& flag = view.flags[find_flag(view, name, "override")];
        value = parse_value(flag, args[2]);
        if (!root.contains("flags")) root.insert("flags", toml::table{});
        root.get_as<toml::table>("flags")->insert_or_assign(name, entry_for(flag, *value));
    } else {
        if (!existing) {
            if (index < 0) find_flag(view, name, "override");  // throws: an unknown flag is most likely a typo
            if (inv.common.json)
                std::cout << JsonLine{}.field("ok", true).field("action", "clear").field("flag", name)
                                 .field("file", path.string()).field("changed", false).str() << '\n';
            else
                std::cout << fmt::format("{}: no override in {}; nothing to clear\n", name, path.string());
            return 0;
        }
        auto* flags_table = root.get_as<toml::table>("flags");
        flags_table->erase(name);
        if (flags_table->empty()) root.erase("flags");
    }
    if (!root.contains("schema")) root.insert("schema", flags::internal::runtime_schema);

    const std::string content = render(root);
    validate(view, path, content);
    if (const auto problem = flags::internal::write_atomically(path, content); !problem.empty())
        throw failure("override", fmt::format("cannot write {}: {}", path.string(), problem),
                      "check that the directory exists and that you may write to it");

    if (inv.common.json) {
        JsonLine json;
        json.field("ok", true).field("action", action).field("flag", name).field("file", path.string()).field("changed", true);
        if (value) json.raw("value", value_json(view.flags[static_cast<std::size_t>(index)], *value));
        std::cout << json.field("previous", previous).str() << '\n';
        return 0;
    }
    if (value)
        std::cout << fmt::format("{}: override set to {} in {} (before: {})\n", name,
                                 view.flags[static_cast<std::size_t>(index)].value_name(*value), path.string(), previous);
    else
        std::cout << fmt::format("{}: override cleared in {} (was: {})\n", name, path.string(), previous);
    return 0;
}

}  // namespace

const Command override_command{
    .name = "override",
    .summary = "set or clear a flag in the local override file, atomically",
    .usage = "flagctl override set FLAG VALUE --file OVERRIDE [--registry PATH]\n"
             "       flagctl override clear FLAG --file OVERRIDE [--registry PATH]",
    .help = "Writes the local override file, which services read on top of their runtime file: an entry\n"
            "there replaces the runtime file's entry for that flag, for everyone. An emergency kill in\n"
            "seconds, without waiting for config management. VALUE is true or false, or a variant name;\n"
            "both are checked against the registry, and the file is checked by the runtime's own loader\n"
            "before it is written. The file is replaced atomically (a temporary file in the same\n"
            "directory, flushed, renamed over it), so a service never reads half of it. Other entries\n"
            "are kept (comments are not); clearing the last one leaves `schema = 1`. Clearing a flag that\n"
            "has no override changes nothing.\n"
            "\n"
            "  --file OVERRIDE  the override file, as given to the service (created when missing)\n"
            "\n"
            "example:\n"
            "  $ flagctl override set ops.kill-switch-payments true --registry flags/registry.toml \\\n"
            "        --file /etc/checkout/flags-override.toml\n"
            "  ops.kill-switch-payments: override set to true in /etc/checkout/flags-override.toml (before: no override)\n",
    .options = override_options,
    .run = override_command_run,
};

}  // namespace flagctl
