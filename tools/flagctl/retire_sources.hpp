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
    bool contains(const std::filesystem::path& file) const { return why_not_rewritten(file).empty(); }
    // Empty for a file retire rewrites; otherwise why a read in it is left for a person.
    std::string why_not_rewritten(const std::filesystem::path& file) const;
};

// One read of the flag (or a use of its name) and what became of it.
struct Site {
    std::string file;  // absolute
    unsigned line = 0;
    std::string note;  // empty: rewritten; otherwise why it is left for a person
    bool general = false;  // a name of the flag found after the rules, which a rule's own note explains better
    friend auto operator<=>(const Site&, const Site&) = default;
};

// What one translation unit says of a function with internal linkage in a project header, which each
// unit that includes the header has a copy of: it goes only when no unit still uses it.
struct HeaderFunctionVote {
    std::string path;         // the header, absolute
    unsigned line = 0;        // of its name
    std::string name;
    std::string unit;         // the translation unit's file
    TextEdit removal;         // the declaration's lines
    bool used = false;        // this unit still uses it
    bool quiet = false;       // inline or [[maybe_unused]]: no unit warns when it is unused
    std::vector<std::string> unless_kept;  // ...it is used only by these (keys), unused if they go
};

struct SourceRewrite {
    std::vector<Site> sites;                             // sorted, one per file and line
    std::map<std::string, std::vector<TextEdit>> edits;  // by absolute path
    std::map<std::string, std::string> originals;        // the text the edits apply to
    std::vector<std::string> errors;                     // translation units clang could not parse
    // By "path:offset": each unit's word on a header's internal function that removed code used.
    std::map<std::string, std::vector<HeaderFunctionVote>> header_functions;
};

// Parses every translation unit in `build_dir`/compile_commands.json, `jobs` at a time.
SourceRewrite rewrite_sources(const RetireTarget& target, const ProjectScope& scope, unsigned jobs);

}  // namespace flagctl
