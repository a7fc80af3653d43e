// Internal: not part of flagstone's API. Nothing here is promised to stay from one release to the
// next.
//
// The engine under a flags::Runtime, for the library's own test helpers, tests and benchmarks, which
// need to load text or look at published words directly. Runtime declares RuntimeAccess its friend;
// nothing in the public headers reaches the engine otherwise.
#pragma once

#include <flags/runtime.hpp>

namespace flags::internal {

struct RuntimeAccess {
    static RuntimeCore& core(Runtime& runtime) noexcept { return runtime.core_; }
    static const RuntimeCore& core(const Runtime& runtime) noexcept { return runtime.core_; }
};
inline RuntimeCore& core_of(Runtime& runtime) noexcept { return RuntimeAccess::core(runtime); }
inline const RuntimeCore& core_of(const Runtime& runtime) noexcept { return RuntimeAccess::core(runtime); }

}  // namespace flags::internal
