// What the AST says about the retired flag: which calls read it, which types and names stand for it.
// Matching is by declaration (a function of namespace flags, the enum a flag_value specialisation
// names), never by spelling, so `Flag::x`, `flags::Flag::x`, `"name"`, a using-declaration or a
// moved enum all match alike.
#pragma once

#include <clang/AST/ASTContext.h>
#include <clang/AST/Expr.h>

#include <cstdint>
#include <optional>
#include <string_view>

#include "retire_sources.hpp"

namespace flagctl {

enum class ReadKind { none, enabled, variant, detail };

class AstQueries {
public:
    AstQueries(clang::ASTContext& context, const RetireTarget& target);

    // flags::enabled / variant / detail of the flag, free or through a view or a Runtime.
    ReadKind read_kind(const clang::CallExpr* call) const;
    // flags::testing::for_each_state<F>(body) for the flag.
    bool is_for_each_state(const clang::CallExpr* call) const;
    // flags::testing::override<F> for the flag.
    bool is_override(clang::QualType type) const;
    // A type spelled with the flag as a template argument, as flag_value_t<F> is.
    bool type_names_flag(clang::QualType type) const;
    // The Flag enumerator of the retired flag.
    bool is_flag_enumerator(const clang::Decl* decl) const;
    // The generated enum of the flag's variants (null for a boolean flag).
    const clang::EnumDecl* variant_enum() const { return variant_enum_; }
    // The position of the variant an expression names, if it names one of the flag's variants.
    std::optional<std::int64_t> variant_named(const clang::Expr* e) const;
    // Whether evaluating `e` may do anything besides produce its value. A flags::Context built from
    // values, a view from flags::pin() and names of variables do not.
    bool may_have_side_effects(const clang::Expr* e) const;
    // The value of a constant expression of bool or enum type.
    std::optional<std::int64_t> constant_value(const clang::Expr* e) const;

private:
    bool names_flag(const clang::TemplateArgument& arg) const;
    bool is_flag_template_call(const clang::CallExpr* call, std::string_view name, std::string_view scope) const;

    clang::ASTContext& ctx_;
    const RetireTarget& target_;
    const clang::EnumDecl* variant_enum_ = nullptr;
};

// Whether `decl` is declared in namespace flags (`inner`: in flags::<inner>, e.g. "testing").
bool in_flags_namespace(const clang::Decl* decl, std::string_view inner = "");

// Whether the local `var` can be reached other than through its value: its address taken, bound to
// a reference, captured by a lambda (a copy outlives the rewrite of the original).
bool escapes(const clang::VarDecl* var);

}  // namespace flagctl
