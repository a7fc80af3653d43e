#include "engine.hpp"

#include <iostream>

#include <fmt/format.h>

#include "output.hpp"
#include "runtime/runtime_loader.hpp"

namespace flagctl {

flags::registry::LoadedRegistry load_registry(const Common& common) {
    auto outcome = flags::registry::load_registry(common.registry);
    if (!outcome.registry || flags::has_errors(outcome.diagnostics)) throw Failure{std::move(outcome.diagnostics)};
    return std::move(*outcome.registry);
}

std::size_t find_flag(const flags::RegistryView& registry, std::string_view name, std::string_view command) {
    const int index = registry.find(name);
    if (index < 0)
        throw failure(command, fmt::format("unknown flag '{}'", name),
                      fmt::format("`flagctl list` shows the flags of {}", registry.source));
    return static_cast<std::size_t>(index);
}

flags::RuntimeOptions reading_options() {
    flags::RuntimeOptions options;
    options.watch = false;
    options.require_secure_permissions = false;
    // The runtime's JSON log lines are for services, not for a command's output.
    options.log = [](std::string_view) {};
    return options;
}

Runtime load_runtime(const flags::RegistryView& registry, const std::filesystem::path& base,
                     const std::filesystem::path& override_file) {
    Runtime runtime{.core = std::make_unique<flags::internal::RuntimeCore>(registry),
                    .report = {},
                    .described = std::make_unique<flags::internal::SourceMap>()};
    runtime.core->set_sources(base, override_file);
    runtime.core->describe_loads_into(runtime.described.get());
    runtime.report = runtime.core->start(reading_options()).load;  // one load: reading_options() does not watch
    runtime.core->describe_loads_into(nullptr);
    return runtime;
}

Runtime require_runtime(const Common& common, const flags::RegistryView& registry, const std::filesystem::path& base,
                        const std::filesystem::path& override_file) {
    auto runtime = load_runtime(registry, base, override_file);
    if (!runtime.report.ok()) throw Failure{runtime.report.diagnostics};
    if (!common.json) print_diagnostics(std::cerr, runtime.report.diagnostics);
    return runtime;
}

flags::internal::SourceMap describe_text(const flags::RegistryView& registry, std::string text, std::string display) {
    flags::internal::SourceMap described;
    std::vector<flags::Diagnostic> ignored;  // a text from history is described as it stands, good or not
    const std::vector<flags::internal::RuntimeSource> sources{{.display = std::move(display), .text = std::move(text)}};
    flags::internal::compile_runtime(registry, sources, ignored, reading_options().limits, &described);
    return described;
}

}  // namespace flagctl
