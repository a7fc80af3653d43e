// The `starts_with`, `ends_with` and `contains` operators: does a text start with, end with or contain
// any of a list of needles. A long list is compiled into a trie (prefixes; suffixes, with the needles
// reversed) or an Aho-Corasick automaton (substrings), so that a test reads each byte of the text a
// bounded number of times, however many needles there are: a file with 100,000 needles costs what a
// file with one does. A short list is compared needle by needle, which is faster there.
//
// The automaton is built by build(), once the whole file has been accepted: a file refused for any
// reason never pays for it. It takes 13 bytes per trie node, at most one node per needle byte.
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

namespace flags::internal {

class TextMatcher {
public:
    enum class Mode : std::uint8_t { prefix, suffix, substring };

    // Up to this many needles, a test compares each; beyond, it walks the automaton.
    static constexpr std::size_t linear_limit = 8;

    // The needles must outlive the matcher (the snapshot's interned strings).
    TextMatcher(Mode mode, std::vector<std::string_view> needles);

    // Builds the automaton of a long list; does nothing for a short one, or a second time.
    void build();

    bool matches(std::string_view text) const noexcept;

    // The test walks an automaton, at a cost set by the text's length alone.
    bool uses_automaton() const noexcept { return needles_.size() > linear_limit; }

private:
    static constexpr std::uint32_t none = 0xffffffffu;
    static constexpr std::uint32_t accepts_bit = 0x80000000u;

    void build_trie(std::vector<std::string_view> keys, std::size_t key_bytes);
    void link_failures();
    std::uint32_t child(std::uint32_t node, unsigned char byte) const noexcept;
    bool accepts(std::uint32_t node) const noexcept { return (fail_[node] & accepts_bit) != 0; }
    std::uint32_t fail(std::uint32_t node) const noexcept { return fail_[node] & ~accepts_bit; }
    bool matches_linear(std::string_view text) const noexcept;
    bool matches_anchored(std::string_view text) const noexcept;
    bool matches_anywhere(std::string_view text) const noexcept;

    Mode mode_;
    std::vector<std::string_view> needles_;
    // The trie, nodes numbered breadth-first (a node's parent and fail target come before it). Node
    // i's edges are [first_edge_[i], first_edge_[i + 1]), sorted by byte; fail_ holds its failure link
    // (substring mode) and, in the top bit, whether a needle ends there or along its failure chain.
    std::vector<std::uint32_t> first_edge_;
    std::vector<std::uint32_t> fail_;
    std::vector<unsigned char> edge_byte_;
    std::vector<std::uint32_t> edge_target_;
};

}  // namespace flags::internal
