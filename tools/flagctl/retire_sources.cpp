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
#include <set>
#include <thread>

#include "retire_preamble.hpp"
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

// Runs the rewrite on each parsed translation unit, skipping the function bodies BodySkipper names.
class RetireConsumer : public clang::ASTConsumer {
public:
    RetireConsumer(clang::CompilerInstance& compiler, const RetireTarget& target, const ProjectScope& scope,
                   SourceRewrite& out)
        : compiler_(compiler), target_(target), scope_(scope), out_(out), skipper_(scope, target) {}

    void HandleTranslationUnit(clang::ASTContext& context) override {
        if (!context.getDiagnostics().hasErrorOccurred()) rewrite_translation_unit(context, target_, scope_, out_);
    }

    bool shouldSkipFunctionBody(clang::Decl* decl) override {
        return skipper_.skip(compiler_.getSourceManager(), decl);
    }

private:
    clang::CompilerInstance& compiler_;
    const RetireTarget& target_;
    const ProjectScope& scope_;
    SourceRewrite& out_;
    BodySkipper skipper_;
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

// One unit's parse, through its group's shared preamble when `preambles` gives it one.
class RetireActionFactory : public clang::tooling::FrontendActionFactory {
public:
    RetireActionFactory(const RetireTarget& target, const ProjectScope& scope, SourceRewrite& out,
                        SharedPreambles* preambles, std::string file)
        : target_(target), scope_(scope), out_(out), preambles_(preambles), file_(std::move(file)) {}
    std::unique_ptr<clang::FrontendAction> create() override {
        return std::make_unique<RetireAction>(target_, scope_, out_);
    }
    bool runInvocation(std::shared_ptr<clang::CompilerInvocation> invocation, clang::FileManager* files,
                       std::shared_ptr<clang::PCHContainerOperations> pch,
                       clang::DiagnosticConsumer* diagnostics) override {
        if (preambles_) main_file_ = preambles_->use(file_, *invocation, *files);
        return FrontendActionFactory::runInvocation(std::move(invocation), files, std::move(pch), diagnostics);
    }
    bool used_preamble() const { return main_file_ != nullptr; }

private:
    const RetireTarget& target_;
    const ProjectScope& scope_;
    SourceRewrite& out_;
    SharedPreambles* preambles_;
    std::string file_;
    std::unique_ptr<llvm::MemoryBuffer> main_file_;  // what a parse through a preamble reads
};

// Parses one unit; `preambles` null parses every header itself.
SourceRewrite parse_unit(const clang::tooling::CompilationDatabase& database, const std::string& file,
                         const RetireTarget& target, const ProjectScope& scope, SharedPreambles* preambles) {
    // A file system of its own: the process-wide one would change the working directory of every
    // thread to each compile command's.
    clang::tooling::ClangTool tool(database, {file}, std::make_shared<clang::PCHContainerOperations>(),
                                   llvm::IntrusiveRefCntPtr<llvm::vfs::FileSystem>(llvm::vfs::createPhysicalFileSystem().release()));
    tool.appendArgumentsAdjuster(for_clang());
    clang::TextDiagnosticBuffer diagnostics;
    tool.setDiagnosticConsumer(&diagnostics);
    SourceRewrite one;
    RetireActionFactory factory(target, scope, one, preambles, file);
    if (tool.run(&factory) == 0 && diagnostics.getNumErrors() == 0) return one;
    // A unit that fails with the shared preamble is parsed again without it, so that only its own
    // errors are reported.
    if (factory.used_preamble()) return parse_unit(database, file, target, scope, nullptr);
    const auto first = diagnostics.err_begin();
    one = SourceRewrite{};
    one.errors.push_back(file + ": clang cannot parse it with its compile command" +
                         (first == diagnostics.err_end() ? std::string() : ": " + first->second));
    return one;
}

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
    for (auto& [key, votes] : from.header_functions)
        for (auto& v : votes) into.header_functions[key].push_back(std::move(v));
}

// A header's internal function goes when some unit used it only from removed code and every unit
// agrees: none still uses it, and what a unit's use depends on goes too. One that stays although a
// unit no longer uses it would be unused there: reported unless it is inline or [[maybe_unused]].
void settle_header_functions(SourceRewrite& result, const ProjectScope& scope) {
    const auto wanted = [](const HeaderFunctionVote& v) { return !v.used; };
    std::set<std::string> going;
    for (const auto& [key, votes] : result.header_functions)
        if (std::ranges::any_of(votes, wanted)) going.insert(key);
    const auto unused_after = [&](const HeaderFunctionVote& v) {
        return !v.used && std::ranges::all_of(v.unless_kept, [&](const std::string& k) { return going.contains(k); });
    };
    for (bool changed = true; changed;) {
        changed = false;
        for (auto key = going.begin(); key != going.end();) {
            const bool stays = !std::ranges::all_of(result.header_functions.at(*key), unused_after);
            key = stays ? going.erase(key) : std::next(key);
            changed = changed || stays;
        }
    }
    for (const auto& [key, votes] : result.header_functions) {
        const auto unused = std::ranges::find_if(votes, unused_after);
        if (unused == votes.end()) continue;
        if (going.contains(key)) {
            auto& edits = result.edits[unused->path];
            std::erase_if(edits, [&](const TextEdit& e) { return e.begin >= unused->removal.begin && e.end <= unused->removal.end; });
            edits.push_back(unused->removal);
        } else if (!unused->quiet) {
            const auto unit = std::filesystem::path(unused->unit).lexically_relative(scope.root).generic_string();
            result.sites.push_back(Site{unused->path, unused->line,
                                        "the removed code was " + unused->name + "'s only use in " + unit +
                                            ", but other files still use it; mark it inline or [[maybe_unused]]"});
        }
    }
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

std::string ProjectScope::why_not_rewritten(const std::filesystem::path& file) const {
    // The build directory first: it may lie outside the current directory.
    if (is_under(file, build_dir)) return "in the build directory, which flagctl retire does not rewrite";
    if (!is_under(file, root))
        return "outside the current directory, which flagctl retire does not rewrite; run it from the project's root";
    if (is_under(file, root / "subprojects")) return "in subprojects/, which flagctl retire does not rewrite";
    return {};
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
    SharedPreambles preambles(*database, files, scope, target);
    auto work = [&] {
        for (std::size_t i = next++; i < files.size(); i = next++) {
            auto one = parse_unit(*database, files[i], target, scope, &preambles);
            const std::lock_guard guard(lock);
            merge(result, std::move(one));
        }
    };
    std::vector<std::jthread> workers;
    for (unsigned j = 0; j < std::max(1u, jobs); ++j) workers.emplace_back(work);
    workers.clear();
    settle_header_functions(result, scope);
    settle_sites(result.sites);
    settle_conflicts(result);
    return result;
}

}  // namespace flagctl
