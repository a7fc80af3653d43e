// Reads both flags of this project's registry; with no runtime started, each serves its default.
#include <iostream>

#include <flags/flags.hpp>

int main() {
    const flags::Context ctx{.user = "u-42"};
    std::cout << std::boolalpha
              << "release.one-click-refund: " << flags::enabled<flags::Flag::release_one_click_refund>(ctx) << '\n'
              << "experiment.search-ranking: " << flags::detail<flags::Flag::experiment_search_ranking>(ctx).variant
              << '\n';
}
