#include "text_matcher.hpp"

#include <algorithm>

namespace flags::internal {

TextMatcher::TextMatcher(Mode mode, const std::vector<std::string_view>& needles) : mode_(mode) {
    if (needles.size() <= linear_limit) {
        few_ = needles;
        return;
    }
    if (mode == Mode::suffix) {
        // A suffix is a prefix of the reversed text: one trie serves both, walked from either end.
        std::vector<std::string> reversed;
        reversed.reserve(needles.size());
        for (auto needle : needles) reversed.emplace_back(needle.rbegin(), needle.rend());
        build_trie(std::vector<std::string_view>(reversed.begin(), reversed.end()));
    } else {
        build_trie(needles);
    }
    if (mode == Mode::substring) link_failures();
}

// Built breadth-first from the sorted needles: the needles under a node are a run of the sorted list,
// and its children split that run by the next byte. Every node's edges are so appended together, in
// byte order, and each node comes after its parent.
void TextMatcher::build_trie(std::vector<std::string_view> keys) {
    std::sort(keys.begin(), keys.end());
    keys.erase(std::unique(keys.begin(), keys.end()), keys.end());
    struct Run {
        std::uint32_t begin, end, depth;  // keys[begin, end) share their first `depth` bytes
    };
    std::vector<Run> runs{{0, static_cast<std::uint32_t>(keys.size()), 0}};  // runs[i] is node i
    for (std::size_t i = 0; i < runs.size(); ++i) {
        auto [begin, end, depth] = runs[i];
        Node node{.edges_begin = static_cast<std::uint32_t>(edges_.size())};
        if (begin < end && keys[begin].size() == depth) {  // sorted, so the needle that ends here is first
            node.accepts = true;
            ++begin;
        }
        while (begin < end) {
            const auto byte = static_cast<unsigned char>(keys[begin][depth]);
            std::uint32_t same = begin;
            while (same < end && static_cast<unsigned char>(keys[same][depth]) == byte) ++same;
            edges_.push_back(Edge{.byte = byte, .target = static_cast<std::uint32_t>(runs.size())});
            runs.push_back(Run{begin, same, depth + 1});
            begin = same;
        }
        node.edges_count = static_cast<std::uint32_t>(edges_.size()) - node.edges_begin;
        nodes_.push_back(node);
    }
    nodes_.shrink_to_fit();
    edges_.shrink_to_fit();
}

// Aho-Corasick failure links. Breadth-first order means a node's parent, and the shallower node its
// link points to, are complete before the node itself.
void TextMatcher::link_failures() {
    for (std::uint32_t parent = 0; parent < nodes_.size(); ++parent) {
        const Node& from = nodes_[parent];
        for (std::uint32_t e = from.edges_begin; e < from.edges_begin + from.edges_count; ++e) {
            const auto [byte, node] = edges_[e];
            std::uint32_t link = 0;
            if (parent != 0) {
                std::uint32_t fallback = nodes_[parent].fail;
                while ((link = child(fallback, byte)) == none && fallback != 0) fallback = nodes_[fallback].fail;
                if (link == none) link = 0;
            }
            nodes_[node].fail = link;
            nodes_[node].accepts = nodes_[node].accepts || nodes_[link].accepts;
        }
    }
}

std::uint32_t TextMatcher::child(std::uint32_t node, unsigned char byte) const noexcept {
    const Edge* first = edges_.data() + nodes_[node].edges_begin;
    const Edge* last = first + nodes_[node].edges_count;
    const Edge* found = std::lower_bound(first, last, byte, [](const Edge& e, unsigned char b) { return e.byte < b; });
    return found != last && found->byte == byte ? found->target : none;
}

bool TextMatcher::matches(std::string_view text) const noexcept {
    if (nodes_.empty()) return matches_linear(text);
    return mode_ == Mode::substring ? matches_anywhere(text) : matches_anchored(text);
}

bool TextMatcher::matches_linear(std::string_view text) const noexcept {
    for (auto needle : few_) {
        switch (mode_) {
        case Mode::prefix:
            if (text.starts_with(needle)) return true;
            break;
        case Mode::suffix:
            if (text.ends_with(needle)) return true;
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
    const std::size_t n = text.size();
    for (std::size_t i = 0; i < n; ++i) {
        if (nodes_[node].accepts) return true;
        node = child(node, static_cast<unsigned char>(mode_ == Mode::prefix ? text[i] : text[n - 1 - i]));
        if (node == none) return false;
    }
    return nodes_[node].accepts;
}

// Each byte moves one edge forward after falling back along failure links, and each fallback makes
// the matched depth shorter, so a text of n bytes takes at most 2n steps.
bool TextMatcher::matches_anywhere(std::string_view text) const noexcept {
    std::uint32_t node = 0;
    if (nodes_[node].accepts) return true;
    for (char c : text) {
        const auto byte = static_cast<unsigned char>(c);
        std::uint32_t next;
        while ((next = child(node, byte)) == none && node != 0) node = nodes_[node].fail;
        node = next == none ? 0 : next;
        if (nodes_[node].accepts) return true;
    }
    return false;
}

}  // namespace flags::internal
