#include <flags/flags.hpp>

void render_cart(const flags::Context& ctx) {
    if (flags::enabled<flags::Flag::release_legacy_cart>(ctx)) {
        // the old cart
    }
    auto d = flags::detail<flags::Flag::release_one_click>(ctx); (void)d;
    switch (flags::variant<flags::Flag::experiment_button_color>(ctx)) { default: break; }
    (void)flags::enabled<flags::Flag::experiment_old_banner>(ctx);
}
