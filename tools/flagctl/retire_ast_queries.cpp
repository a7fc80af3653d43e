#include "retire_ast_queries.hpp"

#include <clang/AST/DeclTemplate.h>
#include <clang/AST/ExprCXX.h>

#include <vector>

namespace flagctl {

using namespace clang;

namespace {

// The text of a FlagName<N> template argument: a struct whose one field is the array of characters.
std::optional<std::string> flag_name_text(const APValue& value) {
    if (!value.isStruct() || value.getStructNumFields() < 1) return std::nullopt;
    const APValue& chars = value.getStructField(0);
    if (!chars.isArray()) return std::nullopt;
    std::string text;
    for (unsigned i = 0; i < chars.getArraySize(); ++i) {
        const APValue& c = i < chars.getArrayInitializedElts() ? chars.getArrayInitializedElt(i) : chars.getArrayFiller();
        if (!c.isInt()) return std::nullopt;
        const auto code = c.getInt().getExtValue();
        if (code == 0) break;
        text += static_cast<char>(code);
    }
    return text;
}

const NamespaceDecl* flags_namespace(ASTContext& ctx) {
    for (const auto* d : ctx.getTranslationUnitDecl()->lookup(&ctx.Idents.get("flags")))
        if (const auto* ns = dyn_cast<NamespaceDecl>(d)) return ns;
    return nullptr;
}

// flag_value<Flag::x>::type, the enum of the flag's variants.
const EnumDecl* find_variant_enum(ASTContext& ctx, std::uint64_t index) {
    const auto* ns = flags_namespace(ctx);
    if (!ns) return nullptr;
    for (const auto* d : ns->lookup(&ctx.Idents.get("flag_value"))) {
        const auto* tmpl = dyn_cast<ClassTemplateDecl>(d);
        if (!tmpl) continue;
        for (const auto* spec : tmpl->specializations()) {
            const auto& args = spec->getTemplateArgs();
            if (args.size() != 1 || args[0].getKind() != TemplateArgument::Integral) continue;
            if (args[0].getAsIntegral().getZExtValue() != index) continue;
            for (const auto* member : spec->lookup(&ctx.Idents.get("type")))
                if (const auto* alias = dyn_cast<TypedefNameDecl>(member))
                    if (const auto* e = alias->getUnderlyingType()->getAs<EnumType>()) return e->getDecl();
        }
    }
    return nullptr;
}

}  // namespace

bool in_flags_namespace(const Decl* decl, std::string_view inner) {
    std::vector<std::string> names;
    for (const DeclContext* dc = decl->getDeclContext(); dc; dc = dc->getParent())
        if (const auto* ns = dyn_cast<NamespaceDecl>(dc)) names.push_back(ns->getNameAsString());
    if (names.empty() || names.back() != "flags") return false;
    return inner.empty() || (names.size() >= 2 && names[names.size() - 2] == inner);
}

AstQueries::AstQueries(ASTContext& context, const RetireTarget& target) : ctx_(context), target_(target) {
    if (!target.boolean) variant_enum_ = find_variant_enum(context, target.index);
}

bool AstQueries::names_flag(const TemplateArgument& arg) const {
    switch (arg.getKind()) {
    case TemplateArgument::Integral: {
        const auto* e = arg.getIntegralType()->getAs<EnumType>();
        return e && e->getDecl()->getName() == "Flag" && in_flags_namespace(e->getDecl()) &&
               arg.getAsIntegral().getZExtValue() == target_.index;
    }
    case TemplateArgument::Declaration:
        if (const auto* object = dyn_cast<TemplateParamObjectDecl>(arg.getAsDecl()))
            return flag_name_text(object->getValue()) == target_.name;
        return false;
    case TemplateArgument::Expression: {
        const auto* e = arg.getAsExpr();
        if (const auto* ref = dyn_cast<DeclRefExpr>(e->IgnoreParenImpCasts())) return is_flag_enumerator(ref->getDecl());
        return false;
    }
    default: return false;
    }
}

bool AstQueries::is_flag_enumerator(const Decl* decl) const {
    const auto* constant = dyn_cast_or_null<EnumConstantDecl>(decl);
    if (!constant) return false;
    const auto* e = dyn_cast<EnumDecl>(constant->getDeclContext());
    return e && e->getName() == "Flag" && in_flags_namespace(e) && constant->getInitVal().getExtValue() == static_cast<std::int64_t>(target_.index);
}

bool AstQueries::is_flag_template_call(const CallExpr* call, std::string_view name, std::string_view scope) const {
    const auto* fn = call->getDirectCallee();
    if (!fn || !fn->getIdentifier() || fn->getName() != llvm::StringRef(name.data(), name.size()) || !in_flags_namespace(fn, scope)) return false;
    const auto* args = fn->getTemplateSpecializationArgs();
    return args && args->size() >= 1 && names_flag(args->get(0));
}

ReadKind AstQueries::read_kind(const CallExpr* call) const {
    if (is_flag_template_call(call, "enabled", "")) return ReadKind::enabled;
    if (is_flag_template_call(call, "variant", "")) return ReadKind::variant;
    if (is_flag_template_call(call, "detail", "")) return ReadKind::detail;
    return ReadKind::none;
}

bool AstQueries::is_for_each_state(const CallExpr* call) const {
    return is_flag_template_call(call, "for_each_state", "testing");
}

bool AstQueries::is_override(QualType type) const {
    const auto* record = dyn_cast_or_null<ClassTemplateSpecializationDecl>(type->getAsCXXRecordDecl());
    if (!record || record->getName() != "override" || !in_flags_namespace(record, "testing")) return false;
    const auto& args = record->getTemplateArgs();
    return args.size() >= 1 && names_flag(args[0]);
}

bool AstQueries::type_names_flag(QualType type) const {
    for (QualType t = type; !t.isNull();) {
        if (const auto* tst = t->getAs<TemplateSpecializationType>()) {
            for (const auto& arg : tst->template_arguments())
                if (names_flag(arg)) return true;
            if (!tst->isSugared()) return false;
            t = tst->desugar();
            continue;
        }
        return false;
    }
    return false;
}

std::optional<std::int64_t> AstQueries::variant_named(const Expr* e) const {
    const auto* ref = dyn_cast<DeclRefExpr>(e->IgnoreParenImpCasts());
    if (!ref || !variant_enum_) return std::nullopt;
    const auto* constant = dyn_cast<EnumConstantDecl>(ref->getDecl());
    if (!constant || constant->getDeclContext() != variant_enum_) return std::nullopt;
    return constant->getInitVal().getExtValue();
}

std::optional<std::int64_t> AstQueries::constant_value(const Expr* e) const {
    Expr::EvalResult result;
    if (e->isValueDependent() || !e->EvaluateAsRValue(result, ctx_) || !result.Val.isInt()) return std::nullopt;
    return result.Val.getInt().getExtValue();
}

bool AstQueries::may_have_side_effects(const Expr* e) const {
    e = e->IgnoreImplicit()->IgnoreParens();
    if (const auto* construct = dyn_cast<CXXConstructExpr>(e)) {
        const auto* record = construct->getType()->getAsCXXRecordDecl();
        if (record && in_flags_namespace(record) && record->getName() == "Context") {
            for (const auto* arg : construct->arguments())
                if (may_have_side_effects(arg)) return true;
            return false;
        }
    }
    if (const auto* construct = dyn_cast<CXXConstructExpr>(e); construct && construct->getConstructor()->isConstexpr()) {
        for (const auto* arg : construct->arguments())
            if (may_have_side_effects(arg)) return true;
        return false;
    }
    if (const auto* list = dyn_cast<InitListExpr>(e)) {
        const auto* record = list->getType()->getAsCXXRecordDecl();
        if (record && in_flags_namespace(record) && record->getName() == "Context") {
            for (const auto* init : list->inits())
                if (init && may_have_side_effects(init)) return true;
            return false;
        }
    }
    if (const auto* call = dyn_cast<CallExpr>(e)) {
        const auto* fn = call->getDirectCallee();
        if (fn && fn->getIdentifier() && fn->getName() == "pin" && in_flags_namespace(fn)) {
            if (const auto* member = dyn_cast<CXXMemberCallExpr>(call))
                return may_have_side_effects(member->getImplicitObjectArgument());
            return call->getNumArgs() != 0;
        }
    }
    return e->HasSideEffects(ctx_, true);
}

namespace {

// Whether a use of `var` under `s` reaches it other than by reading or assigning its value. `parent`
// is the nearest enclosing node that is not a parenthesis.
bool escapes_under(const Stmt* s, const Stmt* parent, const VarDecl* var) {
    if (!s) return false;
    if (const auto* lambda = dyn_cast<LambdaExpr>(s))
        for (const auto& capture : lambda->captures())
            if (capture.capturesVariable() && capture.getCapturedVar() == var) return true;
    if (const auto* ref = dyn_cast<DeclRefExpr>(s); ref && ref->getDecl() == var) {
        const auto* cast = dyn_cast_or_null<ImplicitCastExpr>(parent);
        const auto* assign = dyn_cast_or_null<BinaryOperator>(parent);
        const bool read = cast && cast->getCastKind() == CK_LValueToRValue;
        const bool assigned = assign && assign->isAssignmentOp() && assign->getLHS()->IgnoreParens() == ref;
        return !read && !assigned;
    }
    const auto* next_parent = isa<ParenExpr>(s) ? parent : s;
    for (const auto* child : s->children())
        if (escapes_under(child, next_parent, var)) return true;
    return false;
}

}  // namespace

bool escapes(const VarDecl* var) {
    const auto* function = dyn_cast_or_null<FunctionDecl>(var->getParentFunctionOrMethod());
    return function && escapes_under(function->getBody(), nullptr, var);
}

}  // namespace flagctl
