// One member of the fleet in flagstone-bench's hot-reload benchmark: a process that watches a
// runtime file the way a service does and says when it serves each generation.
//
//   fleet-watcher FILE
//
// Prints "ready <generation>" once start() has returned and the watcher is armed, and
// "serving <generation> <variant> <ns>" after each publish (the first one, from start()'s own load,
// comes before "ready"), where <variant> is experiment.button-color as a reader now sees it and <ns> is the
// steady (CLOCK_MONOTONIC, system-wide) clock. Exits when its standard input closes, so that a
// coordinator that dies takes its fleet with it.
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>

#include <flags/flags.hpp>

int main(int argc, char** argv) {
    if (argc != 2) {
        std::fprintf(stderr, "usage: fleet-watcher FILE\n");
        return 2;
    }
    flags::Runtime runtime(argv[1]);
    const flags::Context ctx{.user = "fleet"};
    // Called on the watcher's thread right after a publish; the read goes through the public API,
    // so what is printed is what the service's readers are served.
    runtime.on_change([&](std::uint64_t) {
        const auto d = runtime.detail<flags::Flag::experiment_button_color>(ctx);
        const auto now = std::chrono::steady_clock::now().time_since_epoch();
        std::printf("serving %llu %.*s %lld\n", static_cast<unsigned long long>(d.generation),
                    static_cast<int>(d.variant.size()), d.variant.data(),
                    static_cast<long long>(std::chrono::duration_cast<std::chrono::nanoseconds>(now).count()));
        std::fflush(stdout);
    });
    flags::RuntimeOptions options;
    // Quiet: 32 processes logging every load would bury the benchmark's output. FLEET_WATCHER_LOG=1
    // shows the runtime's JSON log lines on stderr, for when a member misbehaves.
    const bool show_log = std::getenv("FLEET_WATCHER_LOG") != nullptr;
    options.log = [show_log](std::string_view line) {
        if (show_log) std::fprintf(stderr, "%.*s\n", static_cast<int>(line.size()), line.data());
    };
    if (!runtime.start(options).ok()) {
        std::fprintf(stderr, "fleet-watcher: %s does not load\n", argv[1]);
        return 1;
    }
    std::printf("ready %llu\n", static_cast<unsigned long long>(runtime.pin().generation()));
    std::fflush(stdout);
    char buffer[256];
    while (::read(0, buffer, sizeof buffer) > 0) {
    }
    runtime.stop();
    return 0;
}
