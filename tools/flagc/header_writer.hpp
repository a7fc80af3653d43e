// Renders a validated registry as the two files a project compiles: the header every reader
// includes through <flags/flags.hpp>, and the source file that defines the flags' metadata.
#pragma once

#include <string>
#include <string_view>

#include "registry/registry_loader.hpp"

namespace flags::flagc {

// What reads need at compile time: the Flag enum, the variant enums, each flag's type, variants,
// default and tracking. Editing a description, owner, ticket or date leaves it byte for byte the same,
// so that flagc does not rewrite it and no reader recompiles.
std::string render_header(const registry::LoadedRegistry& registry);

// The description, owner, ticket and dates of every flag, and generated::registry, which holds
// them: one file for the build to recompile when they change. `header_include` is the path the
// source file includes the header by, relative to the source file's directory.
std::string render_source(const registry::LoadedRegistry& registry, std::string_view header_include);

}  // namespace flags::flagc
