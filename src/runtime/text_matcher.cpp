#include "text_matcher.hpp"

#include <algorithm>
#include <deque>
#include <string>

#include "same_bytes.hpp"

namespace flags::internal {

TextMatcher::TextMatcher(Mode mode, std::vector<std::string_view> needles)
    : mode_(mode), needles_(std::move(needles)) {}

void TextMatcher::build() {
    if (!uses_automaton() || !fail_.empty()) return;
    std::size_t bytes = 0;
    for (auto needle : needles_) bytes += needle.size();
    if (mode_ == Mode::suffix) {
        // A suffix is a prefix of the reversed text: one trie serves both, walked from either end.
        std::vector<std::string> reversed;
        reversed.reserve(needles_.size());
        for (auto needle : needles_) reversed.emplace_back(needle.rbegin(), needle.rend());
        build_trie(std::vector<std::string_view>(reversed.begin(), reversed.end()), bytes);
    } else {
        build_trie(needles_, bytes);
    }
    if (mode_ == Mode::substring) link_failures();
}

// Built breadth-first from the sorted needles: the needles under a node are a run of the sorted list,
// and its children split that run by the next byte. Every node's edges are so appended together, in
// byte order, and each node comes after its parent. Only the runs of nodes not yet expanded are kept,
// and the arrays are sized once for the most nodes the needles can make, so building never holds
// more than the finished trie and one level of it.
void TextMatcher::build_trie(std::vector<std::string_view> keys, std::size_t key_bytes) {
    std::sort(keys.begin(), keys.end());
    keys.erase(std::unique(keys.begin(), keys.end()), keys.end());
    first_edge_.reserve(key_bytes + 2);
    fail_.reserve(key_bytes + 1);
    edge_byte_.reserve(key_bytes);
    edge_target_.reserve(key_bytes);
    struct Run {
        std::uint32_t begin, end, depth;  // keys[begin, end) share their first `depth` bytes
    };
    std::deque<Run> pending{{0, static_cast<std::uint32_t>(keys.size()), 0}};
    std::uint32_t nodes = 1;
    while (!pending.empty()) {
        auto [begin, end, depth] = pending.front();
        pending.pop_front();
        first_edge_.push_back(static_cast<std::uint32_t>(edge_byte_.size()));
        std::uint32_t state = 0;
        if (begin < end && keys[begin].size() == depth) {  // sorted, so the needle that ends here is first
            state = accepts_bit;
            ++begin;
        }
        fail_.push_back(state);
        while (begin < end) {
            const auto byte = static_cast<unsigned char>(keys[begin][depth]);
            std::uint32_t same = begin;
            while (same < end && static_cast<unsigned char>(keys[same][depth]) == byte) ++same;
            edge_byte_.push_back(byte);
            edge_target_.push_back(nodes++);
            pending.push_back(Run{begin, same, depth + 1});
            begin = same;
        }
    }
    first_edge_.push_back(static_cast<std::uint32_t>(edge_byte_.size()));
}

// Aho-Corasick failure links. Breadth-first order means a node's parent, and the shallower node its
// link points to, are complete before the node itself.
void TextMatcher::link_failures() {
    const auto count = static_cast<std::uint32_t>(fail_.size());
    for (std::uint32_t parent = 0; parent < count; ++parent) {
        for (std::uint32_t e = first_edge_[parent]; e < first_edge_[parent + 1]; ++e) {
            const auto byte = edge_byte_[e];
            const auto node = edge_target_[e];
            std::uint32_t link = 0;
            if (parent != 0) {
                std::uint32_t fallback = fail(parent);
                while ((link = child(fallback, byte)) == none && fallback != 0) fallback = fail(fallback);
                if (link == none) link = 0;
            }
            fail_[node] = link | (fail_[node] & accepts_bit) | (fail_[link] & accepts_bit);
        }
    }
}

std::uint32_t TextMatcher::child(std::uint32_t node, unsigned char byte) const noexcept {
    const std::uint32_t only = first_edge_[node];
    if (first_edge_[node + 1] == only + 1)  // past where needles part, most nodes have one edge
        return edge_byte_[only] == byte ? edge_target_[only] : none;
    const auto first = edge_byte_.begin() + first_edge_[node];
    const auto last = edge_byte_.begin() + first_edge_[node + 1];
    const auto found = std::lower_bound(first, last, byte);
    return found != last && *found == byte ? edge_target_[static_cast<std::size_t>(found - edge_byte_.begin())] : none;
}

bool TextMatcher::matches(std::string_view text) const noexcept {
    if (fail_.empty()) return matches_linear(text);
    return mode_ == Mode::substring ? matches_anywhere(text) : matches_anchored(text);
}

bool TextMatcher::matches_linear(std::string_view text) const noexcept {
    for (auto needle : needles_) {
        switch (mode_) {
        case Mode::prefix:
            if (text.size() >= needle.size() && same_bytes(text.data(), needle.data(), needle.size())) return true;
            break;
        case Mode::suffix:
            if (text.size() >= needle.size() &&
                same_bytes(text.data() + text.size() - needle.size(), needle.data(), needle.size()))
                return true;
            break;
        case Mode::substring:
            if (text.find(needle) != std::string_view::npos) return true;
            break;
        }
    }
    return false;
}

// Walks the trie from the text's first byte (prefix) or its last (suffix) until a needle ends or no
// edge leads on: at most one step per byte.
bool TextMatcher::matches_anchored(std::string_view text) const noexcept {
    std::uint32_t node = 0;
    const auto* p = reinterpret_cast<const unsigned char*>(text.data());
    const std::size_t n = text.size();
    const bool forward = mode_ == Mode::prefix;
    for (std::size_t i = 0; i < n; ++i) {
        if (accepts(node)) return true;
        node = child(node, forward ? p[i] : p[n - 1 - i]);
        if (node == none) return false;
    }
    return accepts(node);
}

// Each byte moves one edge forward after falling back along failure links, and each fallback makes
// the matched depth shorter, so a text of n bytes takes at most 2n steps.
bool TextMatcher::matches_anywhere(std::string_view text) const noexcept {
    std::uint32_t node = 0;
    if (accepts(node)) return true;
    for (char c : text) {
        const auto byte = static_cast<unsigned char>(c);
        std::uint32_t next;
        while ((next = child(node, byte)) == none && node != 0) node = fail(node);
        node = next == none ? 0 : next;
        if (accepts(node)) return true;
    }
    return false;
}

}  // namespace flags::internal
