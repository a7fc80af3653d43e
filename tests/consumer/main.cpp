// Reads both flags of this project's registry; with no runtime started, each serves its default.
#include <iostream>

#include <flags/flags.hpp>

namespace {

const char* name(flags::variants::SearchRanking ranking) {
    switch (ranking) {
    case flags::variants::SearchRanking::classic: return "classic";
    case flags::variants::SearchRanking::semantic: return "semantic";
    case flags::variants::SearchRanking::hybrid: return "hybrid";
    }
    return "?";
}

}  // namespace

int main() {
    const flags::Context ctx{.user = "u-42"};
    std::cout << std::boolalpha
              << "release.one-click-refund: " << flags::enabled<flags::Flag::release_one_click_refund>(ctx) << '\n'
              << "experiment.search-ranking: " << name(flags::variant<flags::Flag::experiment_search_ranking>(ctx))
              << '\n';
}
