// The working memory of one evaluation (evaluator.cpp).
#pragma once

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>

#include <flags/context.hpp>

#include "same_bytes.hpp"
#include "semver.hpp"
#include "snapshot.hpp"

namespace flags::internal {

// What one evaluation has learnt so far, on the evaluating thread's stack: the segments it has
// tested and their results, so that a segment that a flag's rules use more than once is tested once
// (the load marks which: plan_remembering; a segment a flag and its prerequisite each use once is
// tested by each); and the attributes it has found in the context, and the versions it has read
// from them, so that an attribute is looked up by name, and a version parsed, once however many
// conditions read it. Nothing in it is read before it is written: it costs nothing to set up.
class EvaluationScratch {
public:
    template <class Test>
    bool remembered(std::uint32_t segment, Test&& test) noexcept {
        if (segment >= memoised_segments) return test();
        const std::uint64_t bit = std::uint64_t{1} << (segment % 64);
        auto& known = segments_known_[segment / 64];
        auto& result = segment_results_[segment / 64];
        if (!(known & bit)) {
            known |= bit;
            if (test()) result |= bit;
        }
        return (result & bit) != 0;
    }

    std::optional<std::string_view> value_of(const Subject& subject, const Context& ctx) noexcept {
        if (subject.kind != Subject::Kind::attribute) [[unlikely]]
            return subject.value_in(ctx);
        if (subject.number >= remembered_attributes) return look_up(subject, ctx);
        const std::uint64_t bit = std::uint64_t{1} << subject.number;
        if (!(attributes_known_ & bit)) return find(subject, ctx);
        if (!(attributes_present_ & bit)) return std::nullopt;
        return std::string_view(values_[subject.number].data, values_[subject.number].size);
    }

    // The version in `value`, the value of `subject`'s attribute, or nullptr when it is no version.
    // It lives in this scratch, as long as the evaluation, and is parsed where it is kept.
    const SemVer* version_of(const Subject& subject, std::string_view value) noexcept {
        if (subject.kind != Subject::Kind::attribute || subject.number >= remembered_versions)
            return parse_semver_into(value, unremembered_.version) ? &unremembered_.version : nullptr;
        const std::uint32_t bit = std::uint32_t{1} << subject.number;
        SemVer& kept = versions_[subject.number].version;
        if (!(versions_known_ & bit)) {
            versions_known_ |= bit;
            if (parse_semver_into(value, kept)) versions_valid_ |= bit;
        }
        return (versions_valid_ & bit) ? &kept : nullptr;
    }

private:
    static constexpr std::uint16_t remembered_versions = 32;

    // An attribute the flag reads once: found at its use, and not kept.
    static std::optional<std::string_view> look_up(const Subject& subject, const Context& ctx) noexcept {
        const Attribute* attribute = find_attribute(ctx.attributes, subject.attribute.data(), subject.attribute.size());
        if (!attribute) return std::nullopt;
        return attribute->value;
    }

    // The first look for a numbered attribute: the rest are a test of a bit.
    std::optional<std::string_view> find(const Subject& subject, const Context& ctx) noexcept {
        const std::uint64_t bit = std::uint64_t{1} << subject.number;
        attributes_known_ |= bit;
        const Attribute* attribute = find_attribute(ctx.attributes, subject.attribute.data(), subject.attribute.size());
        if (!attribute) return std::nullopt;
        attributes_present_ |= bit;
        values_[subject.number] = Text{attribute->value.data(), attribute->value.size()};
        return attribute->value;
    }

    // The scan of the context, out of line and a leaf, which saves no registers to run: names are
    // few and short, and most of its cost would otherwise be its entry and exit.
    [[gnu::noinline]] static const Attribute* find_attribute(const Attributes& attributes, const char* name,
                                                             std::size_t size) noexcept {
        // The first eight are one array: walked by pointer, without at()'s test of where each lives.
        const std::size_t count = attributes.size();
        const Attribute* first = &attributes.at(0);
        for (const Attribute *a = first, *end = first + std::min(count, Attributes::inline_capacity); a != end; ++a)
            if (a->name.size() == size && same_bytes(a->name.data(), name, size)) return a;
        for (std::size_t i = Attributes::inline_capacity; i < count; ++i) {
            const Attribute& attribute = attributes.at(i);
            if (attribute.name.size() == size && same_bytes(attribute.name.data(), name, size)) return &attribute;
        }
        return nullptr;
    }

    struct Text {  // a string_view without its initialisation
        const char* data;
        std::size_t size;
    };
    union Version {  // a SemVer without its initialisation
        Version() noexcept {}
        SemVer version;
    };

    std::array<std::uint64_t, memoised_segments / 64> segments_known_{}, segment_results_{};
    std::uint64_t attributes_known_ = 0, attributes_present_ = 0;
    std::uint32_t versions_known_ = 0, versions_valid_ = 0;
    Text values_[remembered_attributes];
    Version versions_[remembered_versions];
    Version unremembered_;  // the version of an attribute read once, or past remembered_versions, for one condition
};

}  // namespace flags::internal
