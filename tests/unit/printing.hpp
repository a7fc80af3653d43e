// Lets Boost.Test print the library's enums in failure messages.
#pragma once

#include <ostream>

#include <flags/evaluation.hpp>
#include <flags/runtime_options.hpp>

namespace flags {
inline std::ostream& operator<<(std::ostream& out, Reason reason) { return out << to_string(reason); }
inline std::ostream& operator<<(std::ostream& out, ErrorCode code) { return out << to_string(code); }
inline std::ostream& operator<<(std::ostream& out, SourceState state) { return out << to_string(state); }
inline std::ostream& operator<<(std::ostream& out, WatchMechanism mechanism) { return out << to_string(mechanism); }
}  // namespace flags
