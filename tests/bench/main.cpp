// flagstone-bench: the benchmark program of `tools/dev bench` (which runs it through report.py).
//
//   flagstone-bench [--benchmark_* ...]        self-check, then the hot-path cases (Google Benchmark)
//   flagstone-bench selfcheck                  only the functional checks
//   flagstone-bench instructions [N]           the core cases for callgrind, N iterations each
//   flagstone-bench hotreload [--quick|--smoke] [--fleet-watcher PATH]
//                                              reload cost, memory, reader latency, rename latency, fleet
//   flagstone-bench about                      how this binary was built, as JSON
#include <benchmark/benchmark.h>

#include <cstdio>
#include <cstdlib>
#include <exception>
#include <string_view>

#include "programs.hpp"

namespace {

// What report.py prints above the table, and how it knows that callgrind cannot run this binary.
int about() {
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
    constexpr bool sanitized = true;
#else
    constexpr bool sanitized = false;
#endif
#if defined(__OPTIMIZE__)
    constexpr bool optimized = true;
#else
    constexpr bool optimized = false;
#endif
#if defined(NDEBUG)
    constexpr bool ndebug = true;
#else
    constexpr bool ndebug = false;
#endif
    std::printf(R"({"compiler": "%s", "optimized": %s, "ndebug": %s, "sanitized": %s})"
                "\n",
                __VERSION__, optimized ? "true" : "false", ndebug ? "true" : "false", sanitized ? "true" : "false");
    return 0;
}

}  // namespace

int main(int argc, char** argv) {
    try {
        const std::string_view mode = argc > 1 ? argv[1] : "";
        if (mode == "about") return about();
        if (mode == "selfcheck") return bench::run_selfcheck() == 0 ? 0 : 1;
        if (mode == "instructions")
            return bench::run_instructions(argc > 2 ? std::strtoull(argv[2], nullptr, 10) : 100'000);
        if (mode == "hotreload") return bench::run_hotreload(argc - 2, argv + 2);

        // Figures of wrong code are worth nothing: check first, on stderr so that JSON output stays clean.
        if (bench::run_selfcheck() != 0) return 1;
        benchmark::Initialize(&argc, argv);
        if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 2;
        bench::register_micro_benchmarks();
        benchmark::RunSpecifiedBenchmarks();
        benchmark::Shutdown();
        return 0;
    } catch (const std::exception& e) {
        std::fprintf(stderr, "flagstone-bench: %s\n", e.what());
        return 1;
    }
}
