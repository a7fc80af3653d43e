// Internal: part of the inline read path, not of flagstone's API. Nothing here is promised to stay
// from one release to the next; include <flags/read.hpp> or <flags/flags.hpp> instead.
//
// What the read path needs of a runtime without the runtime itself: a handle on one snapshot
// (flags::pin()), and the out-of-line calls of the default runtime's reads. Kept apart from
// runtime_core.hpp so that a file that only reads flags does not compile the loader's interface
// (<filesystem>, <functional>).
#pragma once

#include <cstddef>
#include <cstdint>

#include <flags/context.hpp>
#include <flags/evaluation.hpp>
#include <flags/registry_types.hpp>

namespace flags::internal {

class Snapshot;
struct HazardSlot;
class Observer;
class RuntimeCore;

// A reference to one published snapshot, or to none (then every flag reads its default). It holds
// the snapshot through its thread's pin record, or, when that is taken by another snapshot, through
// the snapshot's own reference count.
class SnapshotRef {
public:
    explicit SnapshotRef(RegistryView registry) noexcept : registry_(registry) {}
    SnapshotRef(const SnapshotRef& other) noexcept;
    SnapshotRef(SnapshotRef&& other) noexcept;
    SnapshotRef& operator=(SnapshotRef other) noexcept;
    ~SnapshotRef();

    Evaluation evaluate(std::size_t flag, const Context& ctx) const noexcept;
    std::uint64_t generation() const noexcept;

private:
    friend class RuntimeCore;
    SnapshotRef(const Snapshot* adopted, HazardSlot* pinned_by, RegistryView registry,
                const RuntimeCore* runtime) noexcept
        : snapshot_(adopted), pinned_by_(pinned_by), registry_(registry), runtime_(runtime) {}
    void let_go() noexcept;

    const Snapshot* snapshot_ = nullptr;
    HazardSlot* pinned_by_ = nullptr;  // null: held by the snapshot's reference count
    RegistryView registry_;
    const RuntimeCore* runtime_ = nullptr;  // whose observer records the reads; null: none
};

// Evaluation through the default runtime, or the registry default when none was created.
Evaluation evaluate_default(const RegistryView& registry, std::size_t flag, const Context& ctx) noexcept;
SnapshotRef pin_default(const RegistryView& registry) noexcept;
// RuntimeCore::record_word_read on the default runtime, if it was created.
void record_default_word_read(std::size_t flag, ValueIndex value, std::uint32_t word, const Context& ctx,
                              bool counted, std::uint64_t key_hash) noexcept;

}  // namespace flags::internal
