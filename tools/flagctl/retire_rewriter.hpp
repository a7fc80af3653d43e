// The rewrite of one parsed translation unit (see retire_sources.hpp), internal to flagctl retire:
// the expression rules are in retire_rewriter.cpp, the statement and test rules in
// retire_statements.cpp, and the clean-up of what only removed code used in retire_cleanup.cpp.
#pragma once

#include <clang/AST/ASTContext.h>

#include <map>
#include <optional>
#include <set>

#include "retire_ast_queries.hpp"
#include "retire_sources.hpp"

namespace flagctl {

// Finds the flag's reads in `context`'s translation unit, in files `scope` contains, and adds the
// edits and sites to `out` (edits keyed by absolute path, with each file's original text).
void rewrite_translation_unit(clang::ASTContext& context, const RetireTarget& target, const ProjectScope& scope,
                              SourceRewrite& out);

namespace retire {

// What a folded expression is known to be.
struct Const {
    enum class Kind { boolean, variant, detail, text } kind = Kind::boolean;
    std::int64_t value = 0;
    std::vector<std::size_t> sites{};  // the reads it comes from
};
using Value = std::optional<Const>;

// A file of the translation unit: whether it may be edited, and its edits.
struct FileState {
    std::string path;
    bool project = false;
    std::string outside;     // why it is not rewritten, when it is not
    bool names_flag = false; // its text names the flag: it may read it
    FileEdits* edits = nullptr;
};

// Where a node is written: the file and the offsets of its text.
struct Span {
    FileState* file = nullptr;
    std::size_t begin = 0, end = 0;
};

class Rewriter {
public:
    Rewriter(clang::ASTContext& context, const RetireTarget& target, const ProjectScope& scope);
    // Rewrites every function body of the project's files, then cleans up.
    void run();
    // Sites and edits, into `out`.
    void collect(SourceRewrite& out) const;

    // Locations and text.
    FileState* file_of(clang::FileID id);
    std::optional<Span> span_of(clang::SourceRange range);
    std::optional<Span> statement_span(const clang::Stmt* s);  // with its ';'
    std::optional<std::pair<FileState*, std::size_t>> spelled_at(clang::SourceLocation loc);
    bool is_dropped(clang::SourceLocation loc);
    const clang::Stmt* parent_of(const clang::Stmt* s);
    const clang::Decl* parent_decl_of(const clang::Stmt* s);
    void replace(const Span& span, std::string text);
    // The top-level declarations written in the project's files: the only ones the rules and the
    // clean-up visit, so that the standard library's headers are not walked four times per unit.
    const std::vector<clang::Decl*>& project_decls();
    void drop_around(const Span& whole, const Span& kept);

    // Sites.
    std::size_t add_site(clang::SourceLocation loc);
    void leave(const std::vector<std::size_t>& sites, const std::string& why);
    void leave_at(clang::SourceLocation loc, const std::string& why, bool general = false);

    // Expressions.
    Value fold(const clang::Stmt* s);
    // Leaves a node written in a macro's body as it is, and says whether it was one.
    bool fold_in_macro_body(const clang::Stmt* s);
    Value fold_read(const clang::CallExpr* call, ReadKind kind);
    Value fold_logical(const clang::BinaryOperator* op);
    Value fold_comparison(const clang::BinaryOperator* op);
    Value fold_conditional(const clang::ConditionalOperator* op);
    Value fold_member(const clang::MemberExpr* member);
    void fold_children(const clang::Stmt* s);
    void materialize(const clang::Stmt* node, const Const& c);
    bool replace_with_operand(const clang::Stmt* whole, const clang::Expr* kept, bool parenthesize);

    // Statements.
    void fold_if(const clang::IfStmt* s);
    void fold_switch(const clang::SwitchStmt* s);
    bool replace_statement(const clang::Stmt* whole, const std::vector<const clang::Stmt*>& kept, bool may_unbrace);
    bool erase_statement(const clang::Stmt* s);

    // Tests.
    void fold_override(const clang::DeclStmt* decl, const clang::VarDecl* var);
    void fold_for_each_state(const clang::CallExpr* call);
    void fold_each_state_test(const clang::FunctionDecl* body);
    bool erase_test_of(const clang::Stmt* s);

    // After the rules: what the removed code alone used, and what still names the flag.
    void clean_up();
    void remove_unused_functions();
    void vote_on_header_functions(const std::map<const clang::Decl*, std::vector<clang::SourceLocation>>& uses);
    void quiet_unused_variables();
    void report_reads_not_rewritten();
    bool declares_flag_enum(const clang::Decl* d);

    clang::ASTContext& ctx_;
    clang::SourceManager& sm_;
    const clang::LangOptions& lo_;
    const RetireTarget& target_;
    const ProjectScope& scope_;
    AstQueries queries_;
    std::map<unsigned, FileState> files_;
    std::map<std::string, FileEdits> edits_;
    std::vector<Site> sites_;
    std::map<const clang::ParmVarDecl*, Const> fixed_;  // parameters that hold the flag's value
    std::map<const clang::VarDecl*, Const> stored_;     // const bool locals initialized with it
    bool fold_stored(const clang::DeclStmt* decl, const clang::VarDecl* var);
    bool leave_escaping(const clang::VarDecl* var);
    void leave_reads_under(const clang::Stmt* s, const std::string& why);
    std::set<const clang::Stmt*> seen_reads_;
    std::vector<const clang::FunctionDecl*> bodies_;
    std::optional<std::vector<clang::Decl*>> project_decls_;
    std::map<std::string, std::vector<HeaderFunctionVote>> header_votes_;
};

}  // namespace retire
}  // namespace flagctl
