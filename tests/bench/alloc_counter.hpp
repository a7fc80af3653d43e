// Counts heap allocations, so that the benchmarks can report allocations per check and the reload
// benchmark the memory a snapshot keeps. The program replaces the global operator new/delete
// (alloc_counter.cpp); a benchmark reads its own thread's count before and after its loop.
#pragma once

#include <cstdint>

namespace bench {

// Allocations made by the calling thread so far.
std::uint64_t thread_allocations() noexcept;

// Bytes allocated minus bytes freed by the calling thread (usable sizes). The difference across a
// call that allocates and frees on the calling thread only, as loading a runtime file does, is what
// the call keeps.
std::int64_t thread_live_bytes() noexcept;

}  // namespace bench
