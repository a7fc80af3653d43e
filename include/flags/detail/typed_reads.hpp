// Internal: part of the inline read path, not of flagstone's API. Nothing here is promised to stay
// from one release to the next; include <flags/read.hpp> or <flags/flags.hpp> instead.
//
// enabled<>, variant<> and detail<> written once, over any source of values, and the compile-time
// lookups they need: a flag's index, its position by name, and its typed value.
#pragma once

#include <concepts>
#include <cstddef>
#include <string_view>
#include <type_traits>

#include <flags/context.hpp>
#include <flags/evaluation.hpp>
#include <flags/flag_name.hpp>
#include <flags/registry.hpp>

namespace flags {
namespace internal {

template <Flag F>
inline constexpr std::size_t index_of = static_cast<std::size_t>(F);

// The position of the flag called `name` in generated::flags, or its size when there is none. flagc
// writes the flags sorted by name, so this takes log2(N) comparisons of the compiler's time where a
// scan took N: each by-name read of a 10,000-flag registry cost a scan of 10,000 names.
consteval std::size_t position_of(std::string_view name) {
    std::size_t low = 0, high = std::size(generated::flags);
    while (low < high) {
        const std::size_t middle = low + (high - low) / 2;
        if (generated::flags[middle].name < name)
            low = middle + 1;
        else
            high = middle;
    }
    return low < std::size(generated::flags) && generated::flags[low].name == name ? low : std::size(generated::flags);
}

template <FlagName Name>
consteval Flag flag_named() {
    constexpr std::size_t index = position_of(Name.view());
    static_assert(index < std::size(generated::flags), "unknown flag name: no flag of this name is declared in the registry");
    return static_cast<Flag>(index);
}

template <class T>
constexpr T typed_value(ValueIndex value) noexcept {
    if constexpr (std::is_same_v<T, bool>)
        return value != 0;
    else
        return static_cast<T>(value);
}

template <Flag F>
Detail<flag_value_t<F>> make_detail(const Evaluation& e) noexcept {
    const auto& info = generated::flags[index_of<F>];
    return Detail<flag_value_t<F>>{.value = typed_value<flag_value_t<F>>(e.value),
                                   .variant = info.value_name(e.value),
                                   .reason = e.reason,
                                   .error = e.error,
                                   .rule_index = e.rule_index,
                                   .bucket = e.bucket,
                                   .generation = e.generation,
                                   .content_hash = e.content_hash};
}

// How the typed reads reach a source's value_index<I>() and evaluation(), which a public source
// (Runtime, PinnedView) keeps private by befriending this: flag positions are not part of the API.
// The trailing return types make a source without them fail ReadSource, not an instantiation.
struct ReadSourceAccess {
    template <std::size_t I, class Source>
    [[gnu::always_inline]] static auto value_index(const Source& source, const Context& ctx) noexcept(
        noexcept(source.template value_index<I>(ctx))) -> decltype(source.template value_index<I>(ctx)) {
        return source.template value_index<I>(ctx);
    }
    template <class Source>
    static auto evaluation(const Source& source, std::size_t flag, const Context& ctx) noexcept(
        noexcept(source.evaluation(flag, ctx))) -> decltype(source.evaluation(flag, ctx)) {
        return source.evaluation(flag, ctx);
    }
};

// What a source of values gives the typed reads: the value of flag I for a context, the fast way
// (a published word where there is one), and the whole evaluation of a flag, for detail<>.
template <class Source>
concept ReadSource = requires(const Source& source, std::size_t flag, const Context& ctx) {
    { ReadSourceAccess::value_index<0>(source, ctx) } noexcept -> std::same_as<ValueIndex>;
    { ReadSourceAccess::evaluation(source, flag, ctx) } noexcept -> std::same_as<Evaluation>;
};

// The typed reads, written once for every ReadSource (the default runtime, a Runtime, a PinnedView),
// which derives from TypedReads<itself>; the concept is checked where a read is compiled, since a
// class is incomplete while its bases are.
// Every layer from enabled<> down to the word is always inlined: a settled read is one load, and a
// call at any layer would cost more than the read (GCC stops inlining once the observed branches
// make value_index large enough).
template <class Source>
class TypedReads {
public:
    template <Flag F>
    [[nodiscard, gnu::always_inline]] bool enabled(const Context& ctx) const noexcept {
        static_assert(std::is_same_v<flag_value_t<F>, bool>,
                      "flags::enabled<> takes a boolean flag; read a multivariate flag with flags::variant<>");
        return ReadSourceAccess::value_index<index_of<F>>(source(), ctx) != 0;
    }
    template <FlagName Name>
    [[nodiscard, gnu::always_inline]] bool enabled(const Context& ctx) const noexcept {
        return enabled<flag_named<Name>()>(ctx);
    }

    template <Flag F>
    [[nodiscard, gnu::always_inline]] flag_value_t<F> variant(const Context& ctx) const noexcept {
        static_assert(!std::is_same_v<flag_value_t<F>, bool>,
                      "flags::variant<> takes a multivariate flag; read a boolean flag with flags::enabled<>");
        return typed_value<flag_value_t<F>>(ReadSourceAccess::value_index<index_of<F>>(source(), ctx));
    }
    template <FlagName Name>
    [[nodiscard, gnu::always_inline]] auto variant(const Context& ctx) const noexcept {
        return variant<flag_named<Name>()>(ctx);
    }

    template <Flag F>
    [[nodiscard]] Detail<flag_value_t<F>> detail(const Context& ctx) const noexcept {
        return make_detail<F>(ReadSourceAccess::evaluation(source(), index_of<F>, ctx));
    }
    template <FlagName Name>
    [[nodiscard]] auto detail(const Context& ctx) const noexcept {
        return detail<flag_named<Name>()>(ctx);
    }

private:
    // Checked here, where Source is complete, not as a constraint of the class: a base is
    // instantiated before its derived class is complete.
    const Source& source() const noexcept {
        static_assert(ReadSource<Source>, "a source of typed reads provides value_index<I>(ctx) and evaluation(flag, ctx)");
        return static_cast<const Source&>(*this);
    }
};

}  // namespace internal
}  // namespace flags
