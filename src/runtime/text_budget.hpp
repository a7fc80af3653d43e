// What a runtime file's text would build, counted before toml++ builds it. A parsed tree costs about
// 120 to 200 bytes a value, so a 4 MiB file of `x = [{},{},...]` would take 160 MB before the limits
// on the tree could refuse it; counted in the text, it is refused having cost nothing.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include <flags/runtime_options.hpp>

#include "../toml_input.hpp"

namespace flags::internal {

// Counts the values of `text` (every key, table and array element) into `values` (which carries the
// count of the files already scanned in the same load), the elements of each array and the depth
// of nesting. Reports the first limit passed and returns false; a file toml++ would refuse anyway may
// pass, since toml++ is what reports its syntax.
//
// The registry reader (flagc and flagctl) and the runtime reader share the scan and differ only in
// their limits and in the words of the message: `words` names the files and says what to do.
struct BudgetWords {
    std::string_view files = "the runtime files";
    std::string_view hint = "a real flag file is far below this; raise RuntimeOptions::limits if not";
};

// Given `hash`, the scan also absorbs the text into it (FNV-1a, bucketing::absorb), a statement at a time
// as it passes: the hash waits on a multiply for each byte, and the scan's own work fills those waits,
// so that the two together cost little more than the scan. On a limit passed, the hash is unfinished.
bool text_within_limits(std::string_view text, const std::string& display, const Limits& limits,
                        std::size_t& values, Reporter& report, const BudgetWords& words = {},
                        std::uint64_t* hash = nullptr);

}  // namespace flags::internal
