// Any bytes as a registry file: validation ends in a registry or in diagnostics, and a registry it
// accepts must also render as a header and a source file.
#include <string_view>

#include "../../tools/flagc/header_writer.hpp"
#include "registry/registry_loader.hpp"

#include "fuzz_target.hpp"

int fuzz_one(const std::uint8_t* data, std::size_t size) {
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    const auto outcome = flags::registry::load_registry_text(text, "registry.toml");
    if (outcome.registry) {
        const auto header = flags::flagc::render_header(*outcome.registry);
        const auto source = flags::flagc::render_source(*outcome.registry, "flags/registry.hpp");
        if (header.empty() || source.empty()) __builtin_trap();
        (void)flags::registry::check_lifecycle(*outcome.registry, flags::Date{std::chrono::days{20'000}});
    }
    return 0;
}
