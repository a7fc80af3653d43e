// The statement rules of `flagctl retire`: an `if` whose condition became constant keeps the branch
// taken, a `switch` over the retired variant keeps the kept case, each re-indented as the statement
// it replaces was.
#include <algorithm>
#include <cctype>

#include <clang/AST/ExprCXX.h>
#include <clang/AST/StmtCXX.h>

#include "retire_rewriter.hpp"

namespace flagctl::retire {

using namespace clang;

namespace {

bool declares(const std::vector<const Stmt*>& stmts) {
    return std::ranges::any_of(stmts, [](const Stmt* s) { return isa<DeclStmt>(s); });
}

// Whether a `break` in `s` would leave the switch it is in, rather than a loop or switch inside it.
bool breaks_out(const Stmt* s) {
    if (!s) return false;
    if (isa<BreakStmt>(s)) return true;
    if (isa<ForStmt, WhileStmt, DoStmt, CXXForRangeStmt, SwitchStmt, LambdaExpr>(s)) return false;
    return std::ranges::any_of(s->children(), [](const Stmt* c) { return breaks_out(c); });
}

bool ends_flow(const Stmt* s) {
    if (const auto* block = dyn_cast<CompoundStmt>(s)) return !block->body_empty() && ends_flow(block->body_back());
    if (const auto* e = dyn_cast<Expr>(s)) s = e->IgnoreImplicit();
    return isa<ReturnStmt, ContinueStmt, GotoStmt, CXXThrowExpr>(s);
}

// A block's inside, without the blank rest of the `{` line and the blank lines before `}`; and the
// indentation of its first line.
std::pair<std::string, std::optional<std::size_t>> inside_of_block(std::string_view text) {
    std::size_t i = 0;
    while (i < text.size() && (text[i] == ' ' || text[i] == '\t')) ++i;
    std::optional<std::size_t> first;
    if (i < text.size() && text[i] == '\n') {
        text.remove_prefix(i + 1);
        i = 0;
        while (i < text.size() && (text[i] == ' ' || text[i] == '\t')) ++i;
        first = i;
    }
    while (!text.empty() && std::isspace(static_cast<unsigned char>(text.back()))) text.remove_suffix(1);
    return {std::string(text), first};
}

struct Group {
    std::vector<std::int64_t> labels;
    bool is_default = false;
    std::vector<const Stmt*> stmts;
};

std::vector<Group> case_groups(const CompoundStmt* body, const AstQueries& queries) {
    std::vector<Group> groups;
    for (const auto* child : body->body()) {
        if (!isa<SwitchCase>(child)) {
            if (!groups.empty()) groups.back().stmts.push_back(child);
            continue;
        }
        Group g;
        const Stmt* sub = child;
        while (const auto* label = dyn_cast<SwitchCase>(sub)) {
            if (const auto* c = dyn_cast<CaseStmt>(label)) {
                if (auto v = queries.constant_value(c->getLHS())) g.labels.push_back(*v);
            } else {
                g.is_default = true;
            }
            sub = label->getSubStmt();
        }
        g.stmts.push_back(sub);
        groups.push_back(std::move(g));
    }
    return groups;
}

}  // namespace

void Rewriter::fold_if(const IfStmt* s) {
    auto v = fold(s->getCond());
    for (const auto* branch : {s->getThen(), s->getElse()})
        if (auto b = fold(branch)) materialize(branch, *b);
    if (!v) return;
    if (v->kind != Const::Kind::boolean || s->getInit() || s->getConditionVariable() || s->isConstexpr()) {
        materialize(s->getCond(), *v);
        return;
    }
    const Stmt* kept = v->value ? s->getThen() : s->getElse();
    const auto* parent = parent_of(s);
    bool done = false;
    if (kept) {
        done = replace_statement(s, {kept}, parent && isa<CompoundStmt>(parent));
    } else if (const auto* outer = dyn_cast_or_null<IfStmt>(parent); outer && outer->getElse() == s) {
        // `else if (false) A`: the `else` goes too.
        const auto then_span = statement_span(outer->getThen());
        const auto whole = statement_span(s);
        if (then_span && whole && then_span->file == whole->file) {
            replace(Span{whole->file, then_span->end, whole->end}, "");
            done = true;
        }
    } else {
        done = erase_statement(s);
    }
    if (!done) materialize(s->getCond(), *v);
}

void Rewriter::fold_switch(const SwitchStmt* s) {
    auto v = fold(s->getCond());
    if (auto b = fold(s->getBody())) materialize(s->getBody(), *b);
    if (!v) return;
    const auto* body = dyn_cast<CompoundStmt>(s->getBody());
    if (v->kind != Const::Kind::variant || s->getInit() || s->getConditionVariable() || !body) {
        materialize(s->getCond(), *v);
        return;
    }
    const auto groups = case_groups(body, queries_);
    auto chosen = std::ranges::find_if(groups, [&](const Group& g) { return std::ranges::count(g.labels, v->value) > 0; });
    if (chosen == groups.end()) chosen = std::ranges::find_if(groups, [](const Group& g) { return g.is_default; });
    if (chosen == groups.end()) {
        if (!erase_statement(s)) leave(v->sites, "the switch is inside a macro");
        return;
    }
    auto stmts = chosen->stmts;
    if (!stmts.empty() && isa<BreakStmt>(stmts.back())) {
        stmts.pop_back();
    } else if (!stmts.empty() && !ends_flow(stmts.back()) && chosen + 1 != groups.end()) {
        leave(v->sites, "the kept case falls through into the next one");
        return;
    }
    if (std::ranges::any_of(stmts, breaks_out)) {
        leave(v->sites, "the kept case breaks out of the switch before its end");
        return;
    }
    const auto* parent = parent_of(s);
    const bool done = stmts.empty() ? erase_statement(s) : replace_statement(s, stmts, parent && isa<CompoundStmt>(parent));
    if (!done) leave(v->sites, "the switch is inside a macro");
}

// Replaces statement `whole` by the statements `kept` (one block, or a case's statements), moved to
// its indentation; unbraced when `may_unbrace` and the block declares nothing that could collide.
bool Rewriter::replace_statement(const Stmt* whole, const std::vector<const Stmt*>& kept, bool may_unbrace) {
    const auto w = statement_span(whole);
    if (!w) return false;
    auto& edits = *w->file->edits;
    const std::string target(edits.indent_of_line(w->begin));
    const auto* block = kept.size() == 1 ? dyn_cast<CompoundStmt>(kept.front()) : nullptr;
    if (block && block->body_empty() && may_unbrace) return erase_statement(whole);
    std::string text;
    Span k{w->file, 0, 0};
    if (block) {
        const auto b = span_of(block->getSourceRange());
        if (!b || b->file != w->file) return false;
        const std::vector<const Stmt*> inner(block->body_begin(), block->body_end());
        if (may_unbrace && !declares(inner)) {
            const auto rendered = edits.render(b->begin + 1, b->end - 1);
            if (!rendered) return false;
            const auto [inside, first] = inside_of_block(*rendered);
            text = reindent(inside, common_indent(inside, first), target);
            k = Span{w->file, b->begin + 1, b->end - 1};
        } else {
            const auto rendered = edits.render(b->begin, b->end);
            if (!rendered) return false;
            text = reindent(*rendered, edits.indent_of_line(b->begin).size(), target);
            k = *b;
        }
    } else {
        const auto first = statement_span(kept.front());
        const auto last = statement_span(kept.back());
        if (!first || !last || first->file != w->file || last->file != w->file) return false;
        const auto rendered = edits.render(first->begin, last->end);
        if (!rendered) return false;
        const bool starts_line = edits.indent_of_line(first->begin).size() == first->begin - edits.line_start(first->begin);
        const auto base = common_indent(*rendered, starts_line ? std::optional(edits.indent_of_line(first->begin).size())
                                                               : std::nullopt);
        if (!may_unbrace || declares(kept)) {
            const std::string inner = target + "    ";
            text = "{\n" + inner + reindent(*rendered, base, inner) + "\n" + target + "}";
        } else {
            text = reindent(*rendered, base, target);
        }
        k = Span{w->file, first->begin, last->end};
    }
    drop_around(*w, k);
    return edits.replace(w->begin, w->end, text);
}

bool Rewriter::erase_statement(const Stmt* s) {
    const auto span = statement_span(s);
    if (!span) return false;
    const auto [begin, end] = span->file->edits->whole_lines(span->begin, span->end);
    replace(Span{span->file, begin, end}, "");
    return true;
}

}  // namespace flagctl::retire
