// A minimal service for the end-to-end deploy test: it serves the example flags from a runtime file
// and prints a line whenever what it serves changes, until its standard input closes.
#include <cstdio>
#include <iostream>
#include <mutex>
#include <string>

#include <flags/flags.hpp>

int main(int argc, char** argv) {
    if (argc != 2) {
        std::fprintf(stderr, "usage: e2e-service RUNTIME_FILE\n");
        return 2;
    }
    std::mutex out;
    const auto print = [&](std::uint64_t generation) {
        const auto view = flags::pin();
        const auto color = flags::generated::flags[static_cast<std::size_t>(flags::Flag::experiment_button_color)]
                               .value_name(static_cast<flags::ValueIndex>(view.variant<flags::Flag::experiment_button_color>({})));
        std::lock_guard lock(out);
        std::cout << "serving generation=" << generation << " color=" << color << std::endl;
    };
    flags::on_change(print);
    const auto report = flags::start(argv[1], {.quiet_period = std::chrono::milliseconds(25),
                                               .log = [](std::string_view line) { std::cerr << line << std::endl; }});
    if (!report.started) return 1;
    {
        std::lock_guard lock(out);
        std::cout << "ready" << std::endl;
    }
    std::string ignored;
    while (std::getline(std::cin, ignored)) {
    }
    flags::stop();
    return 0;
}
