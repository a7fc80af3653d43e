#include "retire_sources.hpp"

#include <clang/Basic/Diagnostic.h>
#include <clang/AST/ASTConsumer.h>
#include <clang/Frontend/CompilerInstance.h>
#include <clang/Frontend/FrontendAction.h>
#include <clang/Frontend/TextDiagnosticBuffer.h>
#include <clang/Tooling/ArgumentsAdjusters.h>
#include <clang/Tooling/CompilationDatabase.h>
#include <clang/Tooling/Tooling.h>
#include <llvm/Support/VirtualFileSystem.h>

#include <algorithm>
#include <atomic>
#include <mutex>
#include <thread>

#include "retire_rewriter.hpp"

namespace flagctl {

namespace {

bool is_under(const std::filesystem::path& file, const std::filesystem::path& dir) {
    const auto rel = file.lexically_relative(dir);
    return !rel.empty() && *rel.begin() != "..";
}

// The compile command as the build runs it, for clang: without a compiler launcher (ccache), with
// clang's own builtin headers, without warnings (only the AST matters), and not stopped by -Werror.
clang::tooling::ArgumentsAdjuster for_clang() {
    return [](const clang::tooling::CommandLineArguments& args, llvm::StringRef) {
        clang::tooling::CommandLineArguments out;
        for (std::size_t i = 0; i < args.size(); ++i) {
            const llvm::StringRef arg = args[i];
            if (i == 0 && args.size() > 1 && (arg.endswith("ccache") || arg.endswith("sccache"))) continue;
            out.push_back(args[i]);
        }
        out.push_back("-resource-dir=" FLAGCTL_CLANG_RESOURCE_DIR);
        out.push_back("-w");
        out.push_back("-Wno-error");
        out.push_back("-ferror-limit=0");
        return out;
    };
}

// Runs the rewrite on each parsed translation unit. Function bodies outside the project's files are
// skipped by the parser: no rule reads them, and they are most of what a unit parses.
class RetireConsumer : public clang::ASTConsumer {
public:
    RetireConsumer(clang::CompilerInstance& compiler, const RetireTarget& target, const ProjectScope& scope,
                   SourceRewrite& out)
        : compiler_(compiler), target_(target), scope_(scope), out_(out) {}

    void HandleTranslationUnit(clang::ASTContext& context) override {
        if (!context.getDiagnostics().hasErrorOccurred()) rewrite_translation_unit(context, target_, scope_, out_);
    }

    bool shouldSkipFunctionBody(clang::Decl* decl) override {
        auto& sm = compiler_.getSourceManager();
        const auto loc = sm.getFileLoc(decl->getLocation());
        if (loc.isInvalid()) return false;
        const auto id = sm.getFileID(loc);
        const auto [known, fresh] = in_project_.try_emplace(id.getHashValue(), true);
        if (fresh) {
            if (const auto* entry = sm.getFileEntryForID(id)) {
                llvm::SmallString<256> name(entry->getName());
                sm.getFileManager().makeAbsolutePath(name);
                std::error_code ec;
                known->second = scope_.contains(std::filesystem::weakly_canonical(name.str().str(), ec)) || ec;
            }
        }
        return !known->second;
    }

private:
    clang::CompilerInstance& compiler_;
    const RetireTarget& target_;
    const ProjectScope& scope_;
    SourceRewrite& out_;
    std::map<unsigned, bool> in_project_;
};

class RetireAction : public clang::ASTFrontendAction {
public:
    RetireAction(const RetireTarget& target, const ProjectScope& scope, SourceRewrite& out)
        : target_(target), scope_(scope), out_(out) {}

    std::unique_ptr<clang::ASTConsumer> CreateASTConsumer(clang::CompilerInstance& compiler, llvm::StringRef) override {
        compiler.getFrontendOpts().SkipFunctionBodies = true;
        return std::make_unique<RetireConsumer>(compiler, target_, scope_, out_);
    }

private:
    const RetireTarget& target_;
    const ProjectScope& scope_;
    SourceRewrite& out_;
};

class RetireActionFactory : public clang::tooling::FrontendActionFactory {
public:
    RetireActionFactory(const RetireTarget& target, const ProjectScope& scope, SourceRewrite& out)
        : target_(target), scope_(scope), out_(out) {}
    std::unique_ptr<clang::FrontendAction> create() override {
        return std::make_unique<RetireAction>(target_, scope_, out_);
    }

private:
    const RetireTarget& target_;
    const ProjectScope& scope_;
    SourceRewrite& out_;
};

// Merges one translation unit's result: the same header seen from two units gives the same edits.
void merge(SourceRewrite& into, SourceRewrite&& from) {
    into.sites.insert(into.sites.end(), from.sites.begin(), from.sites.end());
    for (auto& [path, text] : from.originals) into.originals.emplace(path, std::move(text));
    for (auto& [path, edits] : from.edits) {
        auto& list = into.edits[path];
        for (auto& e : edits)
            if (std::ranges::find(list, e) == list.end()) list.push_back(std::move(e));
    }
    into.errors.insert(into.errors.end(), from.errors.begin(), from.errors.end());
}

// One site per line: a note wins over "rewritten", a rule's note over a general one.
void settle_sites(std::vector<Site>& sites) {
    std::ranges::sort(sites, [](const Site& a, const Site& b) {
        if (a.file != b.file) return a.file < b.file;
        if (a.line != b.line) return a.line < b.line;
        if (a.note.empty() != b.note.empty()) return !a.note.empty();
        return a.general < b.general;
    });
    const auto tail = std::ranges::unique(sites, [](const Site& a, const Site& b) {
        return a.file == b.file && a.line == b.line;
    });
    sites.erase(tail.begin(), tail.end());
}

// Edits that two translation units made differently to one place are both withdrawn and reported.
void settle_conflicts(SourceRewrite& result) {
    for (auto& [path, edits] : result.edits) {
        std::ranges::sort(edits, [](const TextEdit& a, const TextEdit& b) { return a.begin < b.begin; });
        for (std::size_t i = 1; i < edits.size(); ++i) {
            if (edits[i].begin >= edits[i - 1].end && !(edits[i].begin == edits[i - 1].begin)) continue;
            result.errors.push_back(path + ": two translation units rewrite the same text differently (" +
                                    "the code is compiled with different macros); left unchanged");
            edits.clear();
            break;
        }
    }
}

}  // namespace

bool ProjectScope::contains(const std::filesystem::path& file) const {
    return is_under(file, root) && !is_under(file, build_dir) && !is_under(file, root / "subprojects");
}

SourceRewrite rewrite_sources(const RetireTarget& target, const ProjectScope& scope, unsigned jobs) {
    std::string error;
    auto database = clang::tooling::CompilationDatabase::loadFromDirectory(scope.build_dir.string(), error);
    SourceRewrite result;
    if (!database) {
        result.errors.push_back(error);
        return result;
    }
    const auto files = database->getAllFiles();
    std::atomic<std::size_t> next{0};
    std::mutex lock;
    auto work = [&] {
        for (std::size_t i = next++; i < files.size(); i = next++) {
            // A file system of its own: the process-wide one would change the working directory of
            // every thread to each compile command's.
            clang::tooling::ClangTool tool(*database, {files[i]}, std::make_shared<clang::PCHContainerOperations>(),
                                           llvm::IntrusiveRefCntPtr<llvm::vfs::FileSystem>(llvm::vfs::createPhysicalFileSystem().release()));
            tool.appendArgumentsAdjuster(for_clang());
            clang::TextDiagnosticBuffer diagnostics;
            tool.setDiagnosticConsumer(&diagnostics);
            SourceRewrite one;
            RetireActionFactory factory(target, scope, one);
            if (tool.run(&factory) != 0 || diagnostics.getNumErrors() > 0) {
                const auto first = diagnostics.err_begin();
                one = SourceRewrite{};
                one.errors.push_back(files[i] + ": clang cannot parse it with its compile command" +
                                     (first == diagnostics.err_end() ? std::string() : ": " + first->second));
            }
            const std::lock_guard guard(lock);
            merge(result, std::move(one));
        }
    };
    std::vector<std::jthread> workers;
    for (unsigned j = 0; j < std::max(1u, jobs); ++j) workers.emplace_back(work);
    workers.clear();
    settle_sites(result.sites);
    settle_conflicts(result);
    return result;
}

}  // namespace flagctl
