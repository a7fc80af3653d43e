// libFuzzer's entry point, for the -fsanitize=fuzzer builds of the targets.
#include "fuzz_target.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) { return fuzz_one(data, size); }
