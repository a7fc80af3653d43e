// Reads a flag registry (one TOML file, or a directory of them), validates all of it, and owns the
// resulting metadata. flagc turns it into C++; flagctl hands its view() to the evaluation engine.
#pragma once

#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <flags/diagnostic.hpp>
#include <flags/registry_types.hpp>
#include <flags/runtime_options.hpp>

namespace flags::registry {

struct Policy {
    int warn_days = 14;
    std::optional<int> max_days_release;
    std::optional<int> max_days_experiment;
};

// Where a flag was declared, for messages that come after loading (expiry, flagctl debt).
struct FlagSource {
    std::string file;
    int line = 0;  // the flag's table header
    int column = 0;
    int date_line = 0;  // the retire_by or review_by key, or the header when there is none
    int date_column = 0;
};

class LoadedRegistry {
public:
    LoadedRegistry();
    LoadedRegistry(LoadedRegistry&&) noexcept;
    LoadedRegistry& operator=(LoadedRegistry&&) noexcept;
    ~LoadedRegistry();

    RegistryView view() const noexcept;
    const FlagSource& source_of(std::size_t flag) const noexcept;
    const Policy& policy() const noexcept;
    const std::vector<std::string>& files() const noexcept;  // as displayed in messages

private:
    friend class RegistryBuilder;
    struct Storage;
    std::unique_ptr<Storage> storage_;
};

// What the generated header can hold: flags::Flag, each variant enum and ValueIndex are 16 bits.
inline constexpr std::size_t max_flags = 65'536;
inline constexpr std::size_t max_variants = 65'536;

// A registry file larger than this is refused before it is read: the largest registry of flags a
// header can hold (max_flags) is a few megabytes.
inline constexpr std::size_t max_registry_file_bytes = 16u << 20;

// What the files of one registry may hold together, counted in their text before toml++ builds a tree
// of it (the runtime reader's checks, src/runtime/text_budget.hpp). A parsed value costs 100 to 200
// bytes, so a 15 MB file of `x = [{},{},...]` would take 600 MB before its keys could be refused;
// these keep refusing any registry under 128 MiB, and a registry of max_flags flags of up to seven
// keys each still passes.
inline constexpr std::size_t max_registry_total_bytes = 32u << 20;
inline constexpr Limits registry_text_limits{
    .max_file_bytes = max_registry_file_bytes,
    .max_total_bytes = max_registry_total_bytes,
    .max_values = 8 * max_flags,
    .max_array_elements = 2 * max_variants,  // past max_variants, a list of variants gets its own message
    .max_nesting = 8,
};

struct LoadOptions {
    // Paths in messages are shown relative to this directory when they lie below it, so that a
    // build running in build/ still reports "flags/registry.toml:12:1".
    std::filesystem::path display_root;
};

struct LoadOutcome {
    std::optional<LoadedRegistry> registry;  // empty when any error was found
    std::vector<Diagnostic> diagnostics;     // sorted by file and position
};

// `input` is a registry file or a directory whose *.toml files together form the registry.
LoadOutcome load_registry(const std::filesystem::path& input, const LoadOptions& options = {});

// The same for one registry file's text in memory; `display` names it in messages.
LoadOutcome load_registry_text(std::string_view text, const std::string& display);

// Where a flag stands against its dates on `today`: nothing to say, retiring within warn_days (days
// left, 0 on the day itself), expired (days since retire_by), or past review_by (days since).
struct Lifecycle {
    enum class Kind { current, retiring, expired, review_due } kind = Kind::current;
    std::int64_t days = 0;
};
Lifecycle lifecycle_of(const FlagInfo& flag, int warn_days, Date today) noexcept;

// Retirement and review dates against `today`: errors for expired release and experiment flags,
// warnings for those within policy.warn_days and for ops/permission flags past review_by.
std::vector<Diagnostic> check_lifecycle(const LoadedRegistry& registry, Date today);

// "2026-11-21" -> a date; nullopt when it is not a valid calendar date in that form.
std::optional<Date> parse_iso_date(std::string_view text) noexcept;
std::string format_date(Date date);

}  // namespace flags::registry
