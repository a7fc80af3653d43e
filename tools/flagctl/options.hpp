// Command-line parsing for flagctl: each subcommand declares its options, the parser adds the common
// ones (--registry, --json, --today, --help), and any misuse is a UsageError (exit code 2).
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include <flags/context.hpp>
#include <flags/registry_types.hpp>

namespace flagctl {

// The command line was wrong: flagctl prints the message and the command's usage, and exits 2.
struct UsageError : std::runtime_error {
    using std::runtime_error::runtime_error;
};

struct OptionSpec {
    enum class Takes {
        nothing,  // a switch: --json
        one,      // --file PATH
        repeated, // --attr a=1 --attr b=2
        greedy,   // repeatable, and "--src a b" takes every value up to the next option
    };
    std::string_view name;
    Takes takes = Takes::nothing;
};

class Arguments {
public:
    // `specs` are the command's own options; the common ones are added. Throws UsageError.
    Arguments(std::span<const std::string_view> args, std::span<const OptionSpec> specs);

    bool has(std::string_view name) const { return values_.contains(std::string(name)); }
    std::optional<std::string> value(std::string_view name) const;
    std::string required(std::string_view name) const;
    std::vector<std::string> values(std::string_view name) const;
    // A positive whole number, or `fallback` when the option is absent.
    std::uint64_t count(std::string_view name, std::uint64_t fallback) const;
    const std::vector<std::string>& positionals() const { return positionals_; }

private:
    std::map<std::string, std::vector<std::string>, std::less<>> values_;
    std::vector<std::string> positionals_;
};

// What every command shares.
struct Common {
    std::filesystem::path registry = "flags";
    bool json = false;
    flags::Date today{};  // --today, or the current date in UTC
};

Common common_options(const Arguments& args);

// --user, --tenant and --attr k=v, owning the strings the Context views.
class ContextArgs {
public:
    static constexpr OptionSpec options[] = {
        {"--user", OptionSpec::Takes::one},
        {"--tenant", OptionSpec::Takes::one},
        {"--attr", OptionSpec::Takes::repeated},
    };

    explicit ContextArgs(const Arguments& args);  // throws UsageError on an --attr without '='

    // Views this object's strings: keep it alive while the context is used.
    flags::Context context() const;
    // "user=u-42 tenant=acme plan=growth", or "an empty context".
    std::string describe() const;

private:
    std::string user_, tenant_;
    std::vector<std::pair<std::string, std::string>> attributes_;
};

}  // namespace flagctl
