// Turns runtime TOML files into the compiled programs of a snapshot, validating them against a
// registry view. The same code serves the generated registry of a service and a registry read at
// run time by flagctl.
#pragma once

#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include <flags/diagnostic.hpp>
#include <flags/registry_types.hpp>
#include <flags/runtime_options.hpp>

#include "flag_index.hpp"
#include "snapshot.hpp"

namespace flags::internal {

struct RuntimeSource {
    std::string display;  // the file as messages name it
    std::string text;
    // Files of one layer are merged, and a flag may appear in only one of them; an entry in a higher
    // layer (the local override file) replaces the flag's entry from a lower one.
    int layer = 0;
};

// A source whose text the caller keeps, read where it is: text handed over in memory
// (Runtime::load_text) is not copied to be compiled.
struct SourceView {
    std::string_view display;
    std::string_view text;
    int layer = 0;
};

struct CompiledFile {
    std::shared_ptr<const CompiledRules> rules;
    std::vector<FlagProgram> flags;  // one per registry flag, in registry order
    std::uint64_t content_hash = 0;
};

// The schema this build reads; a file declaring a newer one is refused rather than half understood.
inline constexpr int runtime_schema = 1;

class SourceMap;

// What compiling needs of a registry at every load, made once: its flags by name, and each flag's
// default salt (the hash of its name). A runtime keeps these for its registry, so that no load hashes
// every registered name again; compile_runtime makes its own when given none.
struct RegistryTables {
    explicit RegistryTables(const RegistryView& registry);
    FlagIndex index;
    std::vector<std::uint64_t> salt_states;  // by flag
};

// Compiles the sources together, layer by layer. Returns nothing when any
// error was found; warnings (an entry for a flag the registry does not know) do not block.
// `described`, for tools only, receives what was read (and nothing it held before), even from a file
// refused for an error.
std::optional<CompiledFile> compile_runtime(const RegistryView& registry, const std::vector<RuntimeSource>& sources,
                                            std::vector<Diagnostic>& diagnostics, const Limits& limits = {},
                                            SourceMap* described = nullptr, const RegistryTables* tables = nullptr);
std::optional<CompiledFile> compile_runtime(const RegistryView& registry, std::span<const SourceView> sources,
                                            std::vector<Diagnostic>& diagnostics, const Limits& limits = {},
                                            SourceMap* described = nullptr, const RegistryTables* tables = nullptr);

// The programs of a runtime with no file: every flag absent, so every flag serves its default.
CompiledFile empty_runtime(const RegistryView& registry);

}  // namespace flags::internal
