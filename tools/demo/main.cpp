// The demo service: shows the example registry the way the build sees it.
#include <chrono>
#include <cstdio>

#include <fmt/format.h>

#include <flags/flags.hpp>

int main() {
    const flags::Date today = std::chrono::floor<std::chrono::days>(std::chrono::system_clock::now());
    fmt::print("{:<28} {:<11} {:<17} {:>8}  {}\n", "flag", "type", "owner", "default", "retirement");
    for (const auto& flag : flags::generated::flags) {
        std::string retirement = "never (ops/permission)";
        if (flag.retire_by) retirement = fmt::format("in {} days", (*flag.retire_by - today).count());
        fmt::print("{:<28} {:<11} {:<17} {:>8}  {}\n", flag.name, flags::to_string(flag.type), flag.owner,
                   flag.value_name(flag.default_value), retirement);
    }
    const flags::Context ctx{.user = "u-1"};
    fmt::print("\nenabled<Flag::release_new_checkout>(u-1) = {} (no runtime started: registry default)\n",
               flags::enabled<flags::Flag::release_new_checkout>(ctx));
}
