// What a compiled file's conditions can have worked out once, at load, rather than at every read.
#pragma once

#include <vector>

#include "snapshot.hpp"

namespace flags::internal {

// Decides what an evaluation remembers. An attribute that one flag's conditions (its segments'
// included) read more than once is numbered, the same number for the same name, so that an evaluation
// looks it up in the context once and then finds it by number (evaluator.cpp); past
// remembered_attributes names, the rest are left unnumbered. A segment that one flag's rules use more
// than once has its result remembered. What a flag reads once is read directly: remembering it would
// cost more than it saves. Prerequisites are not followed: a flag and its prerequisite that read the
// same attribute each look it up, which costs a scan and changes no answer.
void plan_remembering(CompiledRules& rules, const std::vector<FlagProgram>& flags);

}  // namespace flags::internal
