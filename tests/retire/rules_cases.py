"""The cases of rules_test.py: one rewrite rule (or one thing left for a person) each, with the file
before and after. Flags are the fixture's: release.new-checkout (boolean) and experiment.button-color
(blue, green, red)."""

HEAD = "#include <flags/flags.hpp>\n"
# The test rules' cases: a Boost.Test file (compiled, not linked) with a function to test.
TEST_HEAD = """\
#include <boost/test/unit_test.hpp>

#include <flags/boost_test.hpp>

int steps(bool on) { return on ? 2 : 4; }
"""

CASES = [
    {
        "name": "if-true-keeps-the-then-branch-reindented",
        "flag": "release.new-checkout", "keep": "true",
        "before": HEAD + """
int f(const flags::Context& ctx, int x) {
    if (x > 0) {
        if (flags::enabled<flags::Flag::release_new_checkout>(ctx)) {
            x += 1;
            // the new way
            x *= 2;
        } else {
            x -= 1;
        }
    }
    return x;
}
""",
        "after": HEAD + """
int f([[maybe_unused]] const flags::Context& ctx, int x) {
    if (x > 0) {
        x += 1;
        // the new way
        x *= 2;
    }
    return x;
}
""",
    },
    {
        "name": "if-false-without-else-disappears",
        "flag": "release.new-checkout", "keep": "false",
        "before": HEAD + """
using flags::Flag;
int f(const flags::Context& ctx, int x) {
    if (flags::enabled<Flag::release_new_checkout>(ctx))
        x += 1;
    return x;
}
""",
        "after": HEAD + """
using flags::Flag;
int f([[maybe_unused]] const flags::Context& ctx, int x) {
    return x;
}
""",
    },
    {
        "name": "else-if-false-leaves-the-else",
        "flag": "release.new-checkout", "keep": "false",
        "before": HEAD + """
int f(const flags::Context& ctx, int x) {
    if (x > 1) {
        return 1;
    } else if (flags::enabled<"release.new-checkout">(ctx)) {
        return 2;
    } else {
        return 3;
    }
}
""",
        "after": HEAD + """
int f([[maybe_unused]] const flags::Context& ctx, int x) {
    if (x > 1) {
        return 1;
    } else {
        return 3;
    }
}
""",
    },
    {
        "name": "not-and-or-fold",
        "flag": "release.new-checkout", "keep": "true",
        "before": HEAD + """
bool a(const flags::Context& ctx) { return !flags::enabled<flags::Flag::release_new_checkout>(ctx); }
bool b(const flags::Context& ctx, bool x) { return flags::enabled<flags::Flag::release_new_checkout>(ctx) && x; }
bool c(const flags::Context& ctx, bool x) { return x || flags::enabled<flags::Flag::release_new_checkout>(ctx); }
bool d(const flags::Context& ctx, bool x) { return x && !flags::enabled<flags::Flag::release_new_checkout>(ctx); }
""",
        "after": HEAD + """
bool a([[maybe_unused]] const flags::Context& ctx) { return false; }
bool b([[maybe_unused]] const flags::Context& ctx, bool x) { return x; }
bool c([[maybe_unused]] const flags::Context& ctx, [[maybe_unused]] bool x) { return true; }
bool d([[maybe_unused]] const flags::Context& ctx, [[maybe_unused]] bool x) { return false; }
""",
    },
    {
        "name": "an-operand-with-a-side-effect-is-kept",
        "flag": "release.new-checkout", "keep": "false",
        "before": HEAD + """
bool audit(int& calls) { return ++calls > 0; }
bool f(const flags::Context& ctx, int& calls) { return audit(calls) && flags::enabled<flags::Flag::release_new_checkout>(ctx); }
""",
        "after": HEAD + """
bool audit(int& calls) { return ++calls > 0; }
bool f([[maybe_unused]] const flags::Context& ctx, int& calls) { return audit(calls) && false; }
""",
    },
    {
        "name": "conditional-keeps-the-chosen-operand",
        "flag": "release.new-checkout", "keep": "false",
        "before": HEAD + """
int f(const flags::Context& ctx, int x) {
    const int base = flags::enabled<flags::Flag::release_new_checkout>(ctx) ? x + 1 : x - 1;
    return 2 * (flags::enabled<flags::Flag::release_new_checkout>(ctx) ? base : base + x);
}
""",
        "after": HEAD + """
int f([[maybe_unused]] const flags::Context& ctx, int x) {
    const int base = x - 1;
    return 2 * (base + x);
}
""",
    },
    {
        "name": "switch-keeps-the-kept-case",
        "flag": "experiment.button-color", "keep": "red",
        "before": HEAD + """
int f(const flags::Context& ctx) {
    int width = 0;
    switch (flags::variant<flags::Flag::experiment_button_color>(ctx)) {
    case flags::variants::ButtonColor::blue:
        width = 1;
        break;
    case flags::variants::ButtonColor::green:
    case flags::variants::ButtonColor::red:
        width = 2;
        width += 3;
        break;
    }
    return width;
}
""",
        "after": HEAD + """
int f([[maybe_unused]] const flags::Context& ctx) {
    int width = 0;
    width = 2;
    width += 3;
    return width;
}
""",
    },
    {
        "name": "switch-without-the-kept-case-takes-default",
        "flag": "experiment.button-color", "keep": "green",
        "before": HEAD + """
int f(const flags::Context& ctx) {
    switch (flags::variant<"experiment.button-color">(ctx)) {
    case flags::variants::ButtonColor::blue: return 1;
    default: return 7;
    }
}
""",
        "after": HEAD + """
int f([[maybe_unused]] const flags::Context& ctx) {
    return 7;
}
""",
    },
    {
        "name": "variant-comparisons-fold",
        "flag": "experiment.button-color", "keep": "green",
        "before": HEAD + """
bool a(const flags::Context& ctx) { return flags::variant<flags::Flag::experiment_button_color>(ctx) == flags::variants::ButtonColor::green; }
bool b(const flags::Context& ctx) { return flags::variants::ButtonColor::red != flags::variant<flags::Flag::experiment_button_color>(ctx); }
""",
        "after": HEAD + """
bool a([[maybe_unused]] const flags::Context& ctx) { return true; }
bool b([[maybe_unused]] const flags::Context& ctx) { return true; }
""",
    },
    {
        "name": "detail-value-and-variant",
        "flag": "experiment.button-color", "keep": "blue",
        "before": HEAD + """
#include <string_view>
bool a(const flags::Context& ctx) { return flags::detail<flags::Flag::experiment_button_color>(ctx).value == flags::variants::ButtonColor::blue; }
std::string_view b(const flags::Context& ctx) { return flags::detail<"experiment.button-color">(ctx).variant; }
""",
        "after": HEAD + """
#include <string_view>
bool a([[maybe_unused]] const flags::Context& ctx) { return true; }
std::string_view b([[maybe_unused]] const flags::Context& ctx) { return std::string_view("blue"); }
""",
    },
    {
        "name": "views-and-runtimes",
        "flag": "release.new-checkout", "keep": "true",
        "before": HEAD + """
int a(const flags::Context& ctx) {
    const auto view = flags::pin();
    return view.enabled<flags::Flag::release_new_checkout>(ctx) ? 1 : 2;
}
int b(flags::Runtime& runtime, const flags::Context& ctx) { return runtime.enabled<"release.new-checkout">(ctx) ? 1 : 2; }
int c(const flags::Context& ctx) { return flags::pin().enabled<flags::Flag::release_new_checkout>(ctx) ? 1 : 2; }
""",
        "after": HEAD + """
int a([[maybe_unused]] const flags::Context& ctx) {
    const auto view = flags::pin();
    return 1;
}
int b([[maybe_unused]] flags::Runtime& runtime, [[maybe_unused]] const flags::Context& ctx) { return 1; }
int c([[maybe_unused]] const flags::Context& ctx) { return 1; }
""",
    },
    {
        "name": "a-stored-const-boolean-folds-where-it-is-used",
        "flag": "release.new-checkout", "keep": "true",
        "before": HEAD + """
int f(const flags::Context& ctx, int x) {
    const bool on = flags::enabled<flags::Flag::release_new_checkout>(ctx);
    if (!on) {
        x += 1;
    }
    return on && x > 0 ? 1 : 2;
}
""",
        "after": HEAD + """
int f([[maybe_unused]] const flags::Context& ctx, int x) {
    return x > 0 ? 1 : 2;
}
""",
    },
    {
        "name": "a-stored-boolean-that-escapes-is-left",
        "flag": "release.new-checkout", "keep": "true",
        "before": HEAD + """
bool through(const bool* p) { return *p; }
int f(const flags::Context& ctx) {
    const bool on = flags::enabled<flags::Flag::release_new_checkout>(ctx);
    return through(&on) ? 1 : 2;
}
""",
        "exit": 1,
        "notes": ["src/case.cpp:5: note: left for a person: the value is stored in 'on', which escapes"],
    },
    {
        "name": "a-stored-boolean-captured-or-bound-to-a-reference-is-left",
        "flag": "release.new-checkout", "keep": "true",
        "before": HEAD + """
void flip(bool& b) { b = !b; }
int f(const flags::Context& ctx) {
    const bool on = flags::enabled<flags::Flag::release_new_checkout>(ctx);
    auto later = [on] { return on ? 3 : 4; };
    return later();
}
int g(const flags::Context& ctx) {
    const bool on = flags::enabled<"release.new-checkout">(ctx);
    const bool& alias = on;
    return alias ? 1 : 2;
}
int h(const flags::Context& ctx) {
    bool on = (flags::enabled<"release.new-checkout">(ctx));
    flip(on);
    return on ? 1 : 2;
}
int k(const flags::Context& ctx) {
    bool on = flags::enabled<"release.new-checkout">(ctx);
    auto set = [&] { on = false; };
    set();
    return on ? 1 : 2;
}
""",
        "exit": 1,
        "notes": ["src/case.cpp:5: note: left for a person: the value is stored in 'on', which escapes",
                  "src/case.cpp:10: note: left for a person: the value is stored in 'on', which escapes",
                  "src/case.cpp:15: note: left for a person: the value is stored in 'on', which escapes",
                  "src/case.cpp:20: note: left for a person: the value is stored in 'on', which escapes"],
    },
    {
        "name": "a-stored-boolean-assigned-keeps-its-declaration",
        "flag": "release.new-checkout", "keep": "true",
        "before": HEAD + """
int g(const flags::Context& ctx) {
    bool on = flags::enabled<"release.new-checkout">(ctx);
    if (ctx.user.empty()) on = false;
    return (on) ? 1 : 2;
}
""",
        "after": HEAD + """
int g(const flags::Context& ctx) {
    bool on = true;
    if (ctx.user.empty()) on = false;
    return (on) ? 1 : 2;
}
""",
    },
    {
        "name": "internal-functions-only-the-removed-code-used-go",
        "flag": "release.new-checkout", "keep": "false",
        "before": HEAD + """
namespace {

// The new price.
int new_price(int x) { return x * 2; }

int shared(int x) { return x + 1; }

}  // namespace

static int helper_of_new(int x) { return shared(x) - 1; }

int price(const flags::Context& ctx, int x) {
    if (flags::enabled<flags::Flag::release_new_checkout>(ctx)) return new_price(helper_of_new(x));
    return shared(x);
}
""",
        "after": HEAD + """
namespace {

int shared(int x) { return x + 1; }

}  // namespace

int price([[maybe_unused]] const flags::Context& ctx, int x) {
    return shared(x);
}
""",
    },
    {
        "name": "a-read-in-a-macro-argument-is-rewritten",
        "flag": "release.new-checkout", "keep": "true",
        "before": HEAD + """
#define TWICE(x) ((x) && (x))
bool f(const flags::Context& ctx) { return TWICE(flags::enabled<flags::Flag::release_new_checkout>(ctx)); }
""",
        "after": HEAD + """
#define TWICE(x) ((x) && (x))
bool f([[maybe_unused]] const flags::Context& ctx) { return TWICE(true); }
""",
    },
    {
        "name": "a-read-inside-a-macro-is-left",
        "flag": "release.new-checkout", "keep": "true",
        "before": HEAD + """
#define NEW_CHECKOUT(ctx) flags::enabled<flags::Flag::release_new_checkout>(ctx)
bool f(const flags::Context& ctx) { return NEW_CHECKOUT(ctx); }
""",
        "exit": 1,
        "notes": ["src/case.cpp:4: note: left for a person: the read is inside a macro"],
    },
    {
        "name": "an-argument-with-a-side-effect-is-left",
        "flag": "release.new-checkout", "keep": "true",
        "before": HEAD + """
flags::Context next_context(int& n) { ++n; return flags::Context{}; }
bool f(int& n) { return flags::enabled<flags::Flag::release_new_checkout>(next_context(n)); }
""",
        "exit": 1,
        "notes": ["src/case.cpp:4: note: left for a person: its argument may have a side effect"],
    },
    {
        "name": "a-variant-stored-or-passed-is-left",
        "flag": "experiment.button-color", "keep": "blue",
        "before": HEAD + """
int paint(flags::variants::ButtonColor c) { return static_cast<int>(c); }
int f(const flags::Context& ctx) { return paint(flags::variant<flags::Flag::experiment_button_color>(ctx)); }
""",
        "exit": 1,
        "notes": ["src/case.cpp:3: note: left for a person: it uses the flag's variant enum as a type",
                  "src/case.cpp:4: note: left for a person: the variant is used as a value of its enum type"],
    },
    {
        "name": "detail-fields-that-depend-on-the-evaluation-are-left",
        "flag": "release.new-checkout", "keep": "true",
        "before": HEAD + """
bool f(const flags::Context& ctx) { return flags::detail<flags::Flag::release_new_checkout>(ctx).reason == flags::Reason::DEFAULT; }
""",
        "exit": 1,
        "notes": ["detail's .reason depends on the evaluation"],
    },
    {
        "name": "the-flag-named-outside-a-read-is-left",
        "flag": "release.new-checkout", "keep": "true",
        "before": HEAD + """
flags::Flag the_flag() { return flags::Flag::release_new_checkout; }
""",
        "exit": 1,
        "notes": ["src/case.cpp:3: note: left for a person: it names Flag::release_new_checkout outside a read"],
    },
    {
        "name": "requires-on-the-kept-value-is-dropped",
        "flag": "release.new-checkout", "keep": "true",
        "before": HEAD + "int f() { return 1; }\n",
        "runtime": """
schema = 1

# the checkout
[flags."release.new-checkout"]
rollout = 10

[flags."experiment.button-color"]
split = { blue = 50, green = 50 }
requires = { "release.new-checkout" = true }  # only with the new checkout
""",
        "runtime_after": """
schema = 1

# the checkout
[flags."experiment.button-color"]
split = { blue = 50, green = 50 }
""",
    },
    {
        "name": "requires-on-the-other-value-is-left",
        "flag": "release.new-checkout", "keep": "false",
        "before": HEAD + "int f() { return 1; }\n",
        "runtime": """
schema = 1

[flags."release.new-checkout"]
rollout = 10

[flags."experiment.button-color"]
split = { blue = 50, green = 50 }
requires = { "release.new-checkout" = true }
""",
        "runtime_after": """
schema = 1

[flags."experiment.button-color"]
split = { blue = 50, green = 50 }
requires = { "release.new-checkout" = true }
""",
        "exit": 1,
        "notes": ["flags/runtime.toml:8: note: left for a person: experiment.button-color requires "
                  "release.new-checkout = true, but it keeps false: experiment.button-color would be off for everyone"],
    },
    {
        "name": "each-state-test-becomes-an-ordinary-test",
        "flag": "release.new-checkout", "keep": "false",
        "before": TEST_HEAD + """
FLAGS_TEST_CASE_EACH_STATE(steps_follow_the_flag, flags::Flag::release_new_checkout) {
    BOOST_TEST(steps(state) == (state ? 2 : 4));
}
""",
        "after": TEST_HEAD + """
BOOST_AUTO_TEST_CASE(steps_follow_the_flag) {
    BOOST_TEST(steps(false) == 4);
}
""",
    },
    {
        "name": "overrides-of-the-retired-state-delete-the-test-of-the-kept-state-go",
        "flag": "release.new-checkout", "keep": "true",
        "before": TEST_HEAD + """
BOOST_AUTO_TEST_CASE(new_way) {
    flags::testing::override<flags::Flag::release_new_checkout> on(true);
    BOOST_TEST(steps(true) == 2);
}

// The old way takes four steps.
BOOST_AUTO_TEST_CASE(old_way) {
    flags::testing::override<flags::Flag::release_new_checkout> off(false);
    BOOST_TEST(steps(false) == 4);
}
""",
        "after": TEST_HEAD + """
BOOST_AUTO_TEST_CASE(new_way) {
    BOOST_TEST(steps(true) == 2);
}
""",
    },
    {
        "name": "for-each-state-runs-its-body-once",
        "flag": "release.new-checkout", "keep": "true",
        "before": TEST_HEAD + """
BOOST_AUTO_TEST_CASE(every_state) {
    flags::testing::for_each_state<flags::Flag::release_new_checkout>([&](bool on) {
        BOOST_TEST(steps(on) == (on ? 2 : 4));
    });
}
""",
        "after": TEST_HEAD + """
BOOST_AUTO_TEST_CASE(every_state) {
    BOOST_TEST(steps(true) == 2);
}
""",
    },
    {
        "name": "for-each-state-whose-body-returns-is-left",
        "flag": "release.new-checkout", "keep": "false",
        "before": TEST_HEAD + """
BOOST_AUTO_TEST_CASE(every_state) {
    flags::testing::for_each_state<flags::Flag::release_new_checkout>([&](bool on) {
        if (on) return;
        BOOST_TEST(steps(on) == 4);
    });
}
""",
        "exit": 1,
        "notes": ['src/case.cpp:8: note: left for a person: its body returns, which inlined would return from the function'],
    },
    {
        "name": "a-switch-case-that-falls-through-is-left",
        "flag": "experiment.button-color", "keep": "blue",
        "before": HEAD + """
int f(const flags::Context& ctx) {
    int x = 0;
    switch (flags::variant<flags::Flag::experiment_button_color>(ctx)) {
    case flags::variants::ButtonColor::blue:
        x += 1;
        [[fallthrough]];
    case flags::variants::ButtonColor::green:
        x += 2;
        break;
    default:
        break;
    }
    return x;
}
""",
        "exit": 1,
        "notes": ['src/case.cpp:5: note: left for a person: the kept case falls through into the next one'],
    },
    {
        "name": "a-detail-used-whole-is-left",
        "flag": "release.new-checkout", "keep": "true",
        "before": HEAD + """
int f(const flags::Context& ctx) {
    const auto d = flags::detail<flags::Flag::release_new_checkout>(ctx);
    return d.value ? 1 : 2;
}
""",
        "exit": 1,
        "notes": ['src/case.cpp:4: note: left for a person: the detail is used as a whole; only its .value and .variant have a kept value'],
    },
    {
        "name": "requires-in-every-spelling-drops-only-the-retired-flag",
        "flag": "release.new-checkout", "keep": "true",
        "before": HEAD + "int f() { return 1; }\n",
        "runtime": """
# the runtime file's own comment
[flags."release.new-checkout"]
rollout = 10

[flags."experiment.button-color"]
split = { blue = 50, green = 50 }
requires."release.new-checkout" = true
requires."release.fast-search" = true

[flags."a.dotted-only"]
requires.'release.new-checkout' = true  # only with it

[flags."an.inline-pair"]
requires = { "release.fast-search" = true, 'release.new-checkout' = true }

[flags."an.inline-only"]
requires = { "release.new-checkout" = true }
rollout = 5

[flags."a.table".requires]
"release.new-checkout" = true
"release.fast-search" = false

[flags."a.table-only".requires]
'release.new-checkout' = true
""",
        "runtime_after": """
# the runtime file's own comment
[flags."experiment.button-color"]
split = { blue = 50, green = 50 }
requires."release.fast-search" = true

[flags."a.dotted-only"]

[flags."an.inline-pair"]
requires = { "release.fast-search" = true }

[flags."an.inline-only"]
rollout = 5

[flags."a.table".requires]
"release.fast-search" = false

""",
    },
    {
        "name": "requires-in-a-dotted-key-on-the-other-value-is-left",
        "flag": "release.new-checkout", "keep": "false",
        "before": HEAD + "int f() { return 1; }\n",
        "runtime": """
[flags."experiment.button-color"]
requires."release.new-checkout" = true
requires."release.fast-search" = true
""",
        "exit": 1,
        "notes": ["flags/runtime.toml:2: note: left for a person: experiment.button-color requires "
                  "release.new-checkout = true, but it keeps false: experiment.button-color would be off for everyone"],
    },
]
