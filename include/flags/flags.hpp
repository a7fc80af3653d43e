// The whole API in one include: reading flags (<flags/read.hpp>), starting and running a runtime
// (<flags/runtime.hpp>), exposures in OpenTelemetry's names (<flags/otel.hpp>) and the bucket
// function (<flags/bucketing.hpp>).
//
//   auto report = flags::start("/etc/checkout/flags.toml");   // once, where the program starts
//   if (flags::enabled<Flag::release_new_checkout>(ctx)) { ... }
//
// A file that only reads flags compiles faster with <flags/read.hpp> alone: it leaves out
// <filesystem>, <functional> and the rest of what starting a runtime needs.
#pragma once

// Kept for the files that relied on this header for them before it was split.
#include <algorithm>
#include <atomic>
#include <filesystem>
#include <functional>
#include <span>
#include <type_traits>
#include <utility>
#include <vector>

#include <flags/bucketing.hpp>
#include <flags/otel.hpp>
#include <flags/read.hpp>
#include <flags/runtime.hpp>
