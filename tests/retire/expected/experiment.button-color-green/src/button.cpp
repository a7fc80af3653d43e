#include <string>

#include "checkout.hpp"

namespace checkout {

std::string button([[maybe_unused]] const flags::Context& ctx) {
    {
        std::string colour = "#00ff00";
        return colour;
    }
    return "#ff0000";
}

int button_width([[maybe_unused]] const flags::Context& ctx) {
    return 120;
    return 100;
}

std::string button_label([[maybe_unused]] const flags::Context& ctx) {
    return std::string("Pay (") + std::string(std::string_view("green")) + ")";
}

}  // namespace checkout
