// The call-site API over a started runtime: free functions, flags::Runtime, pin(), testing support.
#define BOOST_TEST_MODULE api
#include <boost/test/unit_test.hpp>

#include <array>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include <flags/boost_test.hpp>
#include <flags/flags.hpp>
#include <flags/testing.hpp>
#include <flags/detail/runtime_access.hpp>

#include "printing.hpp"

namespace {

using flags::Flag;

struct TempDir {
    TempDir() : path(std::filesystem::temp_directory_path() / ("flagstone-api-" + std::to_string(::getpid()))) {
        std::filesystem::create_directories(path);
    }
    ~TempDir() { std::filesystem::remove_all(path); }
    std::filesystem::path write(const std::string& name, const std::string& text) const {
        std::ofstream(path / name) << text;
        return path / name;
    }
    std::filesystem::path path;
};

const std::string runtime_a = R"(schema = 1
[flags."release.new-checkout"]
rollout = 100
[flags."experiment.button-color"]
value = "green"
[flags."permission.early-access"]
value = false
rules = [{ when = [{ attr = "tenant", in = ["acme"] }], value = true }]
)";

const std::string runtime_b = R"(schema = 1
[flags."release.new-checkout"]
value = false
[flags."experiment.button-color"]
value = "red"
)";

// A by-name read finds its flag by binary search over the names flagc sorted: each flag at its own
// position, and a name before, between or after them at none (which does not compile as a read).
consteval bool every_flag_is_found_by_its_name() {
    for (std::size_t i = 0; i < std::size(flags::generated::flags); ++i)
        if (flags::internal::position_of(flags::generated::flags[i].name) != i) return false;
    return true;
}
static_assert(every_flag_is_found_by_its_name());
constexpr auto not_found = std::size(flags::generated::flags);
static_assert(flags::internal::position_of("") == not_found);
static_assert(flags::internal::position_of("a") == not_found);
static_assert(flags::internal::position_of("release.new-checkou") == not_found);
static_assert(flags::internal::position_of("release.new-checkoutt") == not_found);
static_assert(flags::internal::position_of("zzz") == not_found);

// Flag positions and snapshot handles are not part of the API: a Runtime and a PinnedView read
// through enabled<>, variant<>, detail<> and PinnedView::evaluate(Flag), and the typed reads reach
// the positions through a friend.
template <class Source>
concept exposes_positions = requires(const Source& source, const flags::Context& ctx, std::size_t flag) {
    source.template value_index<0>(ctx);
} || requires(const Source& source, const flags::Context& ctx, std::size_t flag) { source.evaluation(flag, ctx); };
static_assert(!exposes_positions<flags::Runtime>);
static_assert(!exposes_positions<flags::PinnedView>);
static_assert(!std::is_constructible_v<flags::PinnedView, flags::internal::SnapshotRef>);
static_assert(flags::internal::ReadSource<flags::Runtime>);
static_assert(flags::internal::ReadSource<flags::PinnedView>);
struct NotASource {};
static_assert(!flags::internal::ReadSource<NotASource>);

}  // namespace

BOOST_AUTO_TEST_SUITE(api)

BOOST_AUTO_TEST_CASE(a_runtime_object_serves_its_own_file) {
    TempDir dir;
    flags::Runtime runtime(dir.write("flags.toml", runtime_a));
    const flags::Context acme{.user = "u-1", .tenant = "acme"};
    BOOST_TEST(runtime.enabled<Flag::release_new_checkout>(acme) == false);  // not loaded yet: defaults

    const auto report = runtime.reload();
    BOOST_TEST(report.ok());
    BOOST_TEST(report.generation == 1u);
    BOOST_TEST(runtime.enabled<Flag::release_new_checkout>(acme) == true);
    BOOST_TEST(runtime.enabled<"permission.early-access">(acme) == true);
    BOOST_TEST(runtime.enabled<Flag::permission_early_access>({.user = "u-1", .tenant = "globex"}) == false);
    BOOST_TEST((runtime.variant<Flag::experiment_button_color>(acme) == flags::variants::ButtonColor::green));

    const auto d = runtime.detail<Flag::permission_early_access>(acme);
    BOOST_TEST(d.value == true);
    BOOST_TEST(d.variant == "true");
    BOOST_TEST(d.reason == flags::Reason::TARGETING_MATCH);
    BOOST_TEST(d.rule_index == 0);
    BOOST_TEST(d.generation == 1u);
    BOOST_TEST(d.content_hash != 0u);

    // The process-wide runtime is a different one and was never started.
    BOOST_TEST(flags::enabled<Flag::release_new_checkout>(acme) == false);
}

BOOST_AUTO_TEST_CASE(a_missing_or_bad_file_is_reported_and_changes_nothing) {
    TempDir dir;
    flags::Runtime missing(dir.path / "absent.toml");
    const auto report = missing.reload();
    BOOST_TEST(!report.ok());
    BOOST_TEST(!report.published);
    BOOST_REQUIRE(report.diagnostics.size() == 1u);
    BOOST_TEST(report.diagnostics[0].message == "the runtime file is missing");

    const auto path = dir.write("flags.toml", runtime_b);
    flags::Runtime runtime(path);
    BOOST_TEST(runtime.reload().ok());
    dir.write("flags.toml", "schema = 1\n[flags.\"release.new-checkout\"]\nrollout = 250\n");
    const auto bad = runtime.reload();
    BOOST_TEST(!bad.ok());
    BOOST_TEST(bad.generation == 1u);
    BOOST_TEST((runtime.variant<Flag::experiment_button_color>({}) == flags::variants::ButtonColor::red));
}

BOOST_AUTO_TEST_CASE(start_loads_the_process_wide_runtime_behind_the_free_functions) {
    TempDir dir;
    const auto path = dir.write("flags.toml", runtime_a);
    const auto report = flags::start(path, {.watch = false});
    BOOST_TEST(report.ok());
    const flags::Context ctx{.user = "u-7"};
    BOOST_TEST(flags::enabled<Flag::release_new_checkout>(ctx) == true);
    BOOST_TEST((flags::variant<"experiment.button-color">(ctx) == flags::variants::ButtonColor::green));
    const auto d = flags::detail<Flag::release_new_checkout>(ctx);
    BOOST_TEST(d.reason == flags::Reason::SPLIT);
    BOOST_TEST(d.bucket >= 0);

    dir.write("flags.toml", runtime_b);
    BOOST_TEST(flags::reload().published);
    BOOST_TEST(flags::enabled<Flag::release_new_checkout>(ctx) == false);
    BOOST_TEST((flags::variant<Flag::experiment_button_color>(ctx) == flags::variants::ButtonColor::red));
}

// The free functions are the process's Runtime: what one starts or reads, the other sees.
BOOST_AUTO_TEST_CASE(the_free_functions_forward_to_the_process_runtime) {
    static_assert(flags::internal::ReadSource<flags::Runtime> && flags::internal::ReadSource<flags::PinnedView>);
    static_assert(!flags::internal::ReadSource<flags::Context>);
    TempDir dir;
    flags::Runtime& process = flags::process_runtime();
    BOOST_TEST(&process == &flags::process_runtime());
    BOOST_TEST(flags::internal::core_of(process).words() == flags::generated::published_words);

    BOOST_TEST(flags::start(dir.write("flags.toml", runtime_b), {.watch = false}).ok());
    const flags::Context ctx{.user = "u-7"};
    BOOST_TEST(process.generation() == flags::status().generation);
    BOOST_TEST(process.enabled<Flag::release_new_checkout>(ctx) == flags::enabled<Flag::release_new_checkout>(ctx));

    dir.write("flags.toml", runtime_a);
    BOOST_TEST(process.reload().published);
    BOOST_TEST(flags::status().generation == process.generation());
    BOOST_TEST(flags::enabled<Flag::release_new_checkout>(ctx) == true);
    BOOST_TEST((flags::variant<Flag::experiment_button_color>(ctx) == process.variant<Flag::experiment_button_color>(ctx)));
    BOOST_TEST(flags::pin().generation() == process.pin().generation());
}

// Past eight, attributes go to a heap array of the Context's own: each is found, replaced in place,
// and kept through copies, moves and assignments, in the order they were set.
BOOST_AUTO_TEST_CASE(attributes_past_the_eighth_are_kept_through_copies_and_moves) {
    std::vector<std::string> names;
    for (int i = 0; i < 40; ++i) names.push_back("attribute-" + std::to_string(i));
    flags::Context ctx;
    for (const auto& name : names) ctx.attributes.set(name, name);
    ctx.attributes.set(names[30], "replaced");
    BOOST_TEST(ctx.attributes.size() == 40u);

    flags::Context copy = ctx;
    ctx.attributes.set(names[39], "changed after the copy");
    BOOST_TEST(*copy.attributes.find(names[39]) == names[39]);
    BOOST_TEST(*copy.attributes.find(names[30]) == "replaced");

    flags::Context moved = std::move(copy);
    BOOST_TEST(moved.attributes.size() == 40u);
    for (std::size_t i = 0; i < names.size(); ++i) BOOST_TEST(moved.attributes.at(i).name == names[i]);

    moved = ctx;
    BOOST_TEST(*moved.attributes.find(names[39]) == "changed after the copy");
    moved = flags::Context{.attributes = {{"plan", "growth"}}};
    BOOST_TEST(moved.attributes.size() == 1u);
    BOOST_TEST(!moved.attributes.find(names[20]).has_value());
    BOOST_TEST(*ctx.attributes.find(names[20]) == names[20]);
}

// A plain rollout by user is answered from the published word; every answer must be the snapshot's
// and the definition's (bucket < rollout * 100). A salted rollout is not in the word, and must agree
// all the same; a context without a user gets the default.
BOOST_AUTO_TEST_CASE(a_rollout_in_the_published_word_agrees_with_the_snapshot) {
    TempDir dir;
    flags::Runtime runtime(dir.write("flags.toml", R"(schema = 1
[flags."release.new-checkout"]
rollout = 37.25
[flags."release.fast-search"]
rollout = 50
salt = "reshuffled"
)"));
    BOOST_REQUIRE(runtime.reload().ok());
    const auto word = flags::internal::core_of(runtime).words()[static_cast<std::size_t>(Flag::release_new_checkout)].load();
    BOOST_REQUIRE(flags::internal::is_user_rollout(word));
    BOOST_TEST(flags::internal::rollout_threshold(word) == 3725u);
    BOOST_TEST(!flags::internal::is_user_rollout(flags::internal::core_of(runtime).words()[static_cast<std::size_t>(Flag::release_fast_search)].load()));

    int on = 0;
    for (int i = 0; i < 2000; ++i) {
        const auto user = "user-" + std::to_string(i);
        const flags::Context ctx{.user = user};
        const bool fast = runtime.enabled<Flag::release_new_checkout>(ctx);
        BOOST_TEST(fast == runtime.detail<Flag::release_new_checkout>(ctx).value);
        BOOST_TEST(fast == (flags::bucket("release.new-checkout", user) < 3725));
        BOOST_TEST(runtime.enabled<Flag::release_fast_search>(ctx) == (flags::bucket("reshuffled", user) < 5000));
        on += fast;
    }
    BOOST_TEST(on > 600);  // about 37 % of 2000
    BOOST_TEST(on < 900);
    BOOST_TEST(runtime.enabled<Flag::release_new_checkout>({.tenant = "acme"}) == false);
    BOOST_TEST(runtime.detail<Flag::release_new_checkout>({.tenant = "acme"}).reason == flags::Reason::ERROR);
}

// A plain split by user is answered from the published word and the split plan it names, as a
// rollout is: every answer must be the evaluator's and the definition's (the variant whose range of
// buckets, in registry order, holds the user's bucket). A variant of weight 0 serves no one; the
// same split in a later generation names the same plan; a salted split, or one behind a rule, is
// not in the word and must agree all the same; a context without a user gets the default.
BOOST_AUTO_TEST_CASE(a_split_in_the_published_word_agrees_with_the_evaluator) {
    using flags::variants::ButtonColor;
    constexpr auto button = static_cast<std::size_t>(Flag::experiment_button_color);
    const auto word = [&] { return flags::generated::published_words[button].load(); };
    const auto expected = [](std::string_view salt, std::string_view user, unsigned blue_end, unsigned green_end) {
        const auto b = flags::bucket(salt, user);
        return b < blue_end ? ButtonColor::blue : b < green_end ? ButtonColor::green : ButtonColor::red;
    };
    // Every variant and every step boundary, for many users.
    const auto agrees = [&](std::string_view salt, unsigned blue_end, unsigned green_end) {
        std::array<int, 3> served{};
        for (int i = 0; i < 3000; ++i) {
            const auto user = "user-" + std::to_string(i);
            const flags::Context ctx{.user = user};
            const auto fast = flags::variant<Flag::experiment_button_color>(ctx);
            const auto d = flags::detail<Flag::experiment_button_color>(ctx);
            BOOST_TEST((fast == d.value));
            BOOST_TEST(d.reason == flags::Reason::SPLIT);
            BOOST_TEST((fast == expected(salt, user, blue_end, green_end)));
            ++served[static_cast<std::size_t>(fast)];
        }
        return served;
    };
    TempDir dir;
    const auto path = dir.write("flags.toml", "schema = 1\n[flags.\"experiment.button-color\"]\n"
                                              "split = { red = 25, blue = 50, green = 25 }\n");
    BOOST_REQUIRE(flags::start(path, {.watch = false}).ok());
    BOOST_REQUIRE(flags::internal::is_user_split(word()));
    BOOST_TEST(flags::internal::word_reason(word()) == flags::Reason::SPLIT);
    const auto plan = flags::internal::split_plan_number(word());
    const auto served = agrees("experiment.button-color", 5000, 7500);
    BOOST_TEST(served[0] > 1300);  // about half of 3000
    BOOST_TEST(served[1] > 600);   // about a quarter each
    BOOST_TEST(served[2] > 600);
    BOOST_TEST((flags::variant<Flag::experiment_button_color>({.tenant = "acme"}) == ButtonColor::blue));
    BOOST_TEST(flags::detail<Flag::experiment_button_color>({.tenant = "acme"}).reason == flags::Reason::ERROR);

    dir.write("flags.toml", "schema = 1\n# the same split, in another generation\n"
                            "[flags.\"experiment.button-color\"]\nsplit = { blue = 50, green = 25, red = 25 }\n");
    BOOST_REQUIRE(flags::reload().published);
    BOOST_REQUIRE(flags::internal::is_user_split(word()));
    BOOST_TEST(flags::internal::split_plan_number(word()) == plan);

    dir.write("flags.toml", "schema = 1\n[flags.\"experiment.button-color\"]\nsplit = { blue = 33.33, red = 66.67 }\n");
    BOOST_REQUIRE(flags::reload().published);
    BOOST_REQUIRE(flags::internal::is_user_split(word()));
    BOOST_TEST(flags::internal::split_plan_number(word()) != plan);
    const auto without_green = agrees("experiment.button-color", 3333, 3333);
    BOOST_TEST(without_green[1] == 0);

    dir.write("flags.toml", "schema = 1\n[flags.\"experiment.button-color\"]\nsalt = \"q4\"\n"
                            "split = { blue = 50, green = 25, red = 25 }\n");
    BOOST_REQUIRE(flags::reload().published);
    BOOST_TEST(!flags::internal::is_by_user(word()));
    agrees("q4", 5000, 7500);

    dir.write("flags.toml", "schema = 1\n[flags.\"experiment.button-color\"]\nsplit = { blue = 50, green = 25, red = 25 }\n"
                            "rules = [{ when = [{ attr = \"tenant\", in = [\"acme\"] }], value = \"red\" }]\n");
    BOOST_REQUIRE(flags::reload().published);
    BOOST_TEST(!flags::internal::is_by_user(word()));
    agrees("experiment.button-color", 5000, 7500);
}

BOOST_AUTO_TEST_CASE(a_pinned_view_keeps_its_snapshot_while_newer_ones_are_published) {
    TempDir dir;
    const auto path = dir.write("flags.toml", runtime_a);
    flags::Runtime runtime(path);
    BOOST_TEST(runtime.reload().ok());
    const auto view = runtime.pin();
    const auto copy = view;

    dir.write("flags.toml", runtime_b);
    BOOST_TEST(runtime.reload().published);
    dir.write("flags.toml", runtime_a + "\n# a change\n");
    BOOST_TEST(runtime.reload().published);  // the pinned snapshot is retired twice over

    const flags::Context ctx{.user = "u-1"};
    BOOST_TEST(view.generation() == 1u);
    BOOST_TEST((view.variant<Flag::experiment_button_color>(ctx) == flags::variants::ButtonColor::green));
    BOOST_TEST(view.detail<Flag::experiment_button_color>(ctx).generation == 1u);
    BOOST_TEST(copy.enabled<Flag::release_new_checkout>(ctx) == true);
    BOOST_TEST(runtime.pin().generation() == 3u);
}

// A flag chosen at run time: the same evaluation as detail<> of the flag known at compile time.
BOOST_AUTO_TEST_CASE(a_pinned_view_evaluates_a_flag_chosen_at_run_time) {
    TempDir dir;
    flags::Runtime runtime(dir.write("flags.toml", runtime_a));
    BOOST_TEST(runtime.reload().ok());
    const auto view = runtime.pin();
    for (const char* tenant : {"acme", "globex"}) {
        const flags::Context ctx{.user = "u-1", .tenant = tenant};
        const auto dynamic = view.evaluate(Flag::permission_early_access, ctx);
        const auto known = view.detail<Flag::permission_early_access>(ctx);
        BOOST_TEST(dynamic.value == (known.value ? 1u : 0u));
        BOOST_TEST((dynamic.reason == known.reason));
        BOOST_TEST(dynamic.rule_index == known.rule_index);
        BOOST_TEST(dynamic.generation == 1u);
    }
    BOOST_TEST(view.evaluate(Flag::permission_early_access, {.tenant = "acme"}).value == 1u);
}

// A thread's views of one snapshot share its pin record; a view of another snapshot taken while the
// first is held counts on that snapshot instead; a view may be released on another thread. All of them
// keep their snapshots readable however many publications follow.
BOOST_AUTO_TEST_CASE(views_of_different_generations_on_one_thread_and_across_threads) {
    TempDir dir;
    const auto path = dir.write("flags.toml", runtime_a);
    flags::Runtime runtime(path);
    BOOST_REQUIRE(runtime.reload().ok());
    const auto first = runtime.pin();
    const auto first_copy = first;
    dir.write("flags.toml", runtime_b);
    BOOST_REQUIRE(runtime.reload().published);
    auto second = runtime.pin();  // the thread's pin record holds generation 1: this one counts on its own
    for (int i = 0; i < 20; ++i) {
        dir.write("flags.toml", (i % 2 ? runtime_a : runtime_b) + "# " + std::to_string(i) + "\n");
        BOOST_REQUIRE(runtime.reload().published);
    }
    BOOST_TEST(first.generation() == 1u);
    BOOST_TEST(first_copy.generation() == 1u);
    BOOST_TEST(second.generation() == 2u);
    BOOST_TEST((first.variant<Flag::experiment_button_color>({}) == flags::variants::ButtonColor::green));
    BOOST_TEST((second.variant<Flag::experiment_button_color>({}) == flags::variants::ButtonColor::red));

    std::thread elsewhere([moved = std::move(second)] {
        BOOST_TEST((moved.variant<Flag::experiment_button_color>({}) == flags::variants::ButtonColor::red));
    });  // and released there
    elsewhere.join();
    const auto later = runtime.pin();
    BOOST_TEST(later.generation() == 22u);
}

BOOST_AUTO_TEST_CASE(a_scoped_override_is_restored_on_scope_exit) {
    const flags::Context ctx{.user = "u-1"};
    const bool before = flags::enabled<Flag::ops_kill_switch_payments>(ctx);
    {
        flags::testing::override<Flag::ops_kill_switch_payments> forced(!before);
        BOOST_TEST(flags::enabled<Flag::ops_kill_switch_payments>(ctx) == !before);
        flags::testing::override<Flag::experiment_button_color> red(flags::variants::ButtonColor::red);
        BOOST_TEST((flags::variant<Flag::experiment_button_color>(ctx) == flags::variants::ButtonColor::red));
    }
    BOOST_TEST(flags::enabled<Flag::ops_kill_switch_payments>(ctx) == before);
}

BOOST_AUTO_TEST_CASE(for_each_state_visits_every_variant_with_it_forced) {
    std::vector<flags::variants::ButtonColor> seen;
    flags::testing::for_each_state<Flag::experiment_button_color>([&](flags::variants::ButtonColor color) {
        BOOST_TEST((flags::variant<Flag::experiment_button_color>({}) == color));
        seen.push_back(color);
    });
    const std::vector<flags::variants::ButtonColor> all = {flags::variants::ButtonColor::blue, flags::variants::ButtonColor::green,
                                                 flags::variants::ButtonColor::red};
    BOOST_TEST((seen == all));
}

// Runs twice, once per state; the counter proves both ran with the flag forced.
int kill_switch_runs[2] = {0, 0};
FLAGS_TEST_CASE_EACH_STATE(the_boost_macro_runs_the_body_under_each_state, Flag::ops_kill_switch_payments) {
    BOOST_TEST(flags::enabled<Flag::ops_kill_switch_payments>({}) == state);
    ++kill_switch_runs[state ? 1 : 0];
}

BOOST_AUTO_TEST_CASE(the_boost_macro_ran_both_states) {
    BOOST_TEST(kill_switch_runs[0] == 1);
    BOOST_TEST(kill_switch_runs[1] == 1);
}

BOOST_AUTO_TEST_SUITE_END()
