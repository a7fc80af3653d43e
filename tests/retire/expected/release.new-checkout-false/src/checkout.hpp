// The checkout service's pricing: what a cart costs, and how the checkout page is laid out.
#pragma once

#include <string>

#include <flags/flags.hpp>

namespace checkout {

// A header read, without `using flags::Flag`.
inline int steps([[maybe_unused]] const flags::Context& ctx) {
    return 4;
}

// A header read through `using flags::Flag`, its value stored in a local first.
inline int express_fee([[maybe_unused]] const flags::Context& ctx) {
    using flags::Flag;
    return 5;
}

int total_cents(const flags::Context& ctx, int items);
std::string banner(const flags::Context& ctx);
std::string layout(const flags::Context& ctx);
int pinned_total(const flags::Context& ctx, int items);
int runtime_total(const flags::Runtime& runtime, const flags::Context& ctx, int items);

std::string button(const flags::Context& ctx);
int button_width(const flags::Context& ctx);
std::string button_label(const flags::Context& ctx);

}  // namespace checkout
