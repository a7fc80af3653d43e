// The names a C++ compiler has already taken as macros. A macro replaces its name wherever it
// appears, so an enumerator or enum type of that name breaks the generated header; flagc refuses such
// names instead.
#pragma once

#include <string>
#include <string_view>

namespace flags::registry {

// Why `identifier` is, or may be, a macro where the generated header is compiled, or an empty
// string: a macro of the standard library headers (glibc's, which define more than the standard
// asks), a name the GNU dialects predefine (-std=gnu++20: linux, unix, i386, ...), or a name in
// capitals, which is how the C library names its macros (EOF, NULL, E2BIG, SIGINT, ...).
std::string macro_problem(std::string_view identifier);

}  // namespace flags::registry
