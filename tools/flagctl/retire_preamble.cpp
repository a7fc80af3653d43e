#include "retire_preamble.hpp"

#include <clang/Basic/FileManager.h>
#include <clang/Frontend/CompilerInstance.h>
#include <clang/Frontend/TextDiagnosticBuffer.h>
#include <clang/Lex/Lexer.h>
#include <clang/Lex/PreprocessorOptions.h>

#include <fstream>
#include <optional>
#include <sstream>

namespace flagctl {

namespace {

// The unit's preamble (its leading directives and comments) when every directive in it is an
// #include: a macro defined or a condition tested there would be recorded as written in the first
// unit's file, so such units parse on their own.
std::optional<std::string> include_only_preamble(const std::string& text) {
    clang::LangOptions lang;
    lang.CPlusPlus = lang.CPlusPlus11 = lang.CPlusPlus20 = true;
    const auto buffer = llvm::MemoryBuffer::getMemBuffer(text, "", false);
    const auto bounds = clang::ComputePreambleBounds(lang, buffer->getMemBufferRef(), 0);
    if (bounds.Size == 0) return std::nullopt;
    std::string preamble = text.substr(0, bounds.Size);  // the lexer stops at the '\0' after it
    const char* begin = preamble.c_str();
    clang::Lexer lexer(clang::SourceLocation(), lang, begin, begin, begin + preamble.size());
    clang::Token token;
    bool after_hash = false;
    for (lexer.LexFromRawLexer(token); token.isNot(clang::tok::eof); lexer.LexFromRawLexer(token)) {
        if (after_hash) {
            const auto name = token.is(clang::tok::raw_identifier) ? token.getRawIdentifier() : llvm::StringRef();
            if (name != "include" && name != "include_next" && name != "import") return std::nullopt;
        }
        after_hash = token.is(clang::tok::hash) && token.isAtStartOfLine();
    }
    return preamble;
}

// The compile command without what only names the unit's outputs and its own file.
std::string command_key(const clang::tooling::CompileCommand& command) {
    std::string key = command.Directory;
    const auto& args = command.CommandLine;
    for (std::size_t i = 0; i < args.size(); ++i) {
        const llvm::StringRef arg = args[i];
        if (arg == "-o" || arg == "-MF" || arg == "-MQ" || arg == "-MT") {
            ++i;
            continue;
        }
        if (arg == command.Filename || (arg.startswith("-o") && arg.drop_front(2) == command.Output) ||
            arg.startswith("-MF") || arg.startswith("-MQ") || arg.startswith("-MT"))
            continue;
        key += '\0';
        key += args[i];
    }
    return key;
}

std::string read_text(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
}

// The preamble's parse skips the same bodies as the units' own parse.
class PreambleBodies : public clang::PreambleCallbacks {
public:
    PreambleBodies(const ProjectScope& scope, const RetireTarget& target) : skipper_(scope, target) {}
    void BeforeExecute(clang::CompilerInstance& compiler) override { sources_ = &compiler.getSourceManager(); }
    bool shouldSkipFunctionBody(clang::Decl* decl) override { return sources_ && skipper_.skip(*sources_, decl); }

private:
    BodySkipper skipper_;
    const clang::SourceManager* sources_ = nullptr;
};

}  // namespace

bool BodySkipper::skip(const clang::SourceManager& sm, const clang::Decl* decl) {
    const auto loc = sm.getFileLoc(decl->getLocation());
    if (loc.isInvalid()) return false;
    const auto id = sm.getFileID(loc);
    const auto [known, fresh] = parsed_.try_emplace(id.getHashValue(), true);
    if (fresh) {
        if (const auto* entry = sm.getFileEntryForID(id)) {
            llvm::SmallString<256> name(entry->getName());
            sm.getFileManager().makeAbsolutePath(name);
            std::error_code ec;
            const bool project = scope_.contains(std::filesystem::weakly_canonical(name.str().str(), ec)) || ec;
            // Only a file that names the flag can read it: the others' bodies are not worth parsing.
            const auto text = sm.getBufferData(id);
            known->second = project || text.contains(target_.identifier) || text.contains('"' + target_.name + '"');
        }
    }
    return !known->second;
}

SharedPreambles::SharedPreambles(const clang::tooling::CompilationDatabase& database,
                                 const std::vector<std::string>& files, const ProjectScope& scope,
                                 const RetireTarget& target)
    : scope_(scope), target_(target) {
    for (const auto& file : files) {
        const auto commands = database.getCompileCommands(file);
        if (commands.size() != 1) continue;  // compiled twice: each command parses on its own
        const auto path = (std::filesystem::path(commands[0].Directory) / commands[0].Filename).lexically_normal();
        const auto preamble = include_only_preamble(read_text(path));
        if (!preamble) continue;
        // The directory finds its quoted includes; the extension may choose the language.
        auto key = command_key(commands[0]) + '\0' + path.parent_path().string() + '\0' +
                   path.extension().string() + '\0' + *preamble;
        ++groups_[key].units;
        key_of_.emplace(file, std::move(key));
    }
}

std::unique_ptr<llvm::MemoryBuffer> SharedPreambles::use(const std::string& file, clang::CompilerInvocation& invocation,
                                                         clang::FileManager& files) {
    const auto key = key_of_.find(file);
    if (key == key_of_.end() || invocation.getFrontendOpts().Inputs.size() != 1) return nullptr;
    auto main_file = files.getBufferForFile(invocation.getFrontendOpts().Inputs[0].getFile());
    if (!main_file) return nullptr;
    std::shared_ptr<const clang::PrecompiledPreamble> preamble;
    {
        const std::lock_guard guard(lock_);
        auto& group = groups_[key->second];
        if (group.units < 2 || (group.started && !group.preamble)) return nullptr;
        preamble = group.preamble;
        group.started = true;
    }
    if (!preamble) {
        preamble = build(invocation, files, **main_file);
        const std::lock_guard guard(lock_);
        groups_[key->second].preamble = preamble;
        if (!preamble) return nullptr;
    }
    const auto bounds = clang::ComputePreambleBounds(*invocation.getLangOpts(), (*main_file)->getMemBufferRef(), 0);
    llvm::IntrusiveRefCntPtr<llvm::vfs::FileSystem> vfs(&files.getVirtualFileSystem());
    if (!preamble->CanReuse(invocation, (*main_file)->getMemBufferRef(), bounds, *vfs)) return nullptr;
    const auto before = invocation.getPreprocessorOpts();
    preamble->AddImplicitPreamble(invocation, vfs, main_file->get());
    invocation.getPreprocessorOpts().RetainRemappedFileBuffers = true;  // the buffer stays ours
    if (vfs.get() != &files.getVirtualFileSystem()) {
        // The preamble is a file on disk that the unit's file system can read; should it ever need a
        // file system of its own, the unit parses without it.
        invocation.getPreprocessorOpts() = before;
        return nullptr;
    }
    return std::move(*main_file);
}

std::shared_ptr<const clang::PrecompiledPreamble> SharedPreambles::build(clang::CompilerInvocation& invocation,
                                                                        clang::FileManager& files,
                                                                        const llvm::MemoryBuffer& main_file) {
    clang::CompilerInvocation copy(invocation);
    copy.getFrontendOpts().SkipFunctionBodies = true;
    clang::TextDiagnosticBuffer errors;
    auto diagnostics = clang::CompilerInstance::createDiagnostics(&copy.getDiagnosticOpts(), &errors, false);
    const auto bounds = clang::ComputePreambleBounds(*copy.getLangOpts(), main_file.getMemBufferRef(), 0);
    PreambleBodies bodies(scope_, target_);
    auto built = clang::PrecompiledPreamble::Build(copy, &main_file, bounds, *diagnostics,
                                                   llvm::IntrusiveRefCntPtr<llvm::vfs::FileSystem>(&files.getVirtualFileSystem()),
                                                   std::make_shared<clang::PCHContainerOperations>(),
                                                   /*StoreInMemory=*/false, bodies);
    if (!built || errors.getNumErrors() > 0) return nullptr;
    return std::make_shared<const clang::PrecompiledPreamble>(std::move(*built));
}

}  // namespace flagctl
