#include "checkout.hpp"

#include <cstdio>

using flags::Flag;

namespace checkout {
namespace {

// Only the new checkout gives the bulk discount.
int bulk_discount(int items) { return items >= 10 ? 150 : 0; }

int shipping(int items) { return items > 3 ? 0 : 499; }

void log_total(int cents) { std::fprintf(stderr, "total %d\n", cents); }

}  // namespace

int total_cents([[maybe_unused]] const flags::Context& ctx, int items) {
    int cents = items * 1000 + shipping(items);
    cents -= bulk_discount(items);
    log_total(cents);
    return cents;
}

std::string banner(const flags::Context& ctx) {
    const bool fast = flags::enabled<Flag::release_fast_search>(ctx);
    if (fast) return "new and fast";
    return "one of them";
    return "classic";
}

std::string layout(const flags::Context& ctx) {
    const char* columns = "two-column";
    std::string text = columns;
    text += ", express";
    return text + (flags::enabled<Flag::ops_kill_switch>(ctx) ? ", closed" : ", open");
}

int pinned_total([[maybe_unused]] const flags::Context& ctx, int items) {
    const auto view = flags::pin();
    int cents = items * 1000;
    cents -= 100;
    return cents;
}

int runtime_total([[maybe_unused]] const flags::Runtime& runtime, [[maybe_unused]] const flags::Context& ctx, int items) {
    return items * 1000 - 200;
}

}  // namespace checkout
