#include "metrics.hpp"

#include <chrono>

#include <fmt/format.h>

#include "json_line.hpp"

namespace flags::internal {
namespace {

void family(std::string& out, std::string_view name, std::string_view type, std::string_view help) {
    out += fmt::format("# HELP {} {}\n# TYPE {} {}\n", name, help, name, type);
}

double seconds_since(std::chrono::system_clock::time_point t) {
    return std::chrono::duration<double>(std::chrono::system_clock::now() - t).count();
}

}  // namespace

std::string render_runtime_metrics(const Status& status) {
    std::string out;
    family(out, "flagstone_generation", "gauge", "Generation of the snapshot being served; 0 means registry defaults.");
    out += fmt::format("flagstone_generation {}\n", status.generation);

    // The generation counts publishes in this process; the hash names the files, so processes serving
    // the same files show the same value, which is what a fleet's convergence is judged by.
    family(out, "flagstone_snapshot_info", "gauge",
           "1, labelled with the content hash of the files being served; all zeros means registry defaults.");
    out += fmt::format("flagstone_snapshot_info{{content_hash=\"{}\"}} 1\n", hex_hash(status.content_hash));

    family(out, "flagstone_loads_total", "counter", "Loads of the runtime files, by outcome.");
    out += fmt::format("flagstone_loads_total{{outcome=\"published\"}} {}\n", status.loads_published);
    out += fmt::format("flagstone_loads_total{{outcome=\"unchanged\"}} {}\n", status.loads_unchanged);
    out += fmt::format("flagstone_loads_total{{outcome=\"refused\"}} {}\n",
                       status.refused_missing + status.refused_empty + status.refused_invalid);

    family(out, "flagstone_load_errors_total", "counter", "Refused loads, by the state of the files.");
    out += fmt::format("flagstone_load_errors_total{{state=\"missing\"}} {}\n", status.refused_missing);
    out += fmt::format("flagstone_load_errors_total{{state=\"empty\"}} {}\n", status.refused_empty);
    out += fmt::format("flagstone_load_errors_total{{state=\"invalid\"}} {}\n", status.refused_invalid);

    family(out, "flagstone_consecutive_load_failures", "gauge", "Refused loads since the last good one.");
    out += fmt::format("flagstone_consecutive_load_failures {}\n", status.consecutive_failures);

    family(out, "flagstone_snapshot_age_seconds", "gauge",
           "Seconds since the snapshot being served was published; absent before the first.");
    if (status.published_at) out += fmt::format("flagstone_snapshot_age_seconds {:.3f}\n", seconds_since(*status.published_at));

    family(out, "flagstone_stale_seconds", "gauge",
           "Seconds the files on disk have been refused while an older snapshot serves; 0 when current.");
    out += fmt::format("flagstone_stale_seconds {:.3f}\n", status.stale ? status.stale_for.count() / 1000.0 : 0.0);

    family(out, "flagstone_files_state", "gauge", "1 for the state the latest load left the files in.");
    for (auto state : {SourceState::not_loaded, SourceState::ok, SourceState::missing, SourceState::empty, SourceState::invalid})
        out += fmt::format("flagstone_files_state{{state=\"{}\"}} {}\n", to_string(state), status.state == state ? 1 : 0);

    family(out, "flagstone_watcher", "gauge",
           "1 for the mechanism that watches the files; blind: inotify lost sight of them and polling took over.");
    for (auto m : {WatchMechanism::none, WatchMechanism::inotify, WatchMechanism::polling, WatchMechanism::blind})
        out += fmt::format("flagstone_watcher{{mechanism=\"{}\"}} {}\n", to_string(m), status.mechanism == m ? 1 : 0);
    return out;
}

std::string render_observation_metrics(const std::vector<EvaluationCount>& counts, const ObservationStats& stats) {
    std::string out;
    family(out, "flagstone_evaluations_total", "counter",
           "Flag reads by flag, value and reason, while counting is on (flags::observe).");
    // Flag and variant names are registry identifiers ([a-z0-9.-]), so they need no label escaping.
    for (const auto& c : counts)
        out += fmt::format("flagstone_evaluations_total{{flag=\"{}\",value=\"{}\",reason=\"{}\"}} {}\n", c.flag, c.value,
                           to_string(c.reason), c.count);

    family(out, "flagstone_exposures_total", "counter", "Exposure events of tracked flags, by what became of them.");
    out += fmt::format("flagstone_exposures_total{{outcome=\"delivered\"}} {}\n", stats.exposures_delivered);
    out += fmt::format("flagstone_exposures_total{{outcome=\"deduplicated\"}} {}\n", stats.exposures_deduplicated);
    out += fmt::format("flagstone_exposures_total{{outcome=\"dropped\"}} {}\n", stats.exposures_dropped);
    out += fmt::format("flagstone_exposures_total{{outcome=\"sink_failed\"}} {}\n", stats.sink_failures);

    family(out, "flagstone_exposures_unremembered_total", "counter",
           "Exposures delivered without being remembered for deduplication (max_remembered_exposures reached).");
    out += fmt::format("flagstone_exposures_unremembered_total {}\n", stats.dedup_overflow);
    return out;
}

}  // namespace flags::internal
