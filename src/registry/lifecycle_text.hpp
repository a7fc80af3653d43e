// The words for a flag's place in its lifecycle (expired, retires soon, due for review): written once,
// here, so that flagc's build messages and `flagctl debt` say the same thing.
#pragma once

#include <string>

#include <flags/registry_types.hpp>

#include "registry_loader.hpp"

namespace flags::registry {

struct LifecycleText {
    std::string message;  // "release flag 'release.new-checkout' expired on 2027-01-15 (3 days ago)"
    std::string hint;     // what to do about it
};

// The message and hint for `state`, which lifecycle_of gave for `flag`; empty for a current flag.
LifecycleText lifecycle_text(const FlagInfo& flag, const Lifecycle& state);

}  // namespace flags::registry
