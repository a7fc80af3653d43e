// Who a flag is evaluated for. A Context only views its strings: build it on the stack from whatever
// the request already holds; it allocates nothing for up to eight attributes.
#pragma once

#include <array>
#include <cstddef>
#include <initializer_list>
#include <optional>
#include <string_view>

#include <flags/detail/growable_array.hpp>

namespace flags {

struct Attribute {
    std::string_view name{};
    std::string_view value{};
};

class Attributes {
public:
    static constexpr std::size_t inline_capacity = 8;

    Attributes() noexcept = default;
    Attributes(std::initializer_list<Attribute> list) {
        for (const auto& a : list) set(a.name, a.value);
    }

    // Adds an attribute, or replaces the value of one with the same name. Allocates only past eight.
    void set(std::string_view name, std::string_view value) {
        for (std::size_t i = 0; i < size(); ++i) {
            if (at(i).name == name) {
                mutable_at(i).value = value;
                return;
            }
        }
        if (inline_size_ < inline_capacity)
            inline_[inline_size_++] = Attribute{name, value};
        else
            overflow_.push_back(Attribute{name, value});
    }

    std::optional<std::string_view> find(std::string_view name) const noexcept {
        for (std::size_t i = 0; i < size(); ++i)
            if (same(at(i).name, name)) return at(i).value;
        return std::nullopt;
    }

    std::size_t size() const noexcept { return inline_size_ + overflow_.size(); }
    const Attribute& at(std::size_t i) const noexcept {
        return i < inline_capacity ? inline_[i] : overflow_[i - inline_capacity];
    }

private:
    // Names mostly differ in length or first letter: test those inline before comparing the bytes.
    static bool same(std::string_view a, std::string_view b) noexcept {
        return a.size() == b.size() && (a.empty() || (a.front() == b.front() && a == b));
    }

    Attribute& mutable_at(std::size_t i) noexcept {
        return i < inline_capacity ? inline_[i] : overflow_[i - inline_capacity];
    }

    std::array<Attribute, inline_capacity> inline_{};
    std::size_t inline_size_ = 0;
    internal::GrowableArray<Attribute> overflow_;  // empty, and so unallocated, for up to eight attributes
};

// An empty user or tenant counts as absent: a flag bucketed by it serves its default (reason ERROR,
// TARGETING_KEY_MISSING) rather than a bucket picked for the empty string.
// Members carry default initializers so that Context{.user = "u-1"} compiles cleanly under -Wextra.
struct Context {
    std::string_view user{};
    std::string_view tenant{};
    Attributes attributes{};
};

}  // namespace flags
