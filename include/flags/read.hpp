// Reading flags: all a file that checks flags needs, and nothing that starts or configures a runtime,
// so that including it costs little more than the standard headers it uses.
//
//   flags::Context ctx{.user = "u-123", .tenant = "acme", .attributes = {{"plan", "growth"}}};
//   if (flags::enabled<Flag::release_new_checkout>(ctx)) { ... }
//   switch (flags::variant<Flag::experiment_button_color>(ctx)) { case flags::variants::ButtonColor::blue: ... }
//   auto d = flags::detail<Flag::release_new_checkout>(ctx);  // value, variant, reason, rule, generation
//   auto view = flags::pin();                                 // one snapshot for a whole request
//   flags::enabled<"release.new-checkout">(ctx);              // by name, still checked at compile time
//
// This header includes <flags/registry.hpp>, which flagc generates in your build from your registry
// (see docs/integration.md). An unregistered flag is not a name in `enum class Flag`, so a typo or a
// deleted flag does not compile. Starting the runtime (flags::start, flags::Runtime) is
// <flags/runtime.hpp>; <flags/flags.hpp> includes both.
//
// Until flags::start() loads a runtime file, every flag reads its registry default with reason
// DEFAULT. That is what "no runtime" means, permanently, not a placeholder.
//
// Every read is noexcept, takes no lock and allocates nothing. A flag whose value does not depend on
// the context costs one atomic load; any other is evaluated against the current snapshot.
#pragma once

#include <cstddef>
#include <cstdint>
#include <utility>

#include <flags/context.hpp>
#include <flags/detail/snapshot_ref.hpp>
#include <flags/detail/typed_reads.hpp>
#include <flags/detail/word_reads.hpp>
#include <flags/evaluation.hpp>
#include <flags/flag_name.hpp>
#include <flags/registry.hpp>

namespace flags {

class Runtime;

// One snapshot for a whole request: every read through a view sees the same generation, even while
// newer ones are published. Cheap to copy; the snapshot lives as long as any copy of the view.
// Made by flags::pin() or Runtime::pin().
class PinnedView : public internal::TypedReads<PinnedView> {
public:
    std::uint64_t generation() const noexcept { return snapshot_.generation(); }

    // Any flag, chosen at run time, for code that walks generated::flags (a dashboard, a report);
    // a flag known where it is read is read with enabled<>, variant<> or detail<>.
    Evaluation evaluate(Flag flag, const Context& ctx) const noexcept {
        return snapshot_.evaluate(static_cast<std::size_t>(flag), ctx);
    }

private:
    friend struct internal::ReadSourceAccess;
    friend class Runtime;
    friend PinnedView pin() noexcept;

    explicit PinnedView(internal::SnapshotRef snapshot) noexcept : snapshot_(std::move(snapshot)) {}

    template <std::size_t I>
    ValueIndex value_index(const Context& ctx) const noexcept {
        return snapshot_.evaluate(I, ctx).value;
    }
    Evaluation evaluation(std::size_t flag, const Context& ctx) const noexcept { return snapshot_.evaluate(flag, ctx); }

    internal::SnapshotRef snapshot_;
};

template <Flag F>
[[nodiscard, gnu::always_inline]] inline bool enabled(const Context& ctx) noexcept {
    return internal::default_reads.enabled<F>(ctx);
}
template <FlagName Name>
[[nodiscard, gnu::always_inline]] inline bool enabled(const Context& ctx) noexcept {
    return internal::default_reads.enabled<Name>(ctx);
}

template <Flag F>
[[nodiscard, gnu::always_inline]] inline flag_value_t<F> variant(const Context& ctx) noexcept {
    return internal::default_reads.variant<F>(ctx);
}
template <FlagName Name>
[[nodiscard, gnu::always_inline]] inline auto variant(const Context& ctx) noexcept {
    return internal::default_reads.variant<Name>(ctx);
}

template <Flag F>
[[nodiscard]] Detail<flag_value_t<F>> detail(const Context& ctx) noexcept {
    return internal::default_reads.detail<F>(ctx);
}
template <FlagName Name>
[[nodiscard]] auto detail(const Context& ctx) noexcept {
    return internal::default_reads.detail<Name>(ctx);
}

[[nodiscard]] inline PinnedView pin() noexcept { return PinnedView(internal::pin_default(generated::registry)); }

}  // namespace flags
