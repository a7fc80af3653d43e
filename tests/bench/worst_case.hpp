// The costliest runtime files the default limits accept: one flag (permission.early-access) whose
// rules all fail, so that a read walks every one of them, filled with one kind of condition up to
// Limits::max_evaluation_cost. Its read is the slowest a file can make a check while the loader
// accepts it; the benchmark holds it against the targeting case.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include <flags/flags.hpp>

namespace bench {

enum class CostlyKind { sets, needles, substrings, trie, automaton, versions, times, numbers, segments };

inline constexpr CostlyKind costly_kinds[] = {CostlyKind::sets,     CostlyKind::needles, CostlyKind::substrings,
                                              CostlyKind::trie,     CostlyKind::automaton, CostlyKind::versions,
                                              CostlyKind::times,    CostlyKind::numbers, CostlyKind::segments};

std::string_view to_string(CostlyKind kind);

// A file whose permission.early-access costs `budget` (give or take one rule) by the loader's model.
std::string costly_runtime(CostlyKind kind, std::uint64_t budget);

// The kind whose file at the default limit is slowest to read (measured: see worst_case.cpp).
inline constexpr CostlyKind worst_kind = CostlyKind::times;

// The context every costly read uses: every attribute the rules test is present, and fails late.
const flags::Context& costly_context();

}  // namespace bench
