// The Prometheus text exposition of a runtime's state. No HTTP server here: the host serves the text
// from an endpoint of its own.
#pragma once

#include <string>

#include <flags/runtime_options.hpp>

namespace flags::internal {

std::string render_runtime_metrics(const Status& status);

}  // namespace flags::internal
