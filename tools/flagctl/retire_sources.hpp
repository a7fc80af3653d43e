// The C++ side of `flagctl retire`: every translation unit of a compilation database parsed by clang
// with its own compile command, every read of the retired flag found in the AST and replaced by the
// kept value, and what that makes constant folded away. Nothing here looks at source text to decide
// what a read is; text is only cut and joined where the AST says.
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "retire_edits.hpp"

namespace flagctl {

// The flag being retired and the value it keeps.
struct RetireTarget {
    std::string name;        // "release.new-checkout"
    std::string identifier;  // "release_new_checkout"
    std::uint64_t index = 0; // its Flag enumerator's value: its position in the registry
    bool boolean = true;
    std::uint64_t keep = 0;  // false 0, true 1, or the kept variant's position
    std::string keep_name;   // "true", "false" or the variant
};

// Which files may be rewritten: under the project root, outside the build directory and subprojects/.
struct ProjectScope {
    std::filesystem::path root;
    std::filesystem::path build_dir;
    bool contains(const std::filesystem::path& file) const;
};

// One read of the flag (or a use of its name) and what became of it.
struct Site {
    std::string file;  // absolute
    unsigned line = 0;
    std::string note;  // empty: rewritten; otherwise why it is left for a person
    bool general = false;  // a name of the flag found after the rules, which a rule's own note explains better
    friend auto operator<=>(const Site&, const Site&) = default;
};

struct SourceRewrite {
    std::vector<Site> sites;                             // sorted, one per file and line
    std::map<std::string, std::vector<TextEdit>> edits;  // by absolute path
    std::map<std::string, std::string> originals;        // the text the edits apply to
    std::vector<std::string> errors;                     // translation units clang could not parse
};

// Parses every translation unit in `build_dir`/compile_commands.json, `jobs` at a time.
SourceRewrite rewrite_sources(const RetireTarget& target, const ProjectScope& scope, unsigned jobs);

}  // namespace flagctl
