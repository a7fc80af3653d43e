// Checks a parsed runtime file against the configured Limits before anything is compiled from it,
// so that no input, however large or deep, costs more than the limits allow.
#pragma once

#include <toml++/toml.h>

#include <flags/runtime_options.hpp>

#include "../toml_input.hpp"

namespace flags::internal {

// Reports every value past a limit; true when there is none.
bool within_limits(const toml::table& root, const Limits& limits, Reporter& report);

}  // namespace flags::internal
