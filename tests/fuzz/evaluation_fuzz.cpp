// Random contexts against random valid files. The input is a runtime file, a NUL byte, then the
// context: user, tenant and attribute name/value pairs separated by NUL bytes. Evaluation must
// return a value the flag can have, whatever the strings.
#include <string_view>
#include <vector>

#include <flags/bucketing.hpp>
#include <flags/flags.hpp>

#include "fuzz_target.hpp"

int fuzz_one(const std::uint8_t* data, std::size_t size) {
    static flags::internal::RuntimeCore core(flags::generated::registry);
    const std::string_view input(reinterpret_cast<const char*>(data), size);
    const auto split = input.find('\0');
    if (split == std::string_view::npos) return 0;
    if (!core.load_text(input.substr(0, split), "fuzz.toml").ok()) return 0;

    std::vector<std::string_view> fields;
    for (std::string_view rest = input.substr(split + 1); !rest.empty();) {
        const auto end = rest.find('\0');
        fields.push_back(rest.substr(0, end));
        rest = end == std::string_view::npos ? std::string_view{} : rest.substr(end + 1);
    }
    flags::Context ctx;
    if (fields.size() > 0) ctx.user = fields[0];
    if (fields.size() > 1) ctx.tenant = fields[1];
    for (std::size_t i = 2; i + 1 < fields.size(); i += 2) ctx.attributes.set(fields[i], fields[i + 1]);

    for (std::size_t flag = 0; flag < std::size(flags::generated::flags); ++flag) {
        const auto e = core.evaluate(flag, ctx);
        if (e.value >= flags::generated::flags[flag].value_count()) __builtin_trap();
        if (e.bucket >= static_cast<int>(flags::bucket_count)) __builtin_trap();
    }
    return 0;
}
