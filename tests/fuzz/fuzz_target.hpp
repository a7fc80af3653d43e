// Each fuzz target defines fuzz_one(data, size). Linked with fuzz_entry.cpp and -fsanitize=fuzzer it
// is a libFuzzer target; linked with replay.cpp instead, it gets a main() that runs it over files and directories, so
// the seed corpus and every regression run in the ordinary test suite.
#pragma once

#include <cstddef>
#include <cstdint>

int fuzz_one(const std::uint8_t* data, std::size_t size);

