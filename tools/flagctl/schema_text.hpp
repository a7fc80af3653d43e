// The JSON Schemas of the registry and the runtime file, as installed under share/flagstone/,
// compiled into flagctl so that `flagctl schema` needs no installed file.
#pragma once

#include <string_view>

namespace flagctl {

extern const std::string_view registry_schema_text;
extern const std::string_view runtime_schema_text;

}  // namespace flagctl
