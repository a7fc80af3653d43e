#include "log_events.hpp"

#include <algorithm>

#include "json_line.hpp"

namespace flags::internal {
namespace {

JsonLine event(std::string_view name) {
    JsonLine line;
    line.field("ts", utc_timestamp()).field("event", name);
    return line;
}

}  // namespace

std::string loaded_event(std::uint64_t generation, std::uint64_t content_hash, double duration_ms,
                         std::uint64_t flags_set) {
    return event("loaded")
        .field("generation", generation)
        .field("hash", hex_hash(content_hash))
        .field("duration_ms", duration_ms)
        .field("flags", flags_set)
        .str();
}

std::string refused_event(SourceState state, const std::vector<Diagnostic>& diagnostics,
                          std::uint64_t serving_generation) {
    const auto is_error = [](const Diagnostic& d) { return d.severity == Severity::error; };
    auto line = event(state == SourceState::missing ? "missing" : state == SourceState::empty ? "empty" : "rejected");
    const auto first = std::find_if(diagnostics.begin(), diagnostics.end(), is_error);
    if (first != diagnostics.end()) {
        line.field("file", first->file);
        if (first->line > 0) line.field("line", first->line).field("column", first->column);
        line.field("message", first->message);
        if (!first->hint.empty()) line.field("hint", first->hint);
    }
    return line
        .field("errors", static_cast<std::uint64_t>(std::count_if(diagnostics.begin(), diagnostics.end(), is_error)))
        .field("serving_generation", serving_generation)
        .str();
}

std::string stale_event(double age_seconds, std::uint64_t serving_generation, std::string_view last_error) {
    return event("stale")
        .field("age_s", age_seconds)
        .field("serving_generation", serving_generation)
        .field("last_error", last_error)
        .str();
}

std::string degraded_event(std::string_view reason) {
    return event("degraded").field("mechanism", "polling").field("reason", reason).str();
}

std::string overflow_event() { return event("watch_overflow").str(); }

std::string listener_failed_event(std::string_view what) { return event("listener_failed").field("message", what).str(); }

std::string usage_write_failed_event(std::string_view file, std::string_view problem) {
    return event("usage_write_failed").field("file", file).field("message", problem).str();
}

}  // namespace flags::internal
