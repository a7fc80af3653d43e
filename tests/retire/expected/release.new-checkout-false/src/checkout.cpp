#include "checkout.hpp"

#include <cstdio>

using flags::Flag;

namespace checkout {
namespace {

// Only the old checkout charges for handling.
static int handling_fee(int items) { return 99 + items; }

int shipping(int items) { return items > 3 ? 0 : 499; }

void log_total(int cents) { std::fprintf(stderr, "total %d\n", cents); }

}  // namespace

int total_cents([[maybe_unused]] const flags::Context& ctx, int items) {
    int cents = items * 1000 + shipping(items);
    cents += handling_fee(items);
    cents += 1;
    log_total(cents);
    return cents;
}

std::string banner(const flags::Context& ctx) {
    const bool fast = flags::enabled<Flag::release_fast_search>(ctx);
    if (fast) return "one of them";
    return "classic";
}

std::string layout(const flags::Context& ctx) {
    const char* columns = "one-column";
    std::string text = columns;
    return text + (flags::enabled<Flag::ops_kill_switch>(ctx) ? ", closed" : ", open");
}

int pinned_total([[maybe_unused]] const flags::Context& ctx, int items) {
    const auto view = flags::pin();
    int cents = items * 1000;
    return cents;
}

int runtime_total([[maybe_unused]] const flags::Runtime& runtime, [[maybe_unused]] const flags::Context& ctx, int items) {
    return items * 1000 - 0;
}

}  // namespace checkout
