// Reading a runtime's files from disk: a base file or a directory of *.toml, then an optional local
// override file whose entries take precedence flag by flag. What is read is checked to be one
// consistent version of each file, never a file caught in the middle of a write.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>
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

// A name a runtime directory reads: `*.toml`, not hidden. Editors' locks and swap files (`.#x.toml`,
// `.x.toml.swp`), backups (`x.toml~`) and tools' temporaries (`.x.toml.new`) are left alone.
bool is_runtime_file_name(std::string_view name) noexcept;

// Why a service would refuse to read `path` (a runtime file or directory) under the permission
// policy (RuntimeOptions::require_secure_permissions), as warnings that name the fix; none when it
// would accept it.
std::vector<Diagnostic> permission_warnings(const std::filesystem::path& path);

}  // namespace flags::internal
