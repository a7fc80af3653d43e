// Checks a parsed runtime file against the configured Limits before anything is compiled from it,
// so that no input, however large or deep, costs more than the limits allow.
#pragma once

#include <cstdint>
#include <string>

#include <toml++/toml.h>

#include <flags/runtime_options.hpp>

#include "../toml_input.hpp"

namespace flags::internal {

// The one check of a file's size against a limit (Limits::max_file_bytes, or a registry file's): for a
// file on disk, before it is read (read_regular_file), and for text handed over in memory
// (Runtime::load_text). Empty within the limit, else what is wrong.
std::string file_size_problem(std::uintmax_t bytes, std::size_t max_bytes);

// Reports every value past a limit; true when there is none.
bool within_limits(const toml::table& root, const Limits& limits, Reporter& report);

}  // namespace flags::internal
