// Internal: not part of flagstone's API; nothing here is promised to stay from one release to the next.
//
// The few members of std::vector that a Context's attributes past the eighth need, for trivially
// copyable elements: <vector> and the instantiations of its growth would make every file that reads
// a flag a fifth slower to compile (docs/benchmarks.md, Include cost).
#pragma once

#include <cstddef>
#include <type_traits>
#include <utility>

namespace flags::internal {

template <class T>
class GrowableArray {
    static_assert(std::is_trivially_copyable_v<T> && std::is_default_constructible_v<T>);

public:
    GrowableArray() noexcept = default;
    GrowableArray(const GrowableArray& other) : GrowableArray() {
        reserve(other.size_);
        copy(other.items_, other.size_, items_);
        size_ = other.size_;
    }
    GrowableArray(GrowableArray&& other) noexcept
        : items_(std::exchange(other.items_, nullptr)), size_(std::exchange(other.size_, 0)),
          capacity_(std::exchange(other.capacity_, 0)) {}
    GrowableArray& operator=(GrowableArray other) noexcept {
        std::swap(items_, other.items_);
        std::swap(size_, other.size_);
        std::swap(capacity_, other.capacity_);
        return *this;
    }
    ~GrowableArray() { delete[] items_; }

    void push_back(const T& item) {
        if (size_ == capacity_) reserve(capacity_ == 0 ? 8 : capacity_ * 2);
        items_[size_++] = item;
    }
    std::size_t size() const noexcept { return size_; }
    T& operator[](std::size_t i) noexcept { return items_[i]; }
    const T& operator[](std::size_t i) const noexcept { return items_[i]; }

private:
    static void copy(const T* from, std::size_t count, T* to) noexcept {
        for (std::size_t i = 0; i < count; ++i) to[i] = from[i];
    }
    void reserve(std::size_t capacity) {
        if (capacity <= capacity_) return;
        T* grown = new T[capacity];
        copy(items_, size_, grown);
        delete[] items_;
        items_ = grown;
        capacity_ = capacity;
    }

    T* items_ = nullptr;
    std::size_t size_ = 0;
    std::size_t capacity_ = 0;
};

}  // namespace flags::internal
