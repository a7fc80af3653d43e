// Any bytes as a runtime file: loading must end in a snapshot or in diagnostics, never in a crash, a
// hang or an exception escaping. A load that succeeds must then evaluate every flag.
#include <string_view>

#include <flags/flags.hpp>

#include "fuzz_target.hpp"
#include "visible_text.hpp"

int fuzz_one(const std::uint8_t* data, std::size_t size) {
    static flags::internal::RuntimeCore core(flags::generated::registry);
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    const auto report = core.load_text(text, "fuzz.toml");
    if (report.ok() && report.generation > 0) {
        for (std::size_t flag = 0; flag < std::size(flags::generated::flags); ++flag) {
            const auto e = core.evaluate(flag, {.user = "u-1", .tenant = "acme"});
            if (e.value >= flags::generated::flags[flag].value_count()) __builtin_trap();
        }
    }
    for (const auto& d : report.diagnostics) {
        if (d.message.empty() || d.message.find('\n') != std::string::npos) __builtin_trap();  // one line, never empty
        // Nothing a terminal would act on or hide: control, bidirectional and invisible characters are escaped.
        if (flags::internal::terminal_safe(d.message, false) != d.message ||
            flags::internal::terminal_safe(d.hint, false) != d.hint)
            __builtin_trap();
    }
    return 0;
}
