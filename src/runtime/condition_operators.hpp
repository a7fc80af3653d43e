// The operators a runtime file's conditions may use, one row each: the name written in the file,
// its tag, the reader of its operand, the test of a context value against it, its worst-case cost,
// and the example shown when the operand is wrong. Adding an operator is its tag (Op, snapshot.hpp)
// and its row with its functions (condition_operators.cpp): the evaluator and the cost model call
// the row's functions and know no operator.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>

#include "../toml_input.hpp"
#include "snapshot.hpp"

namespace flags::internal {

// One copy of each string a compiled file refers to, kept in the rules' own storage, so that every
// condition naming "acme" points at the same text.
class Interner {
public:
    explicit Interner(std::deque<std::string>& storage) : storage_(storage) {}
    std::string_view operator()(std::string_view text);

private:
    std::deque<std::string>& storage_;
    std::unordered_map<std::string_view, std::string_view> kept_;
};

// What reading an operand may touch: the messages, the arrays it appends a set or matcher to, and
// the interned strings.
struct OperandContext {
    Reporter& report;
    CompiledRules& rules;
    Interner& intern;
};

struct OperatorSpec;

// What testing `condition` costs at worst, in evaluation_cost.hpp's units.
using ConditionCost = std::uint64_t (*)(const Condition& condition, const CompiledRules& rules) noexcept;

// Reads `operand` into `condition` (whose op and subject are set); false after reporting why not.
using OperandReader = bool (*)(const toml::node& operand, const OperatorSpec& spec, OperandContext& context,
                               Condition& condition);

struct OperatorSpec {
    std::string_view name;     // as written in the file: { attr = "plan", in = [...] }
    Op op;                     // the condition's tag, by which the evaluator finds `test`
    OperandReader read;
    ConditionTest test;        // run by the evaluator on the attribute's value, when the context has it
    ConditionCost cost;        // charged by the cost model (evaluation_cost.cpp)
    std::string_view example;  // the hint when the operand is not what the operator takes
};

// Every row's test, indexed by its tag: the evaluator's one dispatch. `segment` has none (nullptr):
// the evaluator tests a segment's conditions itself.
inline constexpr std::size_t operator_tags = static_cast<std::size_t>(Op::segment) + 1;
extern const std::array<ConditionTest, operator_tags> condition_tests;

// The row of the operator named `name`, or nothing.
const OperatorSpec* find_operator(std::string_view name) noexcept;

// The row of the operator tagged `op`, or nothing for Op::segment, which has none.
const OperatorSpec* operator_of(Op op) noexcept;

// Every operator a condition may name, in alphabetical order, then `segment`: the hint of a message
// about an unknown or missing operator.
const std::string& operator_list();

// The operand of 'before' or 'after': a TOML date-time or an RFC 3339 string, both with an offset.
std::optional<std::int64_t> read_instant(const toml::node& operand, Reporter& report);

}  // namespace flags::internal
