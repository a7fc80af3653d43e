#include <flags/otel.hpp>

#include "json_line.hpp"  // hex_hash: the hash as the logs and flagctl print it

namespace flags {

std::string_view otel_reason(Reason reason) noexcept {
    switch (reason) {
    case Reason::DEFAULT: return "default";
    case Reason::STATIC: return "static";
    case Reason::TARGETING_MATCH: return "targeting_match";
    case Reason::SPLIT: return "split";
    case Reason::DISABLED: return "disabled";
    case Reason::PREREQUISITE_FAILED: return "prerequisite_failed";
    case Reason::ERROR: return "error";
    }
    return "unknown";
}

std::map<std::string, std::string> otel_attributes(const Exposure& exposure) {
    return {
        {"feature_flag.key", std::string(exposure.flag)},
        {"feature_flag.result.variant", std::string(exposure.variant)},
        {"feature_flag.result.reason", std::string(otel_reason(exposure.reason))},
        {"feature_flag.provider.name", std::string(otel_provider_name)},
        {"feature_flag.context.id", std::string(exposure.key)},
        {"feature_flag.version", internal::hex_hash(exposure.content_hash)},
    };
}

}  // namespace flags
