// The structured log lines a runtime writes, one JSON object each, with a timestamp and an "event":
// loaded, rejected, missing, empty, stale, degraded, watch_overflow, listener_failed,
// usage_write_failed. Their fields are a contract: operators' log pipelines and flagctl watch read them.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include <flags/diagnostic.hpp>
#include <flags/runtime_options.hpp>

namespace flags::internal {

std::string loaded_event(std::uint64_t generation, std::uint64_t content_hash, double duration_ms,
                         std::uint64_t flags_set);

// A refused load: "missing", "empty" or "rejected" after `state`, with the first error's position.
std::string refused_event(SourceState state, const std::vector<Diagnostic>& diagnostics,
                          std::uint64_t serving_generation);

std::string stale_event(double age_seconds, std::uint64_t serving_generation, std::string_view last_error);
std::string degraded_event(std::string_view reason);
std::string overflow_event();
std::string listener_failed_event(std::string_view what);
std::string usage_write_failed_event(std::string_view file, std::string_view problem);

}  // namespace flags::internal
