// An exposure in the names of OpenTelemetry's semantic conventions for feature flags, so that a host
// that already emits OpenTelemetry events can send exposures as `feature_flag.evaluation` events
// without flagstone depending on OpenTelemetry:
//
//   flags::observe({.exposures = [&](const flags::Exposure& e) {
//       auto record = logger->CreateLogRecord();
//       record->SetEventId(0, flags::otel_event_name.data());
//       for (const auto& [key, value] : flags::otel_attributes(e)) record->SetAttribute(key, value);
//       logger->EmitLogRecord(std::move(record));
//   }});
//
// For an exposure of experiment.button-color, variant "green" for user "u-42" from a split:
//   feature_flag.key             experiment.button-color
//   feature_flag.result.variant  green
//   feature_flag.result.reason   split
//   feature_flag.provider.name   flagstone
//   feature_flag.context.id      u-42
//   feature_flag.version         9c1e0f4a7d2b6e35   (the content hash, as in the logs and flagctl)
//
// otel_attributes(e).at("feature_flag.result.reason") == "split".
#pragma once

#include <map>
#include <string>
#include <string_view>

#include <flags/observability.hpp>

namespace flags {

inline constexpr std::string_view otel_event_name = "feature_flag.evaluation";
inline constexpr std::string_view otel_provider_name = "flagstone";

// The reason as the conventions' `feature_flag.result.reason` values spell it: "static",
// "targeting_match", "split", "default", "disabled", "error"; a prerequisite that failed is
// "prerequisite_failed", a value of our own (the conventions allow them).
std::string_view otel_reason(Reason reason) noexcept;

// The attributes of the `feature_flag.evaluation` event for one exposure, by name: the six above,
// all strings. A map, as OpenTelemetry's APIs take attributes (a KeyValueIterable of pairs).
std::map<std::string, std::string> otel_attributes(const Exposure& exposure);

}  // namespace flags
