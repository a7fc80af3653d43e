// Lets Boost.Test print the library's enums in failure messages.
#pragma once

#include <ostream>

#include <flags/evaluation.hpp>

namespace flags {
inline std::ostream& operator<<(std::ostream& out, Reason reason) { return out << to_string(reason); }
inline std::ostream& operator<<(std::ostream& out, ErrorCode code) { return out << to_string(code); }
}  // namespace flags
