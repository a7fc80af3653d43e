// The parts of flagstone-bench, each a mode of the one program (see main.cpp).
#pragma once

#include <cstddef>

namespace bench {

// Registers the hot-path cases with Google Benchmark (micro.cpp).
void register_micro_benchmarks();

// Functional checks of every case: right answers, zero allocations per check, the MD5 of RFC 1321.
// Prints each failure; returns how many there were (selfcheck.cpp).
int run_selfcheck();

// The core cases, `iterations` times each, between callgrind's collection toggles, each dumped
// under its name, so that report.py can read instructions per check (instructions.cpp).
int run_instructions(std::size_t iterations);

// Reload cost, snapshot memory, reader latency under reloads, rename-to-reader latency, and the
// fleet (hotreload.cpp). argv holds the options after the mode's name.
int run_hotreload(int argc, char** argv);

}  // namespace bench
