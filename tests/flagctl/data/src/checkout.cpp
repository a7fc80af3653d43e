// A service's code, for `flagctl debt --src`: the call sites it must find, and the look-alikes it must not.
#include <flags/flags.hpp>

using flags::Flag;

int checkout_total(const flags::Context& ctx) {
    if (flags::enabled<Flag::release_new_checkout>(ctx)) return 2;
    if (flags::enabled<"release.dark-mode">(ctx)) return 3;     // by name
    return flags::enabled<Flag::release_legacy_cart>(ctx) ? 1 : 0;
}

// Not call sites: another enum's enumerator, a longer identifier, a longer name.
enum class MyFlag { release_one_click };
const auto other = MyFlag::release_one_click;
const auto longer = "release.new-checkout-v2";
// int x = Flag::release_new_checkout_v2;
