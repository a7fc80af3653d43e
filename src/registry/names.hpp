// The naming rules of flags and variants, and how names map to C++ identifiers. flagc, flagctl
// and the registry validation all use these, so a name means the same thing everywhere.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include <flags/registry_types.hpp>

namespace flags::registry {

// "release.new-checkout" -> FlagType::release; nullopt for an unknown type prefix.
std::optional<FlagType> parse_flag_type(std::string_view type) noexcept;

// Why `name` is not `<type>.<kebab-name>`, or an empty string when it is valid.
std::string flag_name_problem(std::string_view name);

// "release.new-checkout" -> "release_new_checkout"
std::string flag_identifier(std::string_view name);

// "experiment.button-color" -> "ButtonColor": the enum type of a multivariate flag's variants.
std::string variant_type_name(std::string_view name);

// Why `variant` cannot name a variant, or an empty string. Variants become enumerators as written,
// with '-' turned into '_'.
std::string variant_name_problem(std::string_view variant);
std::string variant_identifier(std::string_view variant);

bool is_cpp_keyword(std::string_view word) noexcept;

}  // namespace flags::registry
