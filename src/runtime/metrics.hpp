// The Prometheus text exposition of a runtime's state. No HTTP server here: the host serves the text
// from an endpoint of its own.
#pragma once

#include <string>
#include <vector>

#include <flags/observability.hpp>
#include <flags/runtime_options.hpp>

namespace flags::internal {

std::string render_runtime_metrics(const Status& status);

// Evaluation counters (series only for what was counted) and the exposure pipeline's outcomes.
std::string render_observation_metrics(const std::vector<EvaluationCount>& counts, const ObservationStats& stats);

}  // namespace flags::internal
