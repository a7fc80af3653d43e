// What `flagctl retire` does after the rules: functions of internal linkage that only the removed
// code called go too, a parameter or local only the removed code read is marked or removed, so that
// the result builds under -Werror; and every name of the flag still in the code is reported.
#include <clang/AST/ExprCXX.h>
#include <clang/AST/ParentMapContext.h>
#include <clang/AST/RecursiveASTVisitor.h>
#include <clang/Basic/SourceManager.h>

#include "retire_rewriter.hpp"

namespace flagctl::retire {

using namespace clang;

namespace {

// Every written reference to a declaration, by its canonical declaration.
class References : public RecursiveASTVisitor<References> {
public:
    std::map<const Decl*, std::vector<SourceLocation>> uses;

    bool VisitDeclRefExpr(DeclRefExpr* ref) {
        add(ref->getDecl(), ref->getLocation());
        return true;
    }
    bool VisitUnresolvedLookupExpr(UnresolvedLookupExpr* lookup) {
        for (const auto* d : lookup->decls()) add(d, lookup->getNameLoc());
        return true;
    }

private:
    void add(const Decl* d, SourceLocation loc) {
        if (const auto* tmpl = dyn_cast<FunctionTemplateDecl>(d)) d = tmpl->getTemplatedDecl();
        if (const auto* fn = dyn_cast<FunctionDecl>(d); fn && fn->getPrimaryTemplate())
            d = fn->getPrimaryTemplate()->getTemplatedDecl();
        uses[d->getCanonicalDecl()].push_back(loc);
    }
};

// The names of the flag that remain in the code: its enumerator, its variants, its variant type.
class RemainingNames : public RecursiveASTVisitor<RemainingNames> {
public:
    RemainingNames(Rewriter& r) : r_(r) {}

    bool VisitDeclRefExpr(DeclRefExpr* ref) {
        if (r_.queries_.is_flag_enumerator(ref->getDecl()))
            report(ref->getLocation(), "it names Flag::" + r_.target_.identifier + " outside a read it can rewrite");
        else if (r_.queries_.variant_named(ref))
            report(ref->getLocation(), "it names a variant of the flag outside a comparison or switch it can fold");
        return true;
    }
    bool VisitCallExpr(CallExpr* call) {
        if (r_.queries_.read_kind(call) != ReadKind::none && !r_.seen_reads_.contains(call))
            report(call->getBeginLoc(), "a read where no rule applies (outside a function body)");
        return true;
    }
    bool VisitEnumTypeLoc(EnumTypeLoc type) {
        if (r_.queries_.variant_enum() && type.getDecl() == r_.queries_.variant_enum())
            report(type.getBeginLoc(), "it uses the flag's variant enum as a type, which goes with the flag");
        return true;
    }

private:
    void report(SourceLocation loc, const std::string& why) {
        const auto at = r_.spelled_at(loc);
        if (!at || !at->first->project || at->first->edits->dropped(at->second)) return;
        r_.leave_at(loc, why, true);
    }
    Rewriter& r_;
};

bool internal_function(const FunctionDecl* fn) {
    return !fn->isExternallyVisible() && !isa<CXXMethodDecl>(fn) && !fn->isMain() && fn->getBeginLoc().isFileID();
}

}  // namespace

// The reads in files retire does not rewrite (subprojects/, the build directory, system headers,
// anything outside the current directory): each is a site left for a person, since the flag's
// removal from the registry would break them.
class ReadsNotRewritten : public RecursiveASTVisitor<ReadsNotRewritten> {
public:
    ReadsNotRewritten(Rewriter& r) : r_(r) {}

    bool VisitCallExpr(CallExpr* call) {
        if (r_.queries_.read_kind(call) == ReadKind::none) return true;
        const auto [file, offset] = r_.sm_.getDecomposedLoc(r_.sm_.getFileLoc(call->getBeginLoc()));
        const auto* state = r_.file_of(file);
        if (!state->project && !state->path.empty()) r_.leave_at(call->getBeginLoc(), state->outside);
        return true;
    }

private:
    Rewriter& r_;
};

void Rewriter::clean_up() {
    remove_unused_functions();
    quiet_unused_variables();
    RemainingNames names(*this);
    for (auto* d : project_decls()) names.TraverseDecl(d);
    report_reads_not_rewritten();
}

void Rewriter::report_reads_not_rewritten() {
    ReadsNotRewritten reads(*this);
    for (auto* d : ctx_.getTranslationUnitDecl()->decls()) {
        const auto loc = sm_.getFileLoc(d->getLocation());
        if (loc.isInvalid()) continue;
        const auto* state = file_of(sm_.getFileID(loc));
        if (state->project || !state->names_flag || declares_flag_enum(d)) continue;
        reads.TraverseDecl(d);
    }
}

// The registry's generated header names every flag but reads none: walking it in every unit would
// cost more than the rest of the rewrite.
bool Rewriter::declares_flag_enum(const Decl* d) {
    const auto* ns = dyn_cast<NamespaceDecl>(d);
    if (!ns || ns->getName() != "flags") return false;
    for (const auto* found : ns->lookup(&ctx_.Idents.get("Flag")))
        if (isa<EnumDecl>(found) && sm_.getFileID(sm_.getFileLoc(found->getLocation())) == sm_.getFileID(sm_.getFileLoc(ns->getLocation())))
            return true;
    return false;
}

void Rewriter::remove_unused_functions() {
    References refs;
    for (auto* d : project_decls()) refs.TraverseDecl(d);
    std::set<const FunctionDecl*> removed;
    for (bool changed = true; changed;) {
        changed = false;
        for (const auto* fn : bodies_) {
            // Only the main file's: another translation unit may call a header's static function
            // from code this one does not see.
            if (removed.contains(fn) || !internal_function(fn) || !sm_.isInMainFile(fn->getLocation())) continue;
            const Decl* whole = fn->getDescribedFunctionTemplate() ? static_cast<const Decl*>(fn->getDescribedFunctionTemplate()) : fn;
            const auto span = span_of(whole->getSourceRange());
            if (!span || span->file->edits->dropped(span->begin)) continue;
            const auto& uses = refs.uses[fn->getCanonicalDecl()];
            const auto inside = [&](SourceLocation loc) {
                const auto at = spelled_at(loc);
                return at && at->first == span->file && at->second >= span->begin && at->second < span->end;
            };
            // Unused before, or only calling itself: not the retire's to remove.
            if (std::ranges::all_of(uses, [&](SourceLocation l) { return inside(l); })) continue;
            if (!std::ranges::all_of(uses, [&](SourceLocation l) { return is_dropped(l) || inside(l); })) continue;
            const auto [from, to] = span->file->edits->declaration_lines(span->begin, span->end);
            replace(Span{span->file, from, to}, "");
            removed.insert(fn);
            changed = true;
        }
    }
    vote_on_header_functions(refs.uses);
}

// A header's internal functions are copied into every unit that includes it, and a unit sees only
// its own uses: each unit says whether it still uses one (rewrite_sources weighs the words), taking
// a function that only such functions call as going with them.
void Rewriter::vote_on_header_functions(const std::map<const Decl*, std::vector<SourceLocation>>& uses) {
    struct Candidate {
        const FunctionDecl* fn;
        Span span;
        std::string key;
    };
    std::vector<Candidate> candidates;
    for (const auto* fn : bodies_) {
        if (!internal_function(fn) || sm_.isInMainFile(fn->getLocation())) continue;
        const Decl* whole = fn->getDescribedFunctionTemplate() ? static_cast<const Decl*>(fn->getDescribedFunctionTemplate()) : fn;
        const auto span = span_of(whole->getSourceRange());
        if (!span || !span->file->project || span->file->edits->dropped(span->begin)) continue;
        candidates.push_back({fn, *span, span->file->path + ":" + std::to_string(span->begin)});
    }
    const auto inside = [&](const Candidate& c, SourceLocation loc) {
        const auto at = spelled_at(loc);
        return at && at->first == c.span.file && at->second >= c.span.begin && at->second < c.span.end;
    };
    const auto uses_of = [&](const Candidate& c) -> const std::vector<SourceLocation>& {
        static const std::vector<SourceLocation> none;
        const auto found = uses.find(c.fn->getCanonicalDecl());
        return found == uses.end() ? none : found->second;
    };
    std::map<const FunctionDecl*, std::set<std::string>> going;  // with the keys it goes only with
    for (bool changed = true; changed;) {
        changed = false;
        for (const auto& c : candidates) {
            if (going.contains(c.fn)) continue;
            const auto& refs = uses_of(c);
            if (std::ranges::all_of(refs, [&](SourceLocation l) { return inside(c, l); })) continue;
            std::set<std::string> with;
            const auto gone = [&](SourceLocation l) {
                if (is_dropped(l) || inside(c, l)) return true;
                for (const auto& other : candidates)
                    if (going.contains(other.fn) && inside(other, l)) return with.insert(other.key), true;
                return false;
            };
            if (!std::ranges::all_of(refs, gone)) continue;
            going.emplace(c.fn, std::move(with));
            changed = true;
        }
    }
    for (const auto& c : candidates) {
        const auto& refs = uses_of(c);
        const auto found = going.find(c.fn);
        if (found == going.end() && std::ranges::all_of(refs, [&](SourceLocation l) { return inside(c, l); })) continue;
        const auto [from, to] = c.span.file->edits->declaration_lines(c.span.begin, c.span.end);
        header_votes_[c.key].push_back(HeaderFunctionVote{
            .path = c.span.file->path,
            .line = sm_.getSpellingLineNumber(c.fn->getLocation()),
            .name = c.fn->getNameAsString(),
            .unit = file_of(sm_.getMainFileID())->path,
            .removal = TextEdit{from, to, ""},
            .used = found == going.end(),
            .quiet = c.fn->isInlined() || c.fn->hasAttr<UnusedAttr>(),
            .unless_kept = found == going.end() ? std::vector<std::string>{}
                                                : std::vector<std::string>(found->second.begin(), found->second.end()),
        });
    }
}

void Rewriter::quiet_unused_variables() {
    References refs;
    for (auto* d : project_decls()) refs.TraverseDecl(d);
    for (const auto& [decl, uses] : refs.uses) {
        const auto* var = dyn_cast<VarDecl>(decl);
        if (!var || uses.empty() || !std::ranges::all_of(uses, [&](SourceLocation l) { return is_dropped(l); })) continue;
        if (var->hasAttr<UnusedAttr>() || !var->getIdentifier() || is_dropped(var->getLocation())) continue;
        const auto span = span_of(var->getSourceRange());
        if (!span || !var->getLocation().isFileID()) continue;
        if (isa<ParmVarDecl>(var)) {
            span->file->edits->replace(span->begin, span->begin, "[[maybe_unused]] ");
            continue;
        }
        if (!var->isLocalVarDecl() || var->isStaticLocal() || var->getType().isDestructedType() != QualType::DK_none)
            continue;
        const auto parents = ctx_.getParents(*var);
        const auto* stmt = parents.empty() ? nullptr : parents[0].get<DeclStmt>();
        if (!stmt || !stmt->isSingleDecl()) continue;
        // A stored read was folded: its initializer is the kept value, with nothing else to keep.
        if (!var->getInit() || stored_.contains(var) || !queries_.may_have_side_effects(var->getInit()))
            erase_statement(stmt);
        else span->file->edits->replace(span->begin, span->begin, "[[maybe_unused]] ");
    }
}

}  // namespace flagctl::retire
