// The parse of the headers that many translation units begin with, done once: units whose text
// starts with the same #include lines, compiled with the same command from the same directory, load
// one precompiled preamble (clang's, as clangd uses) instead of each parsing those headers again.
// Internal to flagctl retire (retire_sources.cpp).
#pragma once

#include <clang/AST/Decl.h>
#include <clang/Basic/SourceManager.h>
#include <clang/Frontend/CompilerInvocation.h>
#include <clang/Frontend/PrecompiledPreamble.h>
#include <clang/Tooling/CompilationDatabase.h>

#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "retire_sources.hpp"

namespace flagctl {

// Which function bodies the parser skips: those written outside the project's files, which no
// rule reads and which are most of what a unit parses, unless the file's text names the flag (its
// reads there are reported, not rewritten). One per parse (it caches by file id).
class BodySkipper {
public:
    BodySkipper(const ProjectScope& scope, const RetireTarget& target) : scope_(scope), target_(target) {}
    bool skip(const clang::SourceManager& sm, const clang::Decl* decl);

private:
    const ProjectScope& scope_;
    const RetireTarget& target_;
    std::map<unsigned, bool> parsed_;
};

class SharedPreambles {
public:
    // Groups the database's units; a group of one gets no preamble (building it would cost more
    // than the parse it saves).
    SharedPreambles(const clang::tooling::CompilationDatabase& database, const std::vector<std::string>& files,
                    const ProjectScope& scope, const RetireTarget& target);

    // Makes `invocation` load the preamble of `file`'s group, building it when no other unit has
    // begun to, and returns the main file's text, which the parse reads and must outlive it; null
    // (and `invocation` unchanged) when the unit parses on its own: alone in its group, its group's
    // preamble still being built or failed, or clang refusing to reuse it.
    std::unique_ptr<llvm::MemoryBuffer> use(const std::string& file, clang::CompilerInvocation& invocation,
                                            clang::FileManager& files);

private:
    struct Group {
        std::size_t units = 0;
        bool started = false;
        std::shared_ptr<const clang::PrecompiledPreamble> preamble;  // null until built, or failed
    };
    std::shared_ptr<const clang::PrecompiledPreamble> build(clang::CompilerInvocation& invocation,
                                                            clang::FileManager& files,
                                                            const llvm::MemoryBuffer& main_file);

    const ProjectScope& scope_;
    const RetireTarget& target_;
    std::map<std::string, std::string> key_of_;  // file -> its group's key
    std::map<std::string, Group> groups_;
    std::mutex lock_;
};

}  // namespace flagctl
