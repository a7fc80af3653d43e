// What a compiled file's conditions can have worked out once, at load, rather than at every read.
#pragma once

#include "snapshot.hpp"

namespace flags::internal {

// Numbers the attribute names the conditions read, the same number for the same name, in the order
// they first appear, so that an evaluation looks each attribute up in the context once and then
// finds it by number (evaluator.cpp). Past remembered_attributes names, the rest are left unnumbered
// and looked up at every use.
void number_attributes(CompiledRules& rules);

}  // namespace flags::internal
