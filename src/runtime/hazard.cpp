#include "hazard.hpp"

#include <linux/membarrier.h>
#include <pthread.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <array>
#include <new>

#include <flags/detail/call_site_counting.hpp>

namespace flags::internal {
namespace {

// Slots for the first threads live in static storage, so the first read on a new thread does not
// allocate; later threads allocate a slot once, and it is reused after they exit.
constexpr std::size_t static_slot_count = 128;
std::array<HazardSlot, static_slot_count> static_slots;
std::atomic<HazardSlot*> extra_slots{nullptr};

bool register_membarrier() noexcept {
#if defined(__SANITIZE_THREAD__)
    return false;  // ThreadSanitizer does not model membarrier; full fences keep its reports exact
#else
    const long supported = syscall(SYS_membarrier, MEMBARRIER_CMD_QUERY, 0, 0);
    if (supported < 0 || !(supported & MEMBARRIER_CMD_PRIVATE_EXPEDITED)) return false;
    return syscall(SYS_membarrier, MEMBARRIER_CMD_REGISTER_PRIVATE_EXPEDITED, 0, 0) == 0;
#endif
}

// Decided once, before any snapshot can be published (a runtime's constructor calls writer_fence).
// A reader that saw `false` used a full fence, which is correct under either writer.
const bool use_membarrier = register_membarrier();

HazardSlot* claim(HazardSlot& slot) noexcept {
    bool expected = false;
    if (!slot.in_use.load(std::memory_order_relaxed) &&
        slot.in_use.compare_exchange_strong(expected, true, std::memory_order_acquire))
        return &slot;
    return nullptr;
}

HazardSlot* acquire_slot() noexcept {
    for (auto& slot : static_slots)
        if (auto* s = claim(slot)) return s;
    for (auto* slot = extra_slots.load(std::memory_order_acquire); slot; slot = slot->next)
        if (auto* s = claim(*slot)) return s;
    auto* slot = new (std::nothrow) HazardSlot;
    if (!slot) return nullptr;
    slot->in_use.store(true, std::memory_order_relaxed);
    slot->next = extra_slots.load(std::memory_order_relaxed);
    while (!extra_slots.compare_exchange_weak(slot->next, slot, std::memory_order_release)) {
    }
    return slot;
}

// The slot goes back to the pool through a pthread key's destructor when the thread exits.
pthread_key_t slot_key;

void release_at_thread_exit(void* slot) {
    auto* s = static_cast<HazardSlot*>(slot);
    // The counters the entry points to belong to this slot's record, which the next owner of the slot
    // writes: a read from a later destructor of this thread must find its counters anew.
    call_site_counters = {};
    process_call_site_counters = {};
    s->pointer.store(nullptr, std::memory_order_release);
    // A view pinned here may live on in another thread: then the slot stays claimed, so that no new
    // thread's pins overwrite what protects it.
    if (s->pins.load(std::memory_order_acquire) == 0) s->in_use.store(false, std::memory_order_release);
    this_thread = nullptr;  // a read from a later destructor of this thread takes a slot anew
}

}  // namespace

constinit thread_local HazardSlot* this_thread = nullptr;

HazardSlot* take_slot_for_this_thread() noexcept {
    static const bool key_created = ::pthread_key_create(&slot_key, &release_at_thread_exit) == 0;
    this_thread = acquire_slot();
    if (this_thread && key_created) ::pthread_setspecific(slot_key, this_thread);
    return this_thread;
}

void reader_fence() noexcept {
#if !defined(__SANITIZE_THREAD__)  // under it, the seq_cst slot store and load stand in for the fence
    if (use_membarrier)
        std::atomic_signal_fence(std::memory_order_seq_cst);
    else
        std::atomic_thread_fence(std::memory_order_seq_cst);
#endif
}

void writer_fence() noexcept {
#if !defined(__SANITIZE_THREAD__)  // under it, the seq_cst exchange and scan stand in for the fence
    if (!use_membarrier || syscall(SYS_membarrier, MEMBARRIER_CMD_PRIVATE_EXPEDITED, 0, 0) != 0)
        std::atomic_thread_fence(std::memory_order_seq_cst);
#endif
}

std::vector<const void*> protected_pointers() {
    std::vector<const void*> out;
    // The hazard first, then the pin count, then what is pinned: a pin is recorded before the hazard
    // that covered its setup is released, so whichever this scan sees, the snapshot is covered.
    auto collect = [&out](const HazardSlot& slot) {
        if (const void* p = slot.pointer.load(std::memory_order_seq_cst)) out.push_back(p);
        if (slot.pins.load(std::memory_order_seq_cst) > 0)
            if (const void* p = slot.pinned.load(std::memory_order_seq_cst)) out.push_back(p);
    };
    for (const auto& slot : static_slots) collect(slot);
    for (auto* slot = extra_slots.load(std::memory_order_acquire); slot; slot = slot->next) collect(*slot);
    return out;
}

}  // namespace flags::internal
