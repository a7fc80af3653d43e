// flagctl watch: follow a runtime file as a service would, through the runtime's own watcher, and
// print each publish (with the values the given context reads) and each refused load as it happens.
#include <pthread.h>
#include <signal.h>

#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <ctime>
#include <iostream>
#include <mutex>

#include <fmt/format.h>

#include "command.hpp"
#include "engine.hpp"
#include "output.hpp"

namespace flagctl {
namespace {

constexpr OptionSpec watch_options[] = {
    {"--file", OptionSpec::Takes::one},
    {"--override", OptionSpec::Takes::one},
    {"--count", OptionSpec::Takes::one},
    {"--timeout", OptionSpec::Takes::one},
    {"--no-permission-check", OptionSpec::Takes::nothing},
    ContextArgs::options[0],
    ContextArgs::options[1],
    ContextArgs::options[2],
};

// Sent by the watcher thread to the main thread when --count events have been printed.
constexpr int done_signal = SIGUSR1;

// The "event" of one of the runtime's JSON log lines, which JsonLine writes as "event":"<name>".
std::string_view event_of(std::string_view json_line) {
    constexpr std::string_view key = "\"event\":\"";
    const auto at = json_line.find(key);
    if (at == std::string_view::npos) return {};
    const auto begin = at + key.size();
    return json_line.substr(begin, json_line.find('"', begin) - begin);
}

// Prints events, one per line, from the runtime's threads, and counts publishes and refusals. Holds
// them back until release(): the first load happens before the runtime watches the files, and a
// script that changes the file on seeing the first line must not change it before it is watched.
class EventPrinter {
public:
    EventPrinter(bool json, std::uint64_t limit, pthread_t main_thread)
        : json_(json), limit_(limit), main_thread_(main_thread) {}

    // `counted`: a publish or a refusal, which counts towards --count.
    void print(std::string line, bool counted) {
        std::lock_guard lock(mutex_);
        if (holding_) held_.emplace_back(std::move(line), counted);
        else emit(line, counted);
    }

    void release() {
        std::lock_guard lock(mutex_);
        holding_ = false;
        for (const auto& [line, counted] : held_) emit(line, counted);
        held_.clear();
    }

    bool json() const { return json_; }

private:
    void emit(const std::string& line, bool counted) {
        if (limit_ > 0 && printed_ >= limit_) return;  // done: the main thread is stopping the runtime
        std::cout << line << '\n' << std::flush;
        if (counted && ++printed_ == limit_) pthread_kill(main_thread_, done_signal);
    }

    std::mutex mutex_;
    const bool json_;
    const std::uint64_t limit_;  // 0: no limit
    const pthread_t main_thread_;
    bool holding_ = true;
    std::vector<std::pair<std::string, bool>> held_;
    std::uint64_t printed_ = 0;
};

std::string loaded_line(const flags::internal::RuntimeCore& core, const flags::Context& ctx, bool json) {
    // One pinned snapshot for all values, so they belong to the same generation.
    const auto snapshot = core.pin();
    const auto view = core.registry();
    std::string values, text;
    std::uint64_t hash = 0;
    for (std::size_t i = 0; i < view.flags.size(); ++i) {
        const auto e = snapshot.evaluate(i, ctx);
        hash = e.content_hash;
        values += fmt::format("{}{}:{}", values.empty() ? "" : ",", json_quoted(view.flags[i].name),
                              value_json(view.flags[i], e.value));
        text += fmt::format(" {}={}", view.flags[i].name, view.flags[i].value_name(e.value));
    }
    if (!json)
        return fmt::format("loaded generation {} ({}):{}", snapshot.generation(), flags::internal::hex_hash(hash), text);
    return JsonLine{}
        .field("ts", flags::internal::utc_timestamp())
        .field("event", "loaded")
        .field("generation", snapshot.generation())
        .field("hash", flags::internal::hex_hash(hash))
        .raw("values", "{" + values + "}")
        .str();
}

// Waits for SIGINT or SIGTERM (0), the --count signal (0), or the timeout (-1). The signals are
// blocked in every thread, so they arrive here, not as asynchronous handlers.
int wait_for_end(const sigset_t& signals, std::optional<double> timeout_seconds) {
    timespec timeout{};
    if (timeout_seconds) {
        timeout.tv_sec = static_cast<time_t>(*timeout_seconds);
        timeout.tv_nsec = static_cast<long>((*timeout_seconds - std::floor(*timeout_seconds)) * 1e9);
    }
    for (;;) {
        const int signal = timeout_seconds ? sigtimedwait(&signals, nullptr, &timeout) : sigwaitinfo(&signals, nullptr);
        if (signal >= 0) return 0;
        if (errno == EAGAIN) return -1;
        // EINTR: another signal interrupted the wait; wait again (sigtimedwait keeps no remaining time,
        // but an interruption here is rare and only lengthens the wait).
    }
}

int watch(const Invocation& inv) {
    inv.positionals({});
    const std::filesystem::path file = inv.args.required("--file");
    const std::filesystem::path override_file = inv.args.value("--override").value_or("");
    const std::uint64_t count = inv.args.count("--count", 0);
    std::optional<double> timeout;
    if (const auto text = inv.args.value("--timeout")) {
        char* end = nullptr;
        timeout = std::strtod(text->c_str(), &end);
        if (end == text->c_str() || *end != '\0' || !(*timeout > 0))
            throw UsageError("--timeout takes a positive number of seconds, not '" + *text + "'");
    }
    const ContextArgs context_args(inv.args);
    const auto ctx = context_args.context();

    // Block the signals before the watcher thread starts, so that it inherits the mask.
    sigset_t signals;
    sigemptyset(&signals);
    sigaddset(&signals, SIGINT);
    sigaddset(&signals, SIGTERM);
    sigaddset(&signals, done_signal);
    pthread_sigmask(SIG_BLOCK, &signals, nullptr);

    // Declared before the runtime, whose threads print through it, so that it outlives them.
    EventPrinter printer(inv.common.json, count, pthread_self());
    const auto registry = load_registry(inv.common);
    flags::internal::RuntimeCore core(registry.view());
    core.set_sources(file, override_file);
    core.on_change([&](std::uint64_t) { printer.print(loaded_line(core, ctx, printer.json()), true); });
    flags::RuntimeOptions options = reading_options();
    options.watch = true;
    // As a service does: a file the service's permission policy refuses is refused here too.
    options.require_secure_permissions = !inv.args.has("--no-permission-check");
    options.log = [&](std::string_view line) {
        const auto event = event_of(line);
        if (event == "loaded") return;  // printed by on_change, with the values
        const bool refused = event == "rejected" || event == "missing" || event == "empty";
        if (printer.json()) {
            printer.print(std::string(line), refused);
        } else if (refused) {
            // The status holds the refusal as "file:line: message"; the log sink may read it.
            printer.print(fmt::format("{} {}", event, core.status().last_error), true);
        } else {
            printer.print(fmt::format("{} {}", event, line), false);
        }
    };
    core.start(options);  // the first load, then the watches are in place
    printer.release();

    const int ended = wait_for_end(signals, timeout);
    core.stop();
    // A timeout before --count events arrived means they did not come: a finding for a script.
    return ended < 0 && count > 0 ? 1 : 0;
}

}  // namespace

const Command watch_command{
    .name = "watch",
    .summary = "follow a runtime file live: each publish and each refused load",
    .usage = "flagctl watch --file RUNTIME [--override FILE] [--user U] [--tenant T] [--attr NAME=VALUE ...]\n"
             "                     [--count N] [--timeout SECONDS] [--no-permission-check] [--json] [--registry PATH]",
    .help = "Watches RUNTIME with the runtime's own watcher, as a service does, and prints one line per\n"
            "event. With --json each is a JSON object:\n"
            "  {\"event\":\"loaded\",\"generation\":N,\"hash\":\"...\",\"values\":{\"flag\":value,...}} for each publish,\n"
            "      with every flag's value for the context given;\n"
            "  {\"event\":\"rejected\",\"file\":\"...\",\"line\":N,\"column\":N,\"message\":\"...\",\"hint\":\"...\"},\n"
            "  {\"event\":\"missing\",...} and {\"event\":\"empty\",...} for each refused load;\n"
            "  the runtime's other log lines (\"stale\", \"degraded\") as they come.\n"
            "The first line appears once the files are watched. Runs until SIGINT or SIGTERM (exit 0),\n"
            "--count publishes and refusals (exit 0), or --timeout (exit 0; exit 1 if --count events had\n"
            "not arrived by then).\n"
            "\n"
            "  --file RUNTIME     the runtime file, or a directory of them\n"
            "  --override FILE    the local override file, watched too\n"
            "  --user, --tenant, --attr NAME=VALUE   the context the values are evaluated for\n"
            "  --count N          stop after N publishes and refusals\n"
            "  --timeout SECONDS  stop after this long\n"
            "  --no-permission-check  serve a file other users can write, which a service refuses\n"
            "                     (RuntimeOptions::require_secure_permissions); for development only\n"
            "\n"
            "example:\n"
            "  $ flagctl watch --registry flags/registry.toml --file /tmp/checkout/flags.toml --user u-42 --json\n"
            "  {\"ts\":\"2026-11-21T12:24:32.309Z\",\"event\":\"loaded\",\"generation\":1,\"hash\":\"245c65399be0104c\",\n"
            "   \"values\":{\"experiment.button-color\":\"blue\",...,\"release.new-checkout\":true}}\n"
            "  {\"ts\":\"2026-11-21T12:24:33.355Z\",\"event\":\"rejected\",\"file\":\"/tmp/checkout/flags.toml\",\"line\":9,\n"
            "   \"column\":11,\"message\":\"rollout must be a number, not a string\",...}\n",
    .options = watch_options,
    .run = watch,
};

}  // namespace flagctl
