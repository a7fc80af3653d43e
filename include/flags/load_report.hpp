// What loading or starting a runtime reports: whether a new snapshot serves, and every message
// about the files (see flags::format).
#pragma once

#include <cstdint>
#include <vector>

#include <flags/diagnostic.hpp>

namespace flags {

struct LoadReport {
    bool published = false;        // a new snapshot serves since this call
    std::uint64_t generation = 0;  // the generation serving after the call; 0: registry defaults
    std::vector<Diagnostic> diagnostics{};

    bool ok() const noexcept { return !has_errors(diagnostics); }
};

struct StartReport {
    bool started = false;  // false only with RuntimeOptions::require_valid_at_start and a bad first load
    LoadReport load{};     // the first load

    bool ok() const noexcept { return started && load.ok(); }
};

}  // namespace flags
