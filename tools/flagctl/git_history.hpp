// How long a runtime entry has been in a state, from the git history of the file it is written in,
// for runtime entries that carry no `since` date.
#pragma once

#include <filesystem>
#include <functional>
#include <optional>
#include <string_view>

#include <flags/registry_types.hpp>

#include "entry_text.hpp"

namespace flagctl {

// `holds` tells whether one version of the flag's entry (null: no entry) is in the state asked about.
// Walking the commits that changed `file`, newest first, returns the commit date (UTC) of the oldest
// commit of the unbroken run whose version holds. nullopt when git is not installed, the file is not
// tracked in a git work tree, or its last committed version does not hold (the state is not
// committed yet, so git cannot date it).
// Each version is described by the loader against `registry`, as the current file is.
std::optional<flags::Date> held_since(const flags::RegistryView& registry, const std::filesystem::path& file,
                                      std::string_view flag, const std::function<bool(const EntrySource* entry)>& holds);

}  // namespace flagctl
