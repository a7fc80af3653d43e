// The library's engine as flagctl uses it: the registry read at run time, and a RuntimeCore over
// it. flagctl validates no file and decides no value itself; every verdict and every value comes
// from here, so the CLI and a service can never disagree.
#pragma once

#include <filesystem>
#include <memory>
#include <string_view>

#include <flags/detail/runtime_core.hpp>

#include "options.hpp"
#include "runtime/compiled_source.hpp"
#include "registry/registry_loader.hpp"

namespace flagctl {

// The registry named by --registry. Its errors end the command (Failure). Expiry is not checked:
// an expired flag must not stop an operator from looking at it; `lint` and `debt` report it.
flags::registry::LoadedRegistry load_registry(const Common& common);

// The index of the flag called `name`, or a Failure that says how to find the right name.
std::size_t find_flag(const flags::RegistryView& registry, std::string_view name, std::string_view command);

// How flagctl's runtimes read files: as a service would, except for the ownership and permission
// checks. Those judge a file against the user of the service that reads it, which flagctl, run by an
// operator or CI, is not; flagctl judges what a file says.
flags::RuntimeOptions reading_options();

struct Runtime {
    std::unique_ptr<flags::internal::RuntimeCore> core;
    flags::LoadReport report;  // what the first load said: errors, and warnings such as unknown flags
    // What that load read, described for showing (where each entry is written, its shape, its rules'
    // text), from the same reading the engine judged and evaluates.
    std::unique_ptr<flags::internal::SourceMap> described;
};

// A runtime that has loaded `base` (a file or a directory of *.toml) and the optional override file
// once, without watching, and logs nothing.
Runtime load_runtime(const flags::RegistryView& registry, const std::filesystem::path& base,
                     const std::filesystem::path& override_file = {});

// The same, for commands that need a good file: refused files end the command (Failure); warnings
// are printed on standard error unless the output is JSON.
Runtime require_runtime(const Common& common, const flags::RegistryView& registry, const std::filesystem::path& base,
                        const std::filesystem::path& override_file = {});

// One file's text described as Runtime::described describes files, e.g. an old version from git,
// which may not be valid any more.
flags::internal::SourceMap describe_text(const flags::RegistryView& registry, std::string text, std::string display);

}  // namespace flagctl
