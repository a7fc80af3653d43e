// Where C++ sources read each flag, so that `flagctl debt` can list the lines a cleanup touches and
// the flags no code reads any more.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include <flags/registry_types.hpp>

namespace flagctl {

struct CallSite {
    std::string file{};  // as found under the root given, e.g. "src/checkout.cpp"
    int line = 0;
    std::string text{};  // the line, trimmed
};

// The C++ files (.cpp, .cc, .cxx, .h, .hpp, .hh, .hxx, .ipp, .inl, .tpp) under `roots`, searched for
// `Flag::<identifier>` and for the flag's name in double quotes (flags::enabled<"release.x">,
// by-name lookups). Hidden directories (.git) are skipped. One element per registry flag, in registry
// order; a line that names a flag twice counts once. Files come in path order, lines in file order.
std::vector<std::vector<CallSite>> find_call_sites(const std::vector<std::filesystem::path>& roots,
                                                   const flags::RegistryView& registry);

}  // namespace flagctl
