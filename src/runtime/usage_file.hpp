// The usage file a service writes for `flagctl debt --usage`: every registered flag with its reads
// since counting began, when it was last read, and its reads by value and reason. Its fields are a
// contract with flagctl ("schema": "flagstone-usage/1").
#pragma once

#include <chrono>
#include <string>
#include <string_view>
#include <vector>

#include <flags/observability.hpp>

namespace flags::internal {

// The schema the file names, which flagctl checks before it reads anything else.
inline constexpr std::string_view usage_schema = "flagstone-usage/1";

std::string render_usage_file(std::string_view service, std::chrono::system_clock::time_point started_at,
                              const std::vector<FlagUsage>& usage, const std::vector<EvaluationCount>& counts);

}  // namespace flags::internal
