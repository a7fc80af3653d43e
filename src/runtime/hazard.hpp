// Safe memory reclamation for snapshots: hazard pointers with asymmetric fences.
//
// A reader announces the snapshot it is about to read in its own thread's slot, then checks that
// the snapshot is still current. A writer that has unpublished a snapshot frees it only once no
// slot holds it. The reader's side costs two plain stores and a compiler barrier: the full fence
// that makes this correct is paid by the writer, with membarrier(2), which forces one on every
// running thread of the process. Where membarrier is unavailable both sides use a full fence.
//
// Readers write only their own slot (its own cache line), so concurrent readers never contend.
//
// ThreadSanitizer understands neither membarrier nor fences, so under it the protocol uses its
// textbook form instead: sequentially consistent slot stores and loads on both sides.
#pragma once

#include <atomic>
#include <cstdint>
#include <vector>

namespace flags::internal {

#if defined(__SANITIZE_THREAD__)
inline constexpr std::memory_order slot_store_order = std::memory_order_seq_cst;
inline constexpr std::memory_order validate_order = std::memory_order_seq_cst;
#else
inline constexpr std::memory_order slot_store_order = std::memory_order_relaxed;
inline constexpr std::memory_order validate_order = std::memory_order_acquire;
#endif

struct alignas(64) HazardSlot {
    std::atomic<const void*> pointer{nullptr};  // what the thread is reading right now
    // What this thread's pinned views hold, and how many views hold it. A pin protects like a hazard
    // pointer, but for a whole request, and counts on the thread's own cache line rather than on the
    // snapshot's, which every thread shares. A view moved to another thread decrements it from there.
    std::atomic<const void*> pinned{nullptr};
    std::atomic<std::uint32_t> pins{0};
    std::atomic<bool> in_use{false};
    // The observation record (observer.hpp) this slot's thread last wrote to, and whose it is. Records
    // belong to slots, not threads, so a thread that takes over a slot also takes over its records.
    std::uint64_t observer_id = 0;
    void* observer_record = nullptr;
    HazardSlot* next = nullptr;  // slots form a list that only grows; a thread's slot is reused after it exits
};

// The calling thread's slot: a plain pointer, trivially destructible, so that reaching it costs one
// TLS load and the first read on a thread registers no destructor (glibc allocates to register one).
// constinit: no initialiser runs, so other files read it without a call to a TLS wrapper.
extern constinit thread_local HazardSlot* this_thread;

// Takes a slot for the calling thread, or returns nullptr if none could be had (memory exhausted).
HazardSlot* take_slot_for_this_thread() noexcept;

// The calling thread's slot, or nullptr if none could be had.
inline HazardSlot* this_thread_slot() noexcept {
    if (this_thread) [[likely]]
        return this_thread;
    return take_slot_for_this_thread();
}

// The reader's half of the fence; see the comment at the top.
void reader_fence() noexcept;

// The writer's half: after it returns, every reader's slot store made before the writer unpublished
// a snapshot is visible to the writer.
void writer_fence() noexcept;

// Every pointer some slot protects right now, by a hazard pointer or a pin.
std::vector<const void*> protected_pointers();

// Loads `source` and protects what it points to in `slot`, retrying until the two agree.
template <class T>
const T* protect(const std::atomic<const T*>& source, HazardSlot& slot) noexcept {
    const T* p = source.load(std::memory_order_relaxed);
    for (;;) {
        slot.pointer.store(p, slot_store_order);
        reader_fence();
        const T* again = source.load(validate_order);
        if (again == p) return p;
        p = again;
    }
}

inline void release(HazardSlot& slot) noexcept { slot.pointer.store(nullptr, std::memory_order_release); }

}  // namespace flags::internal
