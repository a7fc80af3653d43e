#include "alloc_counter.hpp"

#include <malloc.h>

#include <cstddef>
#include <cstdlib>
#include <new>

namespace bench {
namespace {

// Both per thread: the naive baseline allocates on every check, and a shared counter would add a
// contended cache line to its two-thread runs that the code it stands for does not have.
thread_local std::uint64_t allocations_here = 0;
thread_local std::int64_t live_here = 0;

void* allocate(std::size_t size, std::size_t alignment) {
    if (size == 0) size = 1;
    void* p = alignment > alignof(std::max_align_t) ? std::aligned_alloc(alignment, (size + alignment - 1) / alignment * alignment)
                                                    : std::malloc(size);
    if (!p) throw std::bad_alloc();
    ++allocations_here;
    live_here += static_cast<std::int64_t>(malloc_usable_size(p));
    return p;
}

void deallocate(void* p) noexcept {
    if (!p) return;
    live_here -= static_cast<std::int64_t>(malloc_usable_size(p));
    std::free(p);
}

}  // namespace

std::uint64_t thread_allocations() noexcept { return allocations_here; }
std::int64_t thread_live_bytes() noexcept { return live_here; }

}  // namespace bench

void* operator new(std::size_t size) { return bench::allocate(size, 0); }
void* operator new[](std::size_t size) { return bench::allocate(size, 0); }
void* operator new(std::size_t size, std::align_val_t a) { return bench::allocate(size, static_cast<std::size_t>(a)); }
void* operator new[](std::size_t size, std::align_val_t a) { return bench::allocate(size, static_cast<std::size_t>(a)); }
void* operator new(std::size_t size, const std::nothrow_t&) noexcept {
    try {
        return bench::allocate(size, 0);
    } catch (...) {
        return nullptr;
    }
}
void* operator new[](std::size_t size, const std::nothrow_t&) noexcept {
    try {
        return bench::allocate(size, 0);
    } catch (...) {
        return nullptr;
    }
}
void operator delete(void* p) noexcept { bench::deallocate(p); }
void operator delete[](void* p) noexcept { bench::deallocate(p); }
void operator delete(void* p, std::size_t) noexcept { bench::deallocate(p); }
void operator delete[](void* p, std::size_t) noexcept { bench::deallocate(p); }
void operator delete(void* p, std::align_val_t) noexcept { bench::deallocate(p); }
void operator delete[](void* p, std::align_val_t) noexcept { bench::deallocate(p); }
void operator delete(void* p, std::size_t, std::align_val_t) noexcept { bench::deallocate(p); }
void operator delete[](void* p, std::size_t, std::align_val_t) noexcept { bench::deallocate(p); }
