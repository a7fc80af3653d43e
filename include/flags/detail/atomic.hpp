// Internal: part of the inline read path, not of flagstone's API. Nothing here is promised to stay
// from one release to the next; include <flags/read.hpp> or <flags/flags.hpp> instead.
//
// The atomic integers the read path shares with the runtime: a flag's published word, the counters
// of a call site and the switches that say whether anyone observes. std::atomic would do, but since
// C++20 <atomic> brings the waiting machinery (<bits/atomic_wait.h>, threads, clocks), which doubles
// the compile time of a file that only reads flags. Every access goes through the __atomic builtins
// that std::atomic itself compiles to (GCC and Clang both provide them), with the memory order the
// caller names, so the code and its ordering are the same, and ThreadSanitizer sees each one as
// atomic. The runtime's own code passes std::memory_order values; headers pass MemoryOrder ones.
#pragma once

namespace flags::internal {

// std::memory_order's values, which are the builtins' own, for code that does not include <atomic>.
enum class MemoryOrder : int {
    relaxed = __ATOMIC_RELAXED,
    acquire = __ATOMIC_ACQUIRE,
    release = __ATOMIC_RELEASE,
    acq_rel = __ATOMIC_ACQ_REL,
    seq_cst = __ATOMIC_SEQ_CST,
};

// An integer every access of which is atomic, like std::atomic<T> for the operations used here.
// Lock-free by construction: the builtins on an aligned integer of at most 8 bytes are single
// instructions on every target flagstone builds for, which the static_assert holds them to.
template <class T>
class Atomic {
    static_assert(sizeof(T) <= 8 && __atomic_always_lock_free(sizeof(T), 0), "only lock-free integers");

public:
    constexpr Atomic() noexcept = default;
    constexpr Atomic(T value) noexcept : value_(value) {}  // NOLINT: like std::atomic, from its value
    Atomic(const Atomic&) = delete;
    Atomic& operator=(const Atomic&) = delete;

    template <class Order = MemoryOrder>
    [[gnu::always_inline]] T load(Order order = Order(__ATOMIC_SEQ_CST)) const noexcept {
        return __atomic_load_n(&value_, static_cast<int>(order));
    }
    template <class Order = MemoryOrder>
    [[gnu::always_inline]] void store(T value, Order order = Order(__ATOMIC_SEQ_CST)) noexcept {
        __atomic_store_n(&value_, value, static_cast<int>(order));
    }
    template <class Order = MemoryOrder>
    [[gnu::always_inline]] T fetch_add(T delta, Order order = Order(__ATOMIC_SEQ_CST)) noexcept {
        return __atomic_fetch_add(&value_, delta, static_cast<int>(order));
    }
    template <class Order = MemoryOrder>
    [[gnu::always_inline]] T fetch_sub(T delta, Order order = Order(__ATOMIC_SEQ_CST)) noexcept {
        return __atomic_fetch_sub(&value_, delta, static_cast<int>(order));
    }

private:
    alignas(sizeof(T)) T value_{};
};

}  // namespace flags::internal
