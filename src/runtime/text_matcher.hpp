// The `starts_with`, `ends_with` and `contains` operators: does a text start with, end with or contain
// any of a list of needles. A long list is compiled at load time into a trie (prefixes; suffixes, with
// the needles reversed) or an Aho-Corasick automaton (substrings), so that a test reads each byte of
// the text a bounded number of times, however many needles there are: a file with 100,000 needles
// costs what a file with one does. A short list is compared needle by needle, which is faster there.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace flags::internal {

class TextMatcher {
public:
    enum class Mode : std::uint8_t { prefix, suffix, substring };

    // Up to this many needles, a test compares each; beyond, it walks the automaton.
    static constexpr std::size_t linear_limit = 8;

    TextMatcher(Mode mode, const std::vector<std::string_view>& needles);

    bool matches(std::string_view text) const noexcept;

    // The test walks an automaton, at a cost set by the text's length alone.
    bool uses_automaton() const noexcept { return !nodes_.empty(); }

private:
    static constexpr std::uint32_t none = 0xffffffffu;

    struct Node {
        std::uint32_t edges_begin = 0;
        std::uint32_t edges_count = 0;
        std::uint32_t fail = 0;  // substring mode: the longest proper suffix that is also a trie node
        bool accepts = false;    // a needle ends here (substring mode: or at a node of the fail chain)
    };
    struct Edge {
        unsigned char byte = 0;
        std::uint32_t target = 0;
    };

    void build_trie(std::vector<std::string_view> keys);
    void link_failures();
    std::uint32_t child(std::uint32_t node, unsigned char byte) const noexcept;
    bool matches_linear(std::string_view text) const noexcept;
    bool matches_anchored(std::string_view text) const noexcept;
    bool matches_anywhere(std::string_view text) const noexcept;

    Mode mode_;
    std::vector<std::string_view> few_;  // the needles, when there are at most linear_limit
    std::vector<Node> nodes_;            // breadth-first: a node's parent and fail target come before it
    std::vector<Edge> edges_;            // each node's edges together, sorted by byte
};

}  // namespace flags::internal
