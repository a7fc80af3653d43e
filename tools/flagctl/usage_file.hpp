// Usage files: what a running service's flagstone writes about the flags it evaluated, so that
// `flagctl debt --usage` can name the flags a service never evaluates.
//
//   {"schema": "flagstone-usage/1", "service": "checkout",
//    "started_at": "2026-11-21T08:00:00Z", "written_at": "2026-11-21T10:00:00Z",
//    "flags": [{"flag": "release.new-checkout", "evaluations": 1234, "last_evaluated": "2026-11-21T09:59:50Z",
//               "values": [{"value": "true", "reason": "SPLIT", "count": 1000}, ...]}, ...]}
//
// Every flag of the service's registry is listed, with 0 evaluations when it was never evaluated.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "json_reader.hpp"
#include "runtime/usage_file.hpp"

namespace flagctl {

using flags::internal::usage_schema;

struct UsageFile {
    struct Flag {
        std::string name{};
        std::uint64_t evaluations = 0;
        json::Position position{};  // of the flag's entry, for warnings about it
    };

    std::string file{};     // as named on the command line
    std::string service{};  // may be empty
    std::string started_at{}, written_at{};  // RFC 3339, as written: the period the counts cover
    std::vector<Flag> flags{};

    // "checkout from 2026-11-21T08:00:00Z to 2026-11-21T10:00:00Z (usage/checkout.json)"; the file
    // alone names the service when the file gives no name.
    std::string describe() const;
};

// Reads and checks one usage file. Anything that is not a well-formed usage file (not JSON, another
// schema, a field missing or of the wrong type, a flag listed twice) ends the command with a Failure
// that names the file, and the line and column where they are known. Fields it does not know are
// ignored, so that a newer writer may add some without breaking an older flagctl.
UsageFile read_usage_file(const std::string& file);

}  // namespace flagctl
