// The test rules of `flagctl retire`: a FLAGS_TEST_CASE_EACH_STATE over the flag becomes an ordinary
// test with `state` the kept value, an override that forces the kept state goes, a test that forces
// the retired one goes whole, and for_each_state runs its body once, in place.
#include <clang/AST/ExprCXX.h>
#include <clang/AST/ParentMapContext.h>
#include <clang/Lex/Lexer.h>

#include "retire_rewriter.hpp"

namespace flagctl::retire {

using namespace clang;

namespace {

constexpr std::string_view each_state_macro = "FLAGS_TEST_CASE_EACH_STATE";

bool returns(const Stmt* s) {
    if (!s || isa<LambdaExpr>(s)) return false;
    if (isa<ReturnStmt>(s)) return true;
    return std::ranges::any_of(s->children(), [](const Stmt* c) { return returns(c); });
}

}  // namespace

void Rewriter::fold_each_state_test(const FunctionDecl* fn) {
    if (!fn->getIdentifier() || !fn->getName().endswith("_body") || fn->getNumParams() != 1) return;
    const auto loc = fn->getLocation();
    if (!loc.isMacroID()) return;
    const auto invocation = sm_.getExpansionRange(loc);
    const auto macro = Lexer::getSourceText(CharSourceRange::getTokenRange(invocation.getBegin()), sm_, lo_);
    const auto* param = fn->getParamDecl(0);
    if (macro != llvm::StringRef(each_state_macro.data(), each_state_macro.size()) || !queries_.type_names_flag(param->getType())) return;
    const auto span = span_of(invocation.getAsRange());
    const auto site = add_site(invocation.getBegin());
    if (!span) {
        leave({site}, "the test case is inside another macro");
        return;
    }
    replace(*span, "BOOST_AUTO_TEST_CASE(" + fn->getName().drop_back(5).str() + ")");
    fixed_[param] = Const{target_.boolean ? Const::Kind::boolean : Const::Kind::variant,
                          static_cast<std::int64_t>(target_.keep), {}};
}

void Rewriter::fold_override(const DeclStmt* decl, const VarDecl* var) {
    const auto site = add_site(var->getLocation());
    const auto* construct = var->getInit() ? dyn_cast<CXXConstructExpr>(var->getInit()->IgnoreImplicit()) : nullptr;
    const auto forced = construct && construct->getNumArgs() == 1 ? queries_.constant_value(construct->getArg(0))
                                                                   : std::nullopt;
    if (!forced) {
        leave({site}, "the override's value is not a constant");
        return;
    }
    if (*forced == static_cast<std::int64_t>(target_.keep)) {
        if (!erase_statement(decl)) leave({site}, "the override is inside a macro");
        return;
    }
    if (!erase_test_of(decl)) leave({site}, "it forces the retired state outside a test case that could be deleted");
}

// The test case (a function a test macro declared, as BOOST_AUTO_TEST_CASE does) around `s`, deleted
// with the comment lines right above it.
bool Rewriter::erase_test_of(const Stmt* s) {
    DynTypedNode node = DynTypedNode::create(*s);
    const FunctionDecl* fn = nullptr;
    while (!fn) {
        const auto parents = ctx_.getParents(node);
        if (parents.empty()) return false;
        node = parents[0];
        if (const auto* d = node.get<FunctionDecl>()) fn = d;
        if (node.get<LambdaExpr>()) return false;
    }
    if (!fn->getLocation().isMacroID() || !fn->getBody()) return false;
    const auto begin = sm_.getExpansionRange(fn->getLocation()).getBegin();
    const auto span = span_of(SourceRange(begin, fn->getBody()->getEndLoc()));
    if (!span) return false;
    const auto [from, to] = span->file->edits->declaration_lines(span->begin, span->end);
    replace(Span{span->file, from, to}, "");
    return true;
}

void Rewriter::fold_for_each_state(const CallExpr* call) {
    const auto site = add_site(call->getBeginLoc());
    const auto* lambda = call->getNumArgs() == 1 ? dyn_cast<LambdaExpr>(call->getArg(0)->IgnoreImplicit()) : nullptr;
    const Stmt* statement = call;
    for (const auto* p = parent_of(statement); p && isa<ExprWithCleanups, ImplicitCastExpr>(p); p = parent_of(p))
        statement = p;
    const auto* parent = parent_of(statement);
    std::string why;
    if (!lambda || lambda->getCallOperator()->getNumParams() != 1) why = "its body is not a lambda of one parameter";
    else if (returns(lambda->getBody())) why = "its body returns, which inlined would return from the function";
    else if (!parent || !isa<CompoundStmt>(parent)) why = "it is not a statement of its own";
    if (!why.empty()) {
        leave({site}, why);
        fold_children(call);
        return;
    }
    const auto* param = lambda->getCallOperator()->getParamDecl(0);
    fixed_[param] = Const{target_.boolean ? Const::Kind::boolean : Const::Kind::variant,
                          static_cast<std::int64_t>(target_.keep), {}};
    if (auto v = fold(lambda->getBody())) materialize(lambda->getBody(), *v);
    fixed_.erase(param);
    if (!replace_statement(statement, {lambda->getBody()}, true)) leave({site}, "the call is inside a macro");
}

}  // namespace flagctl::retire
