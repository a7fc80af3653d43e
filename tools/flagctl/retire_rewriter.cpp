// The expression rules of `flagctl retire`, applied bottom-up over each function body: a read becomes
// a constant, and each node above it folds what that constant decides (!, &&, ||, ==, ?:, a field of
// a detail). A constant is written into the text only where folding stops, so that
// `if (!enabled<F>(ctx))` never passes through `if (!true)`.
#include "retire_rewriter.hpp"

#include <clang/AST/ExprCXX.h>
#include <clang/AST/ParentMapContext.h>
#include <clang/AST/RecursiveASTVisitor.h>
#include <clang/Lex/Lexer.h>

#include <filesystem>

namespace flagctl {
namespace retire {

using namespace clang;

namespace {

// Every function definition of the translation unit, lambdas' excepted (they are folded with the
// function around them).
class DefinitionFinder : public RecursiveASTVisitor<DefinitionFinder> {
public:
    explicit DefinitionFinder(std::vector<const FunctionDecl*>& out) : out_(out) {}
    bool VisitFunctionDecl(FunctionDecl* fn) {
        if (!fn->doesThisDeclarationHaveABody()) return true;
        if (const auto* method = dyn_cast<CXXMethodDecl>(fn); method && method->getParent()->isLambda()) return true;
        out_.push_back(fn);
        return true;
    }

private:
    std::vector<const FunctionDecl*>& out_;
};

std::string literal(bool value) { return value ? "true" : "false"; }

}  // namespace

Rewriter::Rewriter(ASTContext& context, const RetireTarget& target, const ProjectScope& scope)
    : ctx_(context), sm_(context.getSourceManager()), lo_(context.getLangOpts()), target_(target), scope_(scope),
      queries_(context, target) {}

void Rewriter::run() {
    DefinitionFinder finder(bodies_);
    for (auto* d : project_decls()) finder.TraverseDecl(d);
    for (const auto* fn : bodies_) {
        const auto at = spelled_at(fn->getBody()->getBeginLoc());
        if (!at || !at->first->project) continue;
        fold_each_state_test(fn);
        if (const auto v = fold(fn->getBody())) materialize(fn->getBody(), *v);
    }
    clean_up();
}

const std::vector<Decl*>& Rewriter::project_decls() {
    if (project_decls_) return *project_decls_;
    project_decls_.emplace();
    for (auto* d : ctx_.getTranslationUnitDecl()->decls()) {
        const auto loc = sm_.getFileLoc(d->getLocation());
        if (loc.isInvalid()) continue;
        if (file_of(sm_.getFileID(loc))->project) project_decls_->push_back(d);
    }
    return *project_decls_;
}

void Rewriter::collect(SourceRewrite& out) const {
    for (const auto& s : sites_) out.sites.push_back(s);
    for (const auto& [key, votes] : header_votes_) {
        for (const auto& v : votes) out.header_functions[key].push_back(v);
        out.originals.emplace(votes.front().path, edits_.at(votes.front().path).original());
    }
    for (const auto& [path, edits] : edits_) {
        if (edits.edits().empty()) continue;
        out.originals.emplace(path, edits.original());
        auto& list = out.edits[path];
        for (const auto& e : edits.edits())
            if (std::ranges::find(list, e) == list.end()) list.push_back(e);
    }
}

FileState* Rewriter::file_of(FileID id) {
    auto [it, fresh] = files_.try_emplace(id.getHashValue());
    FileState& state = it->second;
    if (!fresh) return &state;
    const auto* entry = sm_.getFileEntryForID(id);
    if (!entry) return &state;
    // Relative to the compile command's directory, which is the file manager's, not the process's.
    llvm::SmallString<256> name(entry->getName());
    sm_.getFileManager().makeAbsolutePath(name);
    std::error_code ec;
    auto path = std::filesystem::weakly_canonical(std::filesystem::path(name.str().str()), ec);
    if (ec) return &state;
    state.path = path.string();
    // A header the compile command includes as a system one (-isystem) is a vendored library's.
    const bool system = SrcMgr::isSystem(sm_.getFileCharacteristic(sm_.getLocForStartOfFile(id)));
    state.outside = system ? "in a system header (included through -isystem or a system path), which flagctl "
                             "retire does not rewrite"
                           : scope_.why_not_rewritten(path);
    state.project = state.outside.empty();
    const auto text = sm_.getBufferData(id);
    state.names_flag = text.contains(target_.identifier) || text.contains('"' + target_.name + '"');
    if (state.project) {
        auto found = edits_.find(state.path);
        if (found == edits_.end()) found = edits_.emplace(state.path, FileEdits(sm_.getBufferData(id).str())).first;
        state.edits = &found->second;
    }
    return &state;
}

std::optional<Span> Rewriter::span_of(SourceRange range) {
    const auto r = Lexer::makeFileCharRange(CharSourceRange::getTokenRange(range), sm_, lo_);
    if (r.isInvalid()) return std::nullopt;
    const auto [file, begin] = sm_.getDecomposedLoc(r.getBegin());
    const auto [end_file, end] = sm_.getDecomposedLoc(r.getEnd());
    if (file != end_file) return std::nullopt;
    auto* state = file_of(file);
    if (!state->project) return std::nullopt;
    return Span{state, begin, end};
}

std::optional<Span> Rewriter::statement_span(const Stmt* s) {
    auto span = span_of(s->getSourceRange());
    if (!span) return std::nullopt;
    const auto& text = span->file->edits->original();
    if (span->end > 0 && text[span->end - 1] != '}') span->end = span->file->edits->past_semicolon(span->end);
    return span;
}

std::optional<std::pair<FileState*, std::size_t>> Rewriter::spelled_at(SourceLocation loc) {
    if (loc.isInvalid()) return std::nullopt;
    const auto [file, offset] = sm_.getDecomposedLoc(sm_.getSpellingLoc(loc));
    if (file.isInvalid()) return std::nullopt;
    return std::pair{file_of(file), static_cast<std::size_t>(offset)};
}

bool Rewriter::is_dropped(SourceLocation loc) {
    const auto at = spelled_at(loc);
    return at && at->first->edits && at->first->edits->dropped(at->second);
}

const Stmt* Rewriter::parent_of(const Stmt* s) {
    const auto parents = ctx_.getParents(*s);
    return parents.empty() ? nullptr : parents[0].get<Stmt>();
}

const Decl* Rewriter::parent_decl_of(const Stmt* s) {
    const auto parents = ctx_.getParents(*s);
    return parents.empty() ? nullptr : parents[0].get<Decl>();
}

void Rewriter::replace(const Span& span, std::string text) {
    span.file->edits->drop(span.begin, span.end);
    span.file->edits->replace(span.begin, span.end, std::move(text));
}

void Rewriter::drop_around(const Span& whole, const Span& kept) {
    whole.file->edits->drop(whole.begin, kept.begin);
    whole.file->edits->drop(kept.end, whole.end);
}

// A site's line is where the reader sees it: a macro's argument where it is written, anything else
// in a macro where the macro is used.
std::size_t Rewriter::add_site(SourceLocation loc) {
    const auto spelling = sm_.getFileLoc(loc);
    const auto [file, offset] = sm_.getDecomposedLoc(spelling);
    sites_.push_back(Site{file_of(file)->path, sm_.getSpellingLineNumber(spelling), ""});
    return sites_.size() - 1;
}

void Rewriter::leave(const std::vector<std::size_t>& sites, const std::string& why) {
    for (auto s : sites)
        if (sites_[s].note.empty()) sites_[s].note = why;
}

void Rewriter::leave_at(SourceLocation loc, const std::string& why, bool general) {
    const auto site = add_site(loc);
    leave({site}, why);
    sites_[site].general = general;
}

// Written in a macro's body, a node is the macro's, not the caller's: nothing there is rewritten,
// though what the caller passed as the macro's arguments is.
bool Rewriter::fold_in_macro_body(const Stmt* s) {
    const auto in_macro_body = [&](SourceLocation l) { return l.isMacroID() && !sm_.isMacroArgExpansion(l); };
    if (!in_macro_body(s->getBeginLoc()) && !in_macro_body(s->getEndLoc())) return false;
    const auto* call = dyn_cast<CallExpr>(s);
    if (call && queries_.read_kind(call) != ReadKind::none) {
        seen_reads_.insert(call);
        leave_at(call->getBeginLoc(), "the read is inside a macro");
    } else {
        fold_children(s);
    }
    return true;
}

Value Rewriter::fold(const Stmt* s) {
    if (!s || fold_in_macro_body(s)) return std::nullopt;
    if (const auto* call = dyn_cast<CallExpr>(s)) {
        if (const auto kind = queries_.read_kind(call); kind != ReadKind::none) return fold_read(call, kind);
        if (queries_.is_for_each_state(call)) {
            fold_for_each_state(call);
            return std::nullopt;
        }
    }
    if (const auto* ref = dyn_cast<DeclRefExpr>(s)) {
        if (const auto* param = dyn_cast<ParmVarDecl>(ref->getDecl()); param && fixed_.contains(param)) {
            auto c = fixed_.at(param);
            c.sites = {add_site(ref->getLocation())};
            return c;
        }
        return std::nullopt;
    }
    // A stored value's use, read where it is written (a lambda's copy is left, with its capture).
    if (const auto* cast = dyn_cast<ImplicitCastExpr>(s); cast && cast->getCastKind() == CK_LValueToRValue) {
        const auto* ref = dyn_cast<DeclRefExpr>(cast->getSubExpr()->IgnoreParens());
        const auto* var = ref ? dyn_cast<VarDecl>(ref->getDecl()) : nullptr;
        if (var && stored_.contains(var) && !ref->refersToEnclosingVariableOrCapture()) {
            auto c = stored_.at(var);
            c.sites = {add_site(ref->getLocation())};
            return c;
        }
    }
    if (isa<ParenExpr, ImplicitCastExpr, ExprWithCleanups, ConstantExpr, MaterializeTemporaryExpr,
            CXXBindTemporaryExpr>(s)) {
        const auto* child = *s->child_begin();
        return fold(child);
    }
    if (const auto* op = dyn_cast<UnaryOperator>(s); op && op->getOpcode() == UO_LNot) {
        auto v = fold(op->getSubExpr());
        if (v && v->kind == Const::Kind::boolean) {
            v->value = !v->value;
            return v;
        }
        if (v) materialize(op->getSubExpr(), *v);
        return std::nullopt;
    }
    if (const auto* op = dyn_cast<BinaryOperator>(s)) {
        if (op->isLogicalOp()) return fold_logical(op);
        if (op->isEqualityOp()) return fold_comparison(op);
    }
    if (const auto* op = dyn_cast<ConditionalOperator>(s)) return fold_conditional(op);
    if (const auto* member = dyn_cast<MemberExpr>(s)) return fold_member(member);
    if (const auto* stmt = dyn_cast<IfStmt>(s)) {
        fold_if(stmt);
        return std::nullopt;
    }
    if (const auto* stmt = dyn_cast<SwitchStmt>(s)) {
        fold_switch(stmt);
        return std::nullopt;
    }
    if (const auto* lambda = dyn_cast<LambdaExpr>(s)) {
        if (auto v = fold(lambda->getBody())) materialize(lambda->getBody(), *v);
        return std::nullopt;
    }
    if (const auto* decl = dyn_cast<DeclStmt>(s); decl && decl->isSingleDecl()) {
        if (const auto* var = dyn_cast<VarDecl>(decl->getSingleDecl()); var && queries_.is_override(var->getType())) {
            fold_override(decl, var);
            return std::nullopt;
        }
        if (const auto* var = dyn_cast<VarDecl>(decl->getSingleDecl()); var && leave_escaping(var)) return std::nullopt;
        if (const auto* var = dyn_cast<VarDecl>(decl->getSingleDecl()); var && fold_stored(decl, var)) return std::nullopt;
    }
    fold_children(s);
    return std::nullopt;
}

// `const bool on = <a read>;`: the local holds the kept value, so its reads fold as the read would;
// the clean-up removes the declaration once no use is left (retire_cleanup.cpp). A local that
// escapes never gets here (leave_escaping).
bool Rewriter::fold_stored(const DeclStmt* decl, const VarDecl* var) {
    const auto type = var->getType();
    if (!var->isLocalVarDecl() || var->isStaticLocal() || !var->getInit() || !type.isConstQualified() ||
        !type->isBooleanType() || decl->getBeginLoc().isMacroID())
        return false;
    const auto v = fold(var->getInit());
    if (!v) return true;
    materialize(var->getInit(), *v);
    if (v->kind == Const::Kind::boolean) stored_.emplace(var, *v);
    return true;
}

// `bool on = <a read>;` with `on` reachable other than through its value (`&on`, a reference, a
// lambda's capture): what reads it through there cannot be followed, so the read stays for a person.
bool Rewriter::leave_escaping(const VarDecl* var) {
    if (!var->isLocalVarDecl() || var->isStaticLocal() || !var->getInit() || !var->getType()->isBooleanType() ||
        !escapes(var))
        return false;
    leave_reads_under(var->getInit(), "the value is stored in '" + var->getName().str() + "', which escapes");
    return true;
}

void Rewriter::leave_reads_under(const Stmt* s, const std::string& why) {
    if (!s) return;
    if (const auto* call = dyn_cast<CallExpr>(s); call && queries_.read_kind(call) != ReadKind::none) {
        seen_reads_.insert(call);
        leave_at(call->getBeginLoc(), why);
    }
    for (const auto* child : s->children()) leave_reads_under(child, why);
}

void Rewriter::fold_children(const Stmt* s) {
    for (const auto* child : s->children())
        if (auto v = fold(child)) materialize(child, *v);
}

Value Rewriter::fold_read(const CallExpr* call, ReadKind kind) {
    seen_reads_.insert(call);
    const auto site = add_site(call->getBeginLoc());
    for (const auto* arg : call->arguments()) {
        if (queries_.may_have_side_effects(arg)) {
            leave({site}, "its argument may have a side effect that removing the read would drop");
            return std::nullopt;
        }
    }
    if (const auto* member = dyn_cast<CXXMemberCallExpr>(call);
        member && queries_.may_have_side_effects(member->getImplicitObjectArgument())) {
        leave({site}, "the object it reads through may have a side effect that removing the read would drop");
        return std::nullopt;
    }
    const auto value_kind = target_.boolean ? Const::Kind::boolean : Const::Kind::variant;
    if (kind == ReadKind::detail) return Const{Const::Kind::detail, static_cast<std::int64_t>(target_.keep), {site}};
    if ((kind == ReadKind::enabled) != target_.boolean) {
        leave({site}, "the read does not match the flag's type");
        return std::nullopt;
    }
    return Const{value_kind, static_cast<std::int64_t>(target_.keep), {site}};
}

void Rewriter::materialize(const Stmt* node, const Const& c) {
    const auto span = span_of(node->getSourceRange());
    if (!span) {
        leave(c.sites, "the read is inside a macro");
        return;
    }
    switch (c.kind) {
    case Const::Kind::boolean: replace(*span, literal(c.value != 0)); return;
    case Const::Kind::text: replace(*span, "std::string_view(\"" + target_.keep_name + "\")"); return;
    case Const::Kind::variant:
        leave(c.sites, "the variant is used as a value of its enum type, which goes with the flag");
        return;
    case Const::Kind::detail:
        leave(c.sites, "the detail is used as a whole; only its .value and .variant have a kept value");
        return;
    }
}

bool Rewriter::replace_with_operand(const Stmt* whole, const Expr* kept, bool parenthesize) {
    const auto w = span_of(whole->getSourceRange());
    const auto k = span_of(kept->getSourceRange());
    if (!w || !k || w->file != k->file) return false;
    auto text = w->file->edits->render(k->begin, k->end);
    if (!text) return false;
    if (parenthesize) text = "(" + *text + ")";
    drop_around(*w, *k);
    return w->file->edits->replace(w->begin, w->end, *text);
}

std::vector<std::size_t> joined_sites(const Const& a, const Const& b) {
    auto sites = a.sites;
    sites.insert(sites.end(), b.sites.begin(), b.sites.end());
    return sites;
}

// `C && X`, `X && C`, and the same with ||: a constant that decides the result replaces it when
// what it drops is never evaluated or has no side effect; a constant that does not decide it gives
// way to the other operand.
Value Rewriter::fold_logical(const BinaryOperator* op) {
    auto l = fold(op->getLHS());
    auto r = fold(op->getRHS());
    const bool is_and = op->getOpcode() == BO_LAnd;
    const auto is_bool = [](const Value& v) { return v && v->kind == Const::Kind::boolean; };
    if (is_bool(l) && is_bool(r))
        return Const{Const::Kind::boolean, is_and ? (l->value && r->value) : (l->value || r->value), joined_sites(*l, *r)};
    if (is_bool(l)) {
        if ((l->value != 0) != is_and) return l;  // false && X, true || X: X is never evaluated
        if (replace_with_operand(op, op->getRHS(), false)) return std::nullopt;
        materialize(op->getLHS(), *l);
        return std::nullopt;
    }
    if (is_bool(r)) {
        if ((r->value != 0) == is_and) {
            if (!replace_with_operand(op, op->getLHS(), false)) materialize(op->getRHS(), *r);
            return std::nullopt;
        }
        if (!queries_.may_have_side_effects(op->getLHS())) return r;
        materialize(op->getRHS(), *r);
        return std::nullopt;
    }
    if (l) materialize(op->getLHS(), *l);
    if (r) materialize(op->getRHS(), *r);
    return std::nullopt;
}

// `variant<F>(ctx) == flags::X::v`, `enabled<F>(ctx) == true`, and both sides read from the flag.
Value Rewriter::fold_comparison(const BinaryOperator* op) {
    auto l = fold(op->getLHS());
    auto r = fold(op->getRHS());
    const bool equal = op->getOpcode() == BO_EQ;
    if (l && r && l->kind == r->kind && (l->kind == Const::Kind::boolean || l->kind == Const::Kind::variant))
        return Const{Const::Kind::boolean, (l->value == r->value) == equal, joined_sites(*l, *r)};
    const auto against = [&](const Const& c, const Expr* other) -> Value {
        std::optional<std::int64_t> named;
        if (c.kind == Const::Kind::variant) named = queries_.variant_named(other);
        if (c.kind == Const::Kind::boolean && isa<CXXBoolLiteralExpr>(other->IgnoreParenImpCasts()))
            named = queries_.constant_value(other);
        if (!named) return std::nullopt;
        return Const{Const::Kind::boolean, (c.value == *named) == equal, c.sites};
    };
    if (l && !r)
        if (auto v = against(*l, op->getRHS())) return v;
    if (r && !l)
        if (auto v = against(*r, op->getLHS())) return v;
    if (l) materialize(op->getLHS(), *l);
    if (r) materialize(op->getRHS(), *r);
    return std::nullopt;
}

Value Rewriter::fold_conditional(const ConditionalOperator* op) {
    auto c = fold(op->getCond());
    auto t = fold(op->getTrueExpr());
    auto f = fold(op->getFalseExpr());
    if (c && c->kind == Const::Kind::boolean) {
        const Expr* kept = c->value ? op->getTrueExpr() : op->getFalseExpr();
        auto& kept_value = c->value ? t : f;
        if (kept_value) {
            kept_value->sites.insert(kept_value->sites.end(), c->sites.begin(), c->sites.end());
            return kept_value;
        }
        const auto* bare = kept->IgnoreImplicit();
        const bool simple = isa<DeclRefExpr, IntegerLiteral, StringLiteral, CXXBoolLiteralExpr, ParenExpr, CallExpr,
                                MemberExpr, FloatingLiteral, CharacterLiteral>(bare);
        const Stmt* whole = op;
        const auto* parent = parent_of(op);
        while (parent && isa<ImplicitCastExpr>(parent)) parent = parent_of(parent);
        // `(C ? a : b)` becomes `a`, not `(a)`, when `a` needs no parentheses of its own.
        if (parent && isa<ParenExpr>(parent) && simple) whole = parent;
        const bool operand = parent && isa<BinaryOperator, UnaryOperator, MemberExpr, ConditionalOperator>(parent);
        if (replace_with_operand(whole, kept, operand && !simple)) return std::nullopt;
        leave(c->sites, "the read is inside a macro");
        return std::nullopt;
    }
    if (c) materialize(op->getCond(), *c);
    if (t) materialize(op->getTrueExpr(), *t);
    if (f) materialize(op->getFalseExpr(), *f);
    return std::nullopt;
}

// detail<F>(ctx).value and .variant have the kept value; the other fields depend on the evaluation.
Value Rewriter::fold_member(const MemberExpr* member) {
    auto base = fold(member->getBase());
    if (!base) return std::nullopt;
    if (base->kind != Const::Kind::detail) {
        materialize(member->getBase(), *base);
        return std::nullopt;
    }
    const auto name = member->getMemberDecl()->getName();
    if (name == "value")
        return Const{target_.boolean ? Const::Kind::boolean : Const::Kind::variant, base->value, base->sites};
    if (name == "variant") return Const{Const::Kind::text, base->value, base->sites};
    leave(base->sites, "detail's ." + name.str() + " depends on the evaluation, not only on the value");
    return std::nullopt;
}

}  // namespace retire

void rewrite_translation_unit(clang::ASTContext& context, const RetireTarget& target, const ProjectScope& scope,
                              SourceRewrite& out) {
    retire::Rewriter rewriter(context, target, scope);
    // The rules ask for parents only inside the project's declarations: the parent map need not
    // walk (and, through a preamble, deserialize) the whole standard library.
    context.setTraversalScope(rewriter.project_decls());
    rewriter.run();
    rewriter.collect(out);
}

}  // namespace flagctl
