// An entry of a runtime file in the words flagctl prints: its outcome and its whole state on one
// line. What an entry says comes from the loader's description of what it compiled
// (runtime/compiled_source.hpp); nothing here reads a runtime file.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include <flags/registry_types.hpp>

#include "runtime/compiled_source.hpp"

namespace flagctl {

using flags::internal::EntrySource;
using flags::internal::RuleSource;
using flags::internal::SourceMap;

// What an entry says, read for showing it. Percentages are in basis points (25% is 2500).
struct EntryShape {
    bool off = false;
    std::optional<std::string> value;  // "true", "false" or a variant
    std::optional<unsigned> rollout;
    std::vector<std::pair<std::string, unsigned>> split;  // variant, weight; in the file's order
    std::size_t rules = 0;
    std::vector<std::string> required;  // the flags named in `requires`
    std::string bucket_by = "user";
    std::optional<std::string> salt;
    std::optional<flags::Date> since;
};

EntryShape shape_of(const EntrySource& entry);

// The entry's own outcome: "true", "25%", "split blue 50% / green 50%", or "default" when it has none.
std::string outcome_text(const EntryShape& shape, const flags::FlagInfo& flag);
// The whole entry on one line: "off", "false, 1 rule", "25%", "split ..., requires release.x".
std::string state_text(const EntryShape& shape, const flags::FlagInfo& flag);

}  // namespace flagctl
