// One reading thread's exposures on their way to the sink: a ring of bytes with one writer (the
// thread that reads flags) and one reader (the observation thread). The writer never waits and
// never allocates: a record that does not fit is refused, and the caller counts it dropped.
//
// Positions only grow; a record never wraps, so one that would cross the end starts over at the
// beginning, after a padding record that fills the rest of the ring.
#pragma once

#include <algorithm>
#include <atomic>
#include <bit>
#include <cstddef>
#include <cstdint>
#include <climits>
#include <cstring>
#include <memory>
#include <string_view>

namespace flags::internal {

struct ExposureRecord {
    std::uint32_t size = 0;  // of the whole record, key and padding included
    std::uint16_t flag = 0;
    std::uint16_t value = 0;
    std::uint8_t reason = 0;
    bool padding = false;    // fills the ring's end; skip it
    std::uint16_t key_size = 0;
    std::uint32_t reserved = 0;
    std::uint64_t generation = 0;
    std::int64_t monotonic_ns = 0;
};
static_assert(sizeof(ExposureRecord) == 32);

class ExposureRing {
public:
    // `capacity` is rounded up to a power of two.
    explicit ExposureRing(std::size_t capacity) : capacity_(std::bit_ceil(std::max<std::size_t>(capacity, 256))),
                                                  bytes_(new std::byte[capacity_]) {}

    // Writer side. False when the record does not fit now.
    bool try_push(ExposureRecord record, std::string_view key) noexcept {
        const std::size_t size = record_size(key.size());
        if (key.size() > UINT16_MAX || size > capacity_ / 2) return false;
        const std::uint64_t head = head_.load(std::memory_order_relaxed);
        const std::size_t offset = head & (capacity_ - 1);
        const std::size_t to_end = capacity_ - offset;
        const std::size_t needed = size <= to_end ? size : to_end + size;
        if (head + needed - cached_tail_ > capacity_) {
            cached_tail_ = tail_.load(std::memory_order_acquire);
            if (head + needed - cached_tail_ > capacity_) return false;
        }
        std::uint64_t at = head;
        if (size > to_end) {
            // Less room than a header at the end needs no padding record: the reader skips it unasked.
            if (to_end >= sizeof(ExposureRecord)) {
                const ExposureRecord pad{.size = static_cast<std::uint32_t>(to_end), .padding = true};
                std::memcpy(bytes_.get() + offset, &pad, sizeof pad);
            }
            at += to_end;
        }
        record.size = static_cast<std::uint32_t>(size);
        record.key_size = static_cast<std::uint16_t>(key.size());
        std::byte* out = bytes_.get() + (at & (capacity_ - 1));
        std::memcpy(out, &record, sizeof record);
        if (!key.empty()) std::memcpy(out + sizeof record, key.data(), key.size());
        head_.store(at + size, std::memory_order_release);
        return true;
    }

    // Reader side: calls each(record, key) for every record written so far, then frees their space.
    template <class Each>
    std::size_t drain(Each&& each) {
        const std::uint64_t head = head_.load(std::memory_order_acquire);
        std::uint64_t tail = tail_.load(std::memory_order_relaxed);
        std::size_t count = 0;
        while (tail != head) {
            const std::size_t to_end = capacity_ - (tail & (capacity_ - 1));
            if (to_end < sizeof(ExposureRecord)) {
                tail += to_end;
                continue;
            }
            const std::byte* in = bytes_.get() + (tail & (capacity_ - 1));
            ExposureRecord record;
            std::memcpy(&record, in, sizeof record);
            if (!record.padding) {
                each(record, std::string_view(reinterpret_cast<const char*>(in + sizeof record), record.key_size));
                ++count;
            }
            tail += record.size;
        }
        tail_.store(tail, std::memory_order_release);
        return count;
    }

private:
    static std::size_t record_size(std::size_t key_size) noexcept {
        return (sizeof(ExposureRecord) + key_size + 7) & ~std::size_t{7};
    }

    const std::size_t capacity_;
    std::unique_ptr<std::byte[]> bytes_;
    alignas(64) std::atomic<std::uint64_t> head_{0};
    std::uint64_t cached_tail_ = 0;  // the writer's last look at tail_, to read the reader's line rarely
    alignas(64) std::atomic<std::uint64_t> tail_{0};
};

}  // namespace flags::internal
