#pragma once
#include <flags/flags.hpp>

inline bool payments_stopped(const flags::Context& ctx) {
    return flags::enabled<flags::Flag::ops_kill_switch_payments>(ctx);
}
inline auto search_backend(const flags::Context& ctx) { return flags::variant<"ops.search-backend">(ctx); }
inline bool early(const flags::Context& ctx) { return flags::enabled<flags::Flag::permission_early_access>(ctx); }
