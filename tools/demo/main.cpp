// The demo service: evaluates the example registry's flags for a population of users, live, while
// the runtime file changes underneath it.
//
//   flagstone-demo [--metrics-port N] RUNTIME_FILE
//
// On a terminal it redraws a table twice a second until Ctrl-C; edit the runtime file in another
// terminal and watch. Without a terminal (CI, a pipe) it drives itself on a copy of the file: one
// good edit, which is picked up, then one broken edit, which is refused while the good state serves.
//
// With --metrics-port it also serves flags::metrics_text() at http://127.0.0.1:N/metrics (0: a free
// port), the way a host without an HTTP server of its own would (metrics_endpoint.cpp); without a
// terminal it then keeps serving after the edits until standard input closes.
#include <poll.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <charconv>
#include <chrono>
#include <csignal>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>
#include <string>
#include <string_view>
#include <system_error>
#include <thread>
#include <vector>

#include <fmt/chrono.h>
#include <fmt/format.h>

#include <flags/flags.hpp>

#include "metrics_endpoint.hpp"

namespace {

namespace fs = std::filesystem;
using flags::Flag;

std::atomic<bool> interrupted{false};

void stop_on_ctrl_c() {
    std::signal(SIGINT, [](int) { interrupted = true; });
}

struct User {
    std::string id, tenant, plan;
};

std::vector<User> population(std::size_t size) {
    static const char* tenants[] = {"acme", "globex", "initech", "umbrella", "hooli", "stark", "wayne", "wonka"};
    static const char* plans[] = {"free", "growth", "scale"};
    std::vector<User> users;
    for (std::size_t i = 0; i < size; ++i)
        users.push_back({fmt::format("u-{}", i), tenants[i % std::size(tenants)], plans[(i / 7) % std::size(plans)]});
    return users;
}

// What the population sees of each flag right now: the share served true, or each variant's share.
std::string share_of(std::size_t flag, const std::vector<User>& users, const flags::PinnedView& view) {
    const auto& info = flags::generated::flags[flag];
    std::vector<std::size_t> counts(info.value_count(), 0);
    for (const auto& u : users) {
        flags::Context ctx{.user = u.id, .tenant = u.tenant, .attributes = {{"plan", u.plan}}};
        ++counts[view.evaluate(static_cast<flags::Flag>(flag), ctx).value];
    }
    const double total = static_cast<double>(users.size());
    if (info.is_boolean()) return fmt::format("{:5.1f}% on", 100.0 * static_cast<double>(counts[1]) / total);
    std::string out;
    for (std::size_t v = 0; v < counts.size(); ++v)
        out += fmt::format("{}{} {:.0f}%", v ? ", " : "", info.variants[v], 100.0 * static_cast<double>(counts[v]) / total);
    return out;
}

std::string clock_time(const std::optional<std::chrono::system_clock::time_point>& t) {
    if (!t) return "never";
    return fmt::format("{:%H:%M:%S}", fmt::localtime(std::chrono::system_clock::to_time_t(*t)));
}

std::string table(const std::vector<User>& users) {
    const auto view = flags::pin();
    const auto status = flags::status();
    std::string out = fmt::format("{:<26} {:<11} {:<30}\n", "flag", "type", "served to 10,000 users");
    for (std::size_t i = 0; i < std::size(flags::generated::flags); ++i) {
        const auto& info = flags::generated::flags[i];
        out += fmt::format("{:<26} {:<11} {:<30}\n", info.name, flags::to_string(info.type), share_of(i, users, view));
    }
    out += fmt::format("\ngeneration {}   last reload {}   files {}   watcher {}\n", view.generation(),
                       clock_time(status.last_success), flags::to_string(status.state),
                       flags::to_string(status.mechanism));
    out += fmt::format("last error: {}\n", status.last_error.empty() ? "none" : status.last_error);
    return out;
}

void registry_summary() {
    const flags::Date today = std::chrono::floor<std::chrono::days>(std::chrono::system_clock::now());
    fmt::print("The registry (flags/registry.toml), compiled into this binary:\n");
    fmt::print("  {:<26} {:<11} {:<17} {}\n", "flag", "type", "owner", "retirement");
    // The whole registry, with owners and dates: generated::flags holds only what reads need.
    for (const auto& flag : flags::generated::registry.flags) {
        const std::string retirement =
            flag.retire_by ? fmt::format("in {} days", (*flag.retire_by - today).count()) : "never (ops/permission)";
        fmt::print("  {:<26} {:<11} {:<17} {}\n", flag.name, flags::to_string(flag.type), flag.owner, retirement);
    }
    fmt::print("\n");
}

// Replaces the file the way config management does: a temporary in the same directory, renamed.
void deploy(const fs::path& file, const std::string& text) {
    const auto temporary = file.parent_path() / ("." + file.filename().string() + ".new");
    std::ofstream(temporary) << text;
    fs::rename(temporary, file);
}

template <class Done>
void wait_until(Done done) {
    const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(5);
    while (!done() && std::chrono::steady_clock::now() < until) std::this_thread::sleep_for(std::chrono::milliseconds(10));
}

// metrics_line: where the metrics are served (or why not), or empty; shown under the table, since
// every redraw clears the screen.
int live(const fs::path& file, const std::vector<User>& users, const std::string& metrics_line) {
    stop_on_ctrl_c();
    while (!interrupted) {
        fmt::print("\033[H\033[2J");
        registry_summary();
        fmt::print("{}\nEdit {} in another terminal: each save is picked up within milliseconds, and a\n"
                   "broken one is refused while the last good state keeps serving. Ctrl-C to stop.\n",
                   table(users), file.string());
        if (!metrics_line.empty()) fmt::print("\n{}\n", metrics_line);
        std::fflush(stdout);
        std::this_thread::sleep_for(std::chrono::milliseconds(500));
    }
    return 0;
}

int scripted(const fs::path& original, const std::vector<User>& users) {
    fmt::print("No terminal: the demo edits a copy of {} itself.\n\n{}\n", original.string(), table(users));

    std::ifstream in(original);
    std::stringstream text;
    text << in.rdbuf();
    std::string good = text.str();
    const std::string from = "rollout = 25", to = "rollout = 60";
    if (const auto at = good.find(from); at != std::string::npos) good.replace(at, from.size(), to);
    const auto file = flags::status().sources.front();

    fmt::print("-- a good edit: release.new-checkout {} -> {}\n", from, to);
    const auto before = flags::pin().generation();
    deploy(file, good);
    wait_until([&] { return flags::pin().generation() > before; });
    fmt::print("{}\n", table(users));

    fmt::print("-- a broken edit: rollout = 250\n");
    std::string broken = good;
    broken.replace(broken.find(to), to.size(), "rollout = 250");
    deploy(file, broken);
    wait_until([] { return flags::status().state == flags::SourceState::invalid; });
    fmt::print("{}\n", table(users));
    fmt::print("The broken file was refused; generation {} keeps serving.\n", flags::pin().generation());
    return flags::status().state == flags::SourceState::invalid ? 0 : 1;
}

// Without a terminal, the metrics stay up after the scripted edits until standard input closes:
// whoever runs the demo decides when it has scraped enough (tests/demo_check.py closes the pipe),
// with no sleep guessing how long that takes. Standard input at /dev/null closes at once.
void serve_until_stdin_closes() {
    flags::flush_observations();  // so that a scrape from now on sees every exposure delivered
    fmt::print("metrics: still serving; close standard input (Ctrl-D) to stop\n");
    std::fflush(stdout);  // a pipe is block-buffered: the reader must see everything above now
    stop_on_ctrl_c();
    char buffer[256];
    while (!interrupted) {
        pollfd in{STDIN_FILENO, POLLIN, 0};
        if (::poll(&in, 1, 200) < 0 && errno != EINTR) return;
        if (in.revents != 0 && ::read(STDIN_FILENO, buffer, sizeof buffer) <= 0) return;  // end of input
    }
}

struct Options {
    fs::path runtime_file;
    std::optional<std::uint16_t> metrics_port;
};

std::optional<Options> parse_options(int argc, char** argv) {
    Options options;
    for (int i = 1; i < argc; ++i) {
        const std::string_view arg = argv[i];
        if (arg == "--metrics-port" && i + 1 < argc) {
            const std::string_view number = argv[++i];
            std::uint16_t port = 0;
            const auto [end, error] = std::from_chars(number.data(), number.data() + number.size(), port);
            if (error != std::errc{} || end != number.data() + number.size()) return std::nullopt;
            options.metrics_port = port;
        } else if (options.runtime_file.empty() && !arg.starts_with("-")) {
            options.runtime_file = arg;
        } else {
            return std::nullopt;
        }
    }
    if (options.runtime_file.empty()) return std::nullopt;
    return options;
}

}  // namespace

int main(int argc, char** argv) {
    const auto options = parse_options(argc, argv);
    if (!options) {
        fmt::print(stderr, "usage: flagstone-demo [--metrics-port N] RUNTIME_FILE\n");
        return 2;
    }
    const fs::path original = options->runtime_file;
    const bool terminal = ::isatty(STDOUT_FILENO);
    fs::path watched = original;
    fs::path scratch;
    if (!terminal) {  // never edit the checked-in file
        std::error_code error;
        const auto temp = fs::temp_directory_path(error);
        if (!error) {
            scratch = temp / fmt::format("flagstone-demo-{}", ::getpid());
            watched = scratch / original.filename();
            fs::create_directories(scratch, error);
        }
        // A directory left by an earlier demo with this pid is this demo's now.
        if (!error) fs::copy_file(original, watched, fs::copy_options::overwrite_existing, error);
        if (error) {
            fmt::print(stderr,
                       "flagstone-demo: cannot copy {} to a scratch directory: {}; check that the runtime file "
                       "exists (flags/runtime.toml is one) and that TMPDIR, if set, is a writable directory\n",
                       original.string(), error.message());
            if (!scratch.empty()) fs::remove_all(scratch, error);
            return 1;
        }
    }
    const auto users = population(10'000);
    // The demo reads a file in the developer's checkout, which may well be group-writable: the strict
    // permission policy is for services, so it is off here.
    const auto report = flags::start(watched, {.require_secure_permissions = false, .log = [](std::string_view) {}});
    if (!report.load.ok())
        for (const auto& d : report.load.diagnostics) fmt::print(stderr, "{}\n", flags::format(d));

    // Evaluation counters for the metrics, and the experiment's exposures to a sink. A service's sink
    // sends them to its analytics; the demo has none, and the metrics count what was delivered. Each
    // table reads 10,000 users at once: a buffer that holds a whole table's exposures.
    flags::observe({.count_evaluations = true,
                    .exposures = [](const flags::Exposure&) {},
                    .buffer_bytes_per_thread = 1 << 20});

    // The host's side of metrics: flags::metrics_text() renders them; serving them is the host's job.
    // A service with an HTTP server adds a /metrics route that returns it; this demo has none, so it
    // runs the small endpoint in metrics_endpoint.cpp. Not getting the port is no reason to stop.
    std::optional<demo::MetricsEndpoint> metrics;
    std::string metrics_line;
    if (options->metrics_port) {
        try {
            metrics.emplace(*options->metrics_port, flags::metrics_text);
            metrics_line = fmt::format("metrics: http://127.0.0.1:{}/metrics", metrics->port());
        } catch (const std::system_error& e) {
            metrics_line = fmt::format("metrics: not served, port {}: {}", *options->metrics_port, e.code().message());
        }
        if (!terminal) fmt::print(metrics ? stdout : stderr, "{}\n", metrics_line);
    }

    int status = 0;
    if (terminal) {
        status = live(watched, users, metrics_line);
    } else {
        registry_summary();
        status = scripted(original, users);
        if (metrics) serve_until_stdin_closes();
    }
    metrics.reset();  // joins its thread before the runtime it reads stops
    flags::stop();
    if (!scratch.empty()) fs::remove_all(scratch);
    return status;
}
