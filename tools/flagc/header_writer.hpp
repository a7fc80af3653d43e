// Renders a validated registry as the C++ header a project includes through <flags/flags.hpp>.
#pragma once

#include <string>

#include "registry/registry_loader.hpp"

namespace flags::flagc {

std::string render_header(const registry::LoadedRegistry& registry);

}  // namespace flags::flagc
