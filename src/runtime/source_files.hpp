// Reading a runtime's files from disk: a base file or a directory of *.toml, then an optional local
// override file whose entries take precedence flag by flag. What is read is checked to be one
// consistent version of each file, never a file caught in the middle of a write.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include <flags/diagnostic.hpp>
#include <flags/runtime_options.hpp>

#include "runtime_loader.hpp"

namespace flags::internal {

struct SourcePaths {
    std::filesystem::path base;           // a file, or a directory whose *.toml files are merged
    std::filesystem::path override_file;  // optional: empty, or a file that may not exist yet

    // The paths to watch, base first.
    std::vector<std::filesystem::path> watched() const;
    std::vector<std::string> described() const;
};

struct SourceRead {
    SourceState state = SourceState::ok;  // ok, missing, empty or invalid (unreadable)
    std::vector<RuntimeSource> sources;   // base files in layer 0, the override file in layer 1
    std::vector<Diagnostic> diagnostics;
};

SourceRead read_sources(const SourcePaths& paths, const RuntimeOptions& options);

}  // namespace flags::internal
