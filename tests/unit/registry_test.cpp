// The registry loader: every diagnostic a developer can get from flagc, pinned to its exact text and
// position, the lifecycle check against a given day, and the metadata of a valid registry.
#define BOOST_TEST_MODULE registry
#include <boost/test/data/monomorphic.hpp>
#include <boost/test/data/test_case.hpp>
#include <boost/test/unit_test.hpp>

#include <stdlib.h>  // mkdtemp

#include <filesystem>
#include <fstream>
#include <ostream>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <flags/diagnostic.hpp>

#include <fmt/format.h>

#include "registry/registry_loader.hpp"

namespace fs = std::filesystem;
namespace bdata = boost::unit_test::data;
using flags::registry::load_registry;

namespace {

// A fresh directory for one case, removed with everything in it when the case ends.
class TempDir {
public:
    TempDir() {
        std::string pattern = (fs::temp_directory_path() / "flagstone-registry-XXXXXX").string();
        if (!mkdtemp(pattern.data())) throw std::runtime_error("mkdtemp failed for " + pattern);
        path_ = pattern;
    }
    ~TempDir() {
        std::error_code ec;
        fs::remove_all(path_, ec);
    }
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;

    const fs::path& path() const { return path_; }

    fs::path write(const fs::path& relative, std::string_view text) const {
        const auto file = path_ / relative;
        fs::create_directories(file.parent_path());
        std::ofstream(file, std::ios::binary) << text;
        return file;
    }

private:
    fs::path path_;
};

// The diagnostics as flagc prints them, each followed by a newline.
std::string formatted(const std::vector<flags::Diagnostic>& diagnostics) {
    std::string out;
    for (const auto& d : diagnostics) out += flags::format(d) + '\n';
    return out;
}

// Loads `text` as <dir>/registry.toml, with paths in messages relative to <dir>.
flags::registry::LoadOutcome load_text(const TempDir& dir, std::string_view text) {
    return load_registry(dir.write("registry.toml", text), {.display_root = dir.path()});
}

flags::Date date(std::string_view text) {
    const auto parsed = flags::registry::parse_iso_date(text);
    if (!parsed) throw std::invalid_argument("bad date in test: " + std::string(text));
    return *parsed;
}

// A registry that must be rejected with exactly these diagnostics.
struct BadRegistry {
    const char* name;
    const char* toml;      // written as registry.toml
    const char* expected;  // every diagnostic, formatted, in order
};
std::ostream& operator<<(std::ostream& os, const BadRegistry& c) { return os << c.name; }

// The columns below follow from the text: "retire_by = " puts its value at column 13, "created = "
// and "default = " at column 11, and the first element of "variants = [" at column 13.
const std::vector<BadRegistry> bad_registries = {
    // Counted in the text before toml++ builds a tree of it, as the runtime reader counts its files.
    {"nesting past the registry's limit",
     "x = [[[[[[[[[]]]]]]]]]\n",
     "registry.toml:1:13: error: values are nested 9 deep; the limit is 8\n"
     "    hint: a registry of the most flags a header holds is far below this: check that the path names the "
     "registry\n"},

    {"toml syntax error",
     R"toml([flags."release.new-checkout"]
description = "Redesigned checkout flow"
owner = payments-team
)toml",
     "registry.toml:3:9: error: invalid TOML value: could not determine value type\n"
     "    hint: fix the TOML syntax at this position\n"},

    {"unknown top-level key",
     R"toml(flag = "release.new-checkout"

[flags."release.new-checkout"]
description = "Redesigned checkout flow"
owner = "payments-team"
created = 2026-11-01
retire_by = 2027-01-15
default = false
)toml",
     "registry.toml:1:1: error: unknown key 'flag' at the top level\n"
     "    hint: a registry holds only [policy] and [flags.\"<type>.<name>\"] tables\n"},

    {"unknown key in policy",
     R"toml([policy]
warn-days = 7

[flags."release.new-checkout"]
description = "Redesigned checkout flow"
owner = "payments-team"
created = 2026-11-01
retire_by = 2027-01-15
default = false
)toml",
     "registry.toml:2:1: error: unknown key 'warn-days' in [policy]\n"
     "    hint: known keys: max_days, warn_days\n"},

    // The point of rejecting unknown keys: a misspelt retire_by must not switch off the expiry check.
    {"misspelt retire-by",
     R"toml([flags."release.new-checkout"]
description = "Redesigned checkout flow"
owner = "payments-team"
created = 2026-11-01
retire-by = 2027-01-15
default = false
)toml",
     "registry.toml:1:1: error: flag 'release.new-checkout' has no 'retire_by'\n"
     "    hint: release flags are temporary: add retire_by = YYYY-MM-DD, the day the flag must be gone from "
     "code and registry\n"
     "registry.toml:5:1: error: unknown key 'retire-by' in flag 'release.new-checkout'\n"
     "    hint: known keys: created, default, description, owner, retire_by, review_by, ticket, track, variants\n"},

    {"misspelt key in an ops flag",
     R"toml([flags."ops.kill-switch-payments"]
description = "Stop taking payments"
owner = "oncall"
created = 2025-01-01
reviewby = 2027-03-01
default = false
)toml",
     "registry.toml:5:1: error: unknown key 'reviewby' in flag 'ops.kill-switch-payments'\n"
     "    hint: known keys: created, default, description, owner, retire_by, review_by, ticket, track, variants\n"},

    {"name without a dot",
     R"toml([flags.new-checkout]
description = "Redesigned checkout flow"
owner = "payments-team"
created = 2026-11-01
default = false
)toml",
     "registry.toml:1:1: error: flag name 'new-checkout' is not of the form <type>.<kebab-name>\n"
     "    hint: name flags <type>.<kebab-name> with type release, experiment, ops or permission, e.g. "
     "release.new-checkout\n"},

    {"unknown type",
     R"toml([flags."feature.new-checkout"]
description = "Redesigned checkout flow"
owner = "payments-team"
created = 2026-11-01
default = false
)toml",
     "registry.toml:1:1: error: flag name 'feature.new-checkout' has unknown type 'feature'\n"
     "    hint: name flags <type>.<kebab-name> with type release, experiment, ops or permission, e.g. "
     "release.new-checkout\n"},

    {"uppercase in the name",
     R"toml([flags."release.New-checkout"]
description = "Redesigned checkout flow"
owner = "payments-team"
created = 2026-11-01
retire_by = 2027-01-15
default = false
)toml",
     "registry.toml:1:1: error: flag name 'release.New-checkout' has 'New-checkout' after the type, which is not kebab-case: use lowercase letters "
     "and digits joined by single hyphens\n"
     "    hint: name flags <type>.<kebab-name> with type release, experiment, ops or permission, e.g. "
     "release.new-checkout\n"},

    {"double hyphen in the name",
     R"toml([flags."release.new--checkout"]
description = "Redesigned checkout flow"
owner = "payments-team"
created = 2026-11-01
retire_by = 2027-01-15
default = false
)toml",
     "registry.toml:1:1: error: flag name 'release.new--checkout' has 'new--checkout' after the type, which is not kebab-case: use lowercase letters "
     "and digits joined by single hyphens\n"
     "    hint: name flags <type>.<kebab-name> with type release, experiment, ops or permission, e.g. "
     "release.new-checkout\n"},

    {"trailing hyphen in the name",
     R"toml([flags."release.new-checkout-"]
description = "Redesigned checkout flow"
owner = "payments-team"
created = 2026-11-01
retire_by = 2027-01-15
default = false
)toml",
     "registry.toml:1:1: error: flag name 'release.new-checkout-' has 'new-checkout-' after the type, which is not kebab-case: use lowercase letters "
     "and digits joined by single hyphens\n"
     "    hint: name flags <type>.<kebab-name> with type release, experiment, ops or permission, e.g. "
     "release.new-checkout\n"},

    {"missing owner",
     R"toml([flags."release.new-checkout"]
description = "Redesigned checkout flow"
created = 2026-11-01
retire_by = 2027-01-15
default = false
)toml",
     "registry.toml:1:1: error: flag 'release.new-checkout' has no 'owner'\n"
     "    hint: add owner = \"<team>\": the team that removes the flag\n"},

    {"missing description",
     R"toml([flags."release.new-checkout"]
owner = "payments-team"
created = 2026-11-01
retire_by = 2027-01-15
default = false
)toml",
     "registry.toml:1:1: error: flag 'release.new-checkout' has no 'description'\n"
     "    hint: add description = \"what the flag switches\"\n"},

    {"missing created",
     R"toml([flags."release.new-checkout"]
description = "Redesigned checkout flow"
owner = "payments-team"
retire_by = 2027-01-15
default = false
)toml",
     "registry.toml:1:1: error: flag 'release.new-checkout' has no 'created'\n"
     "    hint: add created = YYYY-MM-DD, the day the flag was introduced\n"},

    {"missing retire_by on a release flag",
     R"toml([flags."release.new-checkout"]
description = "Redesigned checkout flow"
owner = "payments-team"
created = 2026-11-01
default = false
)toml",
     "registry.toml:1:1: error: flag 'release.new-checkout' has no 'retire_by'\n"
     "    hint: release flags are temporary: add retire_by = YYYY-MM-DD, the day the flag must be gone from "
     "code and registry\n"},

    {"missing retire_by on an experiment flag",
     R"toml([flags."experiment.button-color"]
description = "Checkout button colour test"
owner = "growth"
created = 2026-11-01
variants = ["blue", "green"]
default = "blue"
)toml",
     "registry.toml:1:1: error: flag 'experiment.button-color' has no 'retire_by'\n"
     "    hint: experiment flags are temporary: add retire_by = YYYY-MM-DD, the day the flag must be gone from "
     "code and registry\n"},

    {"review_by on a release flag",
     R"toml([flags."release.new-checkout"]
description = "Redesigned checkout flow"
owner = "payments-team"
created = 2026-11-01
retire_by = 2027-01-15
review_by = 2027-01-01
default = false
)toml",
     "registry.toml:6:13: error: release flag 'release.new-checkout' takes retire_by, not review_by\n"
     "    hint: rename review_by to retire_by\n"},

    {"retire_by on an ops flag",
     R"toml([flags."ops.kill-switch-payments"]
description = "Stop taking payments"
owner = "oncall"
created = 2025-01-01
retire_by = 2027-03-01
default = false
)toml",
     "registry.toml:5:13: error: ops flag 'ops.kill-switch-payments' does not retire; 'retire_by' is for release "
     "and experiment flags\n"
     "    hint: use review_by = YYYY-MM-DD to be reminded to review it\n"},

    {"default not a declared variant",
     R"toml([flags."experiment.button-color"]
description = "Checkout button colour test"
owner = "growth"
created = 2026-11-01
retire_by = 2027-02-01
variants = ["blue", "green"]
default = "red"
)toml",
     "registry.toml:7:11: error: default 'red' of flag 'experiment.button-color' is not one of its variants\n"
     "    hint: choose one of: blue, green\n"},

    {"string default on a boolean flag",
     R"toml([flags."release.new-checkout"]
description = "Redesigned checkout flow"
owner = "payments-team"
created = 2026-11-01
retire_by = 2027-01-15
default = "false"
)toml",
     "registry.toml:6:11: error: default of boolean flag 'release.new-checkout' must be true or false, not a "
     "string\n"
     "    hint: write default = false or default = true without quotes, or declare variants = [...] for a "
     "multivariate flag\n"},

    {"boolean default on a multivariate flag",
     R"toml([flags."experiment.button-color"]
description = "Checkout button colour test"
owner = "growth"
created = 2026-11-01
retire_by = 2027-02-01
variants = ["blue", "green"]
default = true
)toml",
     "registry.toml:7:11: error: default of flag 'experiment.button-color' must be a variant name, not a boolean\n"
     "    hint: choose one of: blue, green\n"},

    {"variant with a bad name",
     R"toml([flags."experiment.button-color"]
description = "Checkout button colour test"
owner = "growth"
created = 2026-11-01
retire_by = 2027-02-01
variants = ["Blue", "green", "red"]
default = "green"
)toml",
     "registry.toml:6:13: error: variant 'Blue' of flag 'experiment.button-color' must start with a lowercase "
     "letter and use only lowercase letters, digits and single hyphens\n"
     "    hint: variants become C++ enumerators: name them like blue or new-layout\n"},

    {"variant that is a C++ keyword",
     R"toml([flags."experiment.search-layout"]
description = "Search results layout test"
owner = "search-team"
created = 2026-11-01
retire_by = 2027-02-01
variants = ["old", "new"]
default = "old"
)toml",
     "registry.toml:6:20: error: variant 'new' of flag 'experiment.search-layout' is a C++ keyword and cannot be "
     "an enumerator\n"
     "    hint: variants become C++ enumerators: name them like blue or new-layout\n"},

    // A macro replaces the name in the header: errno is one in every dialect, linux and unix in
    // -std=gnu++20 (GCC's default), assert a function-like one.
    {"variants that are macros",
     R"toml([flags."experiment.search-layout"]
description = "Search results layout test"
owner = "search-team"
created = 2026-11-01
retire_by = 2027-02-01
variants = ["errno", "linux", "unix", "assert", "stdout", "list"]
default = "list"
)toml",
     "registry.toml:6:13: error: variant 'errno' of flag 'experiment.search-layout' is a macro of the C and C++ "
     "standard library headers and cannot be an enumerator\n"
     "    hint: variants become C++ enumerators: name them like blue or new-layout\n"
     "registry.toml:6:22: error: variant 'linux' of flag 'experiment.search-layout' is a macro the GNU dialects "
     "predefine (-std=gnu++20) and cannot be an enumerator\n"
     "    hint: variants become C++ enumerators: name them like blue or new-layout\n"
     "registry.toml:6:31: error: variant 'unix' of flag 'experiment.search-layout' is a macro the GNU dialects "
     "predefine (-std=gnu++20) and cannot be an enumerator\n"
     "    hint: variants become C++ enumerators: name them like blue or new-layout\n"
     "registry.toml:6:39: error: variant 'assert' of flag 'experiment.search-layout' is a macro of the C and C++ "
     "standard library headers and cannot be an enumerator\n"
     "    hint: variants become C++ enumerators: name them like blue or new-layout\n"
     "registry.toml:6:49: error: variant 'stdout' of flag 'experiment.search-layout' is a macro of the C and C++ "
     "standard library headers and cannot be an enumerator\n"
     "    hint: variants become C++ enumerators: name them like blue or new-layout\n"},

    {"variant types named like macros",
     R"toml([flags."experiment.e-o-f"]
description = "A type named EOF"
owner = "growth"
created = 2026-11-01
retire_by = 2027-02-01
variants = ["a", "b"]
default = "a"

[flags."experiment.p-r-id64"]
description = "A type named PRId64"
owner = "growth"
created = 2026-11-01
retire_by = 2027-02-01
variants = ["a", "b"]
default = "a"
)toml",
     "registry.toml:1:1: error: flag 'experiment.e-o-f' would generate the variant type flags::variants::EOF, which "
     "is all capitals, as the macros of the C library are (EOF, NULL, E2BIG, SIGINT)\n"
     "    hint: rename the flag: its name after the type becomes the type's name\n"
     "registry.toml:9:1: error: flag 'experiment.p-r-id64' would generate the variant type flags::variants::PRId64, "
     "which is a format macro of <cinttypes>\n"
     "    hint: rename the flag: its name after the type becomes the type's name\n"},

    // 9223372036854775807 once became -1 in an int, and the message said nothing of the value.
    {"policy days out of range",
     R"toml([policy]
warn_days = 3651
max_days = { release = 9223372036854775807, experiment = 0 }
)toml",
     "registry.toml:2:13: error: 'warn_days' must be a whole number of days from 0 to 3650, not 3651\n"
     "registry.toml:3:24: error: 'max_days.release' must be a whole number of days from 1 to 36500, not "
     "9223372036854775807\n"
     "    hint: write it as max_days = { release = 90, experiment = 180 }\n"
     "registry.toml:3:58: error: 'max_days.experiment' must be a whole number of days from 1 to 36500, not 0\n"
     "    hint: write it as max_days = { release = 90, experiment = 180 }\n"},

    {"duplicate variant",
     R"toml([flags."experiment.button-color"]
description = "Checkout button colour test"
owner = "growth"
created = 2026-11-01
retire_by = 2027-02-01
variants = ["blue", "green", "blue"]
default = "blue"
)toml",
     "registry.toml:6:30: error: variant 'blue' of flag 'experiment.button-color' is listed twice\n"
     "    hint: list each variant once\n"},

    {"created after retire_by",
     R"toml([flags."release.new-checkout"]
description = "Redesigned checkout flow"
owner = "payments-team"
created = 2027-02-01
retire_by = 2027-01-15
default = false
)toml",
     "registry.toml:5:13: error: flag 'release.new-checkout' retires (2027-01-15) before it was created "
     "(2027-02-01)\n"
     "    hint: retire_by must be on or after created\n"},

    {"span longer than policy.max_days",
     R"toml([policy]
max_days = { release = 30, experiment = 180 }

[flags."release.new-checkout"]
description = "Redesigned checkout flow"
owner = "payments-team"
created = 2026-11-01
retire_by = 2027-01-15
default = false
)toml",
     "registry.toml:8:13: error: flag 'release.new-checkout' lives 75 days from created to retire_by; policy "
     "allows 30 for release flags\n"
     "    hint: set retire_by to 2026-12-01 or earlier\n"},

    // Narrowed to int unchecked, the largest integer read as -1 days.
    {"policy.max_days past what an int holds",
     R"toml([policy]
max_days = { release = 9223372036854775807 }

[flags."release.new-checkout"]
description = "Redesigned checkout flow"
owner = "payments-team"
created = 2026-11-01
retire_by = 2027-01-15
default = false
)toml",
     "registry.toml:2:24: error: 'max_days.release' must be a whole number of days from 1 to 36500, not "
     "9223372036854775807\n"
     "    hint: write it as max_days = { release = 90, experiment = 180 }\n"},

    {"created as a quoted string",
     R"toml([flags."release.new-checkout"]
description = "Redesigned checkout flow"
owner = "payments-team"
created = "2026-11-01"
retire_by = 2027-01-15
default = false
)toml",
     "registry.toml:4:11: error: 'created' of flag 'release.new-checkout' must be a date\n"
     "    hint: write a bare TOML date without quotes: created = 2027-01-31\n"},

    {"two multivariate flags with the same enum type",
     R"toml([flags."experiment.color"]
description = "Colour test"
owner = "growth"
created = 2026-11-01
retire_by = 2027-02-01
variants = ["blue", "green"]
default = "blue"

[flags."ops.color"]
description = "Colour fallback"
owner = "oncall"
created = 2026-11-01
variants = ["plain", "brand"]
default = "brand"
)toml",
     "registry.toml:9:1: error: flags 'experiment.color' and 'ops.color' both map to the C++ type flags::variants::Color\n"
     "    hint: rename one of them: the part after the type must differ between multivariate flags\n"},

    {"empty registry",
     R"toml(# flags go here

[policy]
warn_days = 7
)toml",
     "registry.toml: error: the registry declares no flags\n"
     "    hint: declare at least one flag as [flags.\"<type>.<name>\"]\n"},

    // Every problem is reported, not just the first, and in the order of the file.
    {"several problems at once",
     R"toml([flags."release.new-checkout"]
description = "Redesigned checkout flow"
created = 2026-11-01
retire_by = 2027-01-15
default = "no"

[flags."ops.Kill-switch"]
description = "Stop taking payments"
)toml",
     "registry.toml:1:1: error: flag 'release.new-checkout' has no 'owner'\n"
     "    hint: add owner = \"<team>\": the team that removes the flag\n"
     "registry.toml:5:11: error: default of boolean flag 'release.new-checkout' must be true or false, not a "
     "string\n"
     "    hint: write default = false or default = true without quotes, or declare variants = [...] for a "
     "multivariate flag\n"
     "registry.toml:7:1: error: flag name 'ops.Kill-switch' has 'Kill-switch' after the type, which is not kebab-case: use lowercase letters "
     "and digits joined by single hyphens\n"
     "    hint: name flags <type>.<kebab-name> with type release, experiment, ops or permission, e.g. "
     "release.new-checkout\n"},
};

// A valid registry that check_lifecycle judges on `today`.
struct LifecycleCase {
    const char* name;
    const char* toml;
    const char* today;
    const char* expected;
};
std::ostream& operator<<(std::ostream& os, const LifecycleCase& c) { return os << c.name; }

constexpr const char* release_flag = R"toml([flags."release.new-checkout"]
description = "Redesigned checkout flow"
owner = "payments-team"
created = 2026-11-01
retire_by = 2027-01-15
default = false
)toml";

constexpr const char* release_flag_warn_3_days = R"toml([policy]
warn_days = 3

[flags."release.new-checkout"]
description = "Redesigned checkout flow"
owner = "payments-team"
created = 2026-11-01
retire_by = 2027-01-15
default = false
)toml";

constexpr const char* experiment_flag = R"toml([flags."experiment.button-color"]
description = "Checkout button colour test"
owner = "growth"
created = 2026-11-01
retire_by = 2027-02-01
variants = ["blue", "green"]
default = "blue"
)toml";

constexpr const char* ops_flag = R"toml([flags."ops.kill-switch-payments"]
description = "Stop taking payments"
owner = "oncall"
created = 2025-01-01
review_by = 2027-03-01
default = false
)toml";

constexpr const char* permission_flag = R"toml([flags."permission.early-access"]
description = "Early access for selected customers"
owner = "customer-success"
created = 2026-09-01
review_by = 2027-03-01
default = false
)toml";

const std::vector<LifecycleCase> lifecycle_cases = {
    {"release flag far from retire_by", release_flag, "2026-12-01", ""},
    {"release flag one day outside warn_days", release_flag, "2026-12-31", ""},
    {"release flag on the first day of warn_days", release_flag, "2027-01-01",
     "registry.toml:5:13: warning: release flag 'release.new-checkout' retires on 2027-01-15 (in 14 days)\n"
     "    hint: plan the removal of Flag::release_new_checkout: the build fails from 2027-01-16 on\n"},
    {"release flag the day before retire_by", release_flag, "2027-01-14",
     "registry.toml:5:13: warning: release flag 'release.new-checkout' retires on 2027-01-15 (in 1 day)\n"
     "    hint: plan the removal of Flag::release_new_checkout: the build fails from 2027-01-16 on\n"},
    {"release flag retires today", release_flag, "2027-01-15",
     "registry.toml:5:13: warning: release flag 'release.new-checkout' retires today (2027-01-15)\n"
     "    hint: plan the removal of Flag::release_new_checkout: the build fails from 2027-01-16 on\n"},
    {"release flag expired yesterday", release_flag, "2027-01-16",
     "registry.toml:5:13: error: release flag 'release.new-checkout' expired on 2027-01-15 (1 day ago)\n"
     "    hint: remove Flag::release_new_checkout from the code and its entry from the registry, or extend "
     "retire_by if it must stay longer\n"},
    {"release flag expired days ago", release_flag, "2027-01-20",
     "registry.toml:5:13: error: release flag 'release.new-checkout' expired on 2027-01-15 (5 days ago)\n"
     "    hint: remove Flag::release_new_checkout from the code and its entry from the registry, or extend "
     "retire_by if it must stay longer\n"},
    {"policy.warn_days is honoured", release_flag_warn_3_days, "2027-01-11", ""},
    {"policy.warn_days warns on its first day", release_flag_warn_3_days, "2027-01-12",
     "registry.toml:8:13: warning: release flag 'release.new-checkout' retires on 2027-01-15 (in 3 days)\n"
     "    hint: plan the removal of Flag::release_new_checkout: the build fails from 2027-01-16 on\n"},
    {"experiment flag within warn_days", experiment_flag, "2027-01-25",
     "registry.toml:5:13: warning: experiment flag 'experiment.button-color' retires on 2027-02-01 (in 7 days)\n"
     "    hint: plan the removal of Flag::experiment_button_color: the build fails from 2027-02-02 on\n"},
    {"experiment flag expired", experiment_flag, "2027-03-01",
     "registry.toml:5:13: error: experiment flag 'experiment.button-color' expired on 2027-02-01 (28 days ago)\n"
     "    hint: remove Flag::experiment_button_color from the code and its entry from the registry, or extend "
     "retire_by if it must stay longer\n"},
    {"ops flag before review_by", ops_flag, "2027-02-28", ""},
    {"ops flag on review_by", ops_flag, "2027-03-01", ""},
    {"ops flag past review_by", ops_flag, "2027-03-04",
     "registry.toml:5:13: warning: ops flag 'ops.kill-switch-payments' was due for review on 2027-03-01 (3 days "
     "ago)\n"
     "    hint: confirm it is still needed, then move review_by forward\n"},
    {"ops flag never expires", ops_flag, "2099-01-01",
     "registry.toml:5:13: warning: ops flag 'ops.kill-switch-payments' was due for review on 2027-03-01 (26239 "
     "days ago)\n"
     "    hint: confirm it is still needed, then move review_by forward\n"},
    {"permission flag a day past review_by", permission_flag, "2027-03-02",
     "registry.toml:5:13: warning: permission flag 'permission.early-access' was due for review on 2027-03-01 "
     "(1 day ago)\n"
     "    hint: confirm it is still needed, then move review_by forward\n"},
};

}  // namespace

BOOST_AUTO_TEST_SUITE(registry)

BOOST_DATA_TEST_CASE(rejects_with_exact_diagnostics, bdata::make(bad_registries), c) {
    const TempDir dir;
    const auto outcome = load_text(dir, c.toml);
    BOOST_TEST(!outcome.registry.has_value());
    BOOST_TEST(flags::has_errors(outcome.diagnostics));
    BOOST_TEST(formatted(outcome.diagnostics) == c.expected);
}

BOOST_DATA_TEST_CASE(lifecycle_on_a_given_day, bdata::make(lifecycle_cases), c) {
    const TempDir dir;
    const auto outcome = load_text(dir, c.toml);
    BOOST_TEST_REQUIRE(outcome.registry.has_value(), formatted(outcome.diagnostics));
    BOOST_TEST(outcome.diagnostics.empty());
    const auto diagnostics = flags::registry::check_lifecycle(*outcome.registry, date(c.today));
    BOOST_TEST(formatted(diagnostics) == c.expected);
}

// flags::Flag and the variant enums are 16 bits: 65,536 of each is the most a header can hold.
std::string ops_flags(std::size_t count) {
    std::string text;
    for (std::size_t i = 0; i < count; ++i)
        text += fmt::format("[flags.\"ops.f{}\"]\ndescription = \"d\"\nowner = \"o\"\ncreated = 2026-11-01\n"
                            "default = false\n",
                            i);
    return text;
}

std::string flag_with_variants(std::size_t count) {
    std::string list;
    for (std::size_t i = 0; i < count; ++i) list += fmt::format("{}\"v{}\"", i == 0 ? "" : ", ", i);
    return fmt::format("[flags.\"ops.many\"]\ndescription = \"d\"\nowner = \"o\"\ncreated = 2026-11-01\n"
                       "variants = [{}]\ndefault = \"v0\"\n",
                       list);
}

BOOST_AUTO_TEST_CASE(counts_the_generated_types_hold) {
    BOOST_TEST(flags::registry::load_registry_text(ops_flags(65'536), "registry.toml").registry.has_value());
    BOOST_TEST(flags::registry::load_registry_text(flag_with_variants(65'536), "registry.toml").registry.has_value());

    const auto flags = flags::registry::load_registry_text(ops_flags(65'537), "registry.toml");
    BOOST_TEST(!flags.registry.has_value());
    BOOST_TEST(formatted(flags.diagnostics) ==
               "registry.toml:327681:1: error: the registry declares 65537 flags; flags::Flag holds at most 65536\n"
               "    hint: remove flags that have served their purpose (flagctl debt lists them), or give each "
               "project a registry of its own\n");
    const auto variants = flags::registry::load_registry_text(flag_with_variants(65'537), "registry.toml");
    BOOST_TEST(!variants.registry.has_value());
    BOOST_TEST(formatted(variants.diagnostics) ==
               "registry.toml:5:12: error: flag 'ops.many' has 65537 variants; its generated enum holds at most 65536\n"
               "    hint: an experiment compares a few variants: keep the ones in use\n");
}

// A directory registry is the union of its *.toml files; a flag may be declared in only one of them.
BOOST_AUTO_TEST_CASE(directory_with_a_flag_declared_twice) {
    const TempDir dir;
    dir.write("flags/checkout.toml", release_flag);
    dir.write("flags/search.toml", R"toml([flags."release.fast-search"]
description = "Search served by the new index"
owner = "search-team"
created = 2026-10-15
retire_by = 2027-01-30
default = false

[flags."release.new-checkout"]
description = "Copied from checkout.toml"
owner = "search-team"
created = 2026-11-01
retire_by = 2027-01-15
default = true
)toml");
    const auto outcome = load_registry(dir.path() / "flags", {.display_root = dir.path()});
    BOOST_TEST(!outcome.registry.has_value());
    BOOST_TEST(formatted(outcome.diagnostics) ==
               "flags/search.toml:8:1: error: flag 'release.new-checkout' is declared twice; first at "
               "flags/checkout.toml:1\n"
               "    hint: keep one declaration and remove the other\n");
}

// The policy of a directory registry applies to the flags of every file, whichever is read first.
BOOST_AUTO_TEST_CASE(directory_policy_applies_to_files_read_before_it) {
    const TempDir dir;
    dir.write("flags/a.toml", release_flag);
    dir.write("flags/policy.toml", "[policy]\nmax_days = { release = 30 }\n");
    const auto outcome = load_registry(dir.path() / "flags", {.display_root = dir.path()});
    BOOST_TEST(!outcome.registry.has_value());
    BOOST_TEST(formatted(outcome.diagnostics) ==
               "flags/a.toml:5:13: error: flag 'release.new-checkout' lives 75 days from created to retire_by; policy "
               "allows 30 for release flags\n"
               "    hint: set retire_by to 2026-12-01 or earlier\n");
}

// A runtime file may live next to the registry (this repository's flags/ holds both): its top-level
// `schema` marks it, and the registry skips it instead of reporting its keys.
BOOST_AUTO_TEST_CASE(directory_registry_skips_the_runtime_file_beside_it) {
    const TempDir dir;
    dir.write("flags/registry.toml", release_flag);
    dir.write("flags/runtime.toml", "schema = 1\n[flags.\"release.new-checkout\"]\nvalue = true\n");
    const auto outcome = load_registry(dir.path() / "flags", {.display_root = dir.path()});
    BOOST_TEST_REQUIRE(outcome.registry.has_value(), formatted(outcome.diagnostics));
    BOOST_TEST(outcome.diagnostics.empty());
    BOOST_TEST(outcome.registry->view().flags.size() == 1u);
}

// Experiments report exposures unless they say otherwise; other flags only when they ask.
BOOST_AUTO_TEST_CASE(track_defaults_by_type_and_can_be_set) {
    const TempDir dir;
    const auto outcome = load_text(dir, std::string(experiment_flag) + "\n" + release_flag + "track = true\n\n" + ops_flag +
                                            "\n[flags.\"experiment.quiet\"]\ndescription = \"d\"\nowner = \"o\"\n"
                                            "created = 2026-11-01\nretire_by = 2027-01-01\nvariants = [\"a\", \"b\"]\n"
                                            "default = \"a\"\ntrack = false\n");
    BOOST_TEST_REQUIRE(outcome.registry.has_value(), formatted(outcome.diagnostics));
    const auto view = outcome.registry->view();
    BOOST_TEST(view.flags[view.find("experiment.button-color")].track);
    BOOST_TEST(!view.flags[view.find("experiment.quiet")].track);
    BOOST_TEST(view.flags[view.find("release.new-checkout")].track);
    BOOST_TEST(!view.flags[view.find("ops.kill-switch-payments")].track);

    const TempDir bad;
    const auto refused = load_text(bad, std::string(release_flag) + "track = \"yes\"\n");
    BOOST_TEST(!refused.registry.has_value());
    BOOST_TEST(formatted(refused.diagnostics) ==
               "registry.toml:7:9: error: 'track' of flag 'release.new-checkout' must be true or false\n"
               "    hint: track = true reports exposures of the flag to the exposure sink\n");
}

BOOST_AUTO_TEST_CASE(directory_without_toml_files) {
    const TempDir dir;
    dir.write("flags/README.md", "The registry lives here.\n");
    const auto outcome = load_registry(dir.path() / "flags", {.display_root = dir.path()});
    BOOST_TEST(!outcome.registry.has_value());
    BOOST_TEST(formatted(outcome.diagnostics) ==
               "flags: error: the registry directory holds no *.toml files\n"
               "    hint: add a registry file such as registry.toml\n");
}

BOOST_AUTO_TEST_CASE(directory_registry_joins_its_files) {
    const TempDir dir;
    dir.write("flags/ops.toml", ops_flag);
    dir.write("flags/release.toml", release_flag);
    dir.write("flags/notes.txt", "not a registry file, so [not toml at all\n");
    const auto outcome = load_registry(dir.path() / "flags", {.display_root = dir.path()});
    BOOST_TEST_REQUIRE(outcome.registry.has_value(), formatted(outcome.diagnostics));
    const auto view = outcome.registry->view();
    BOOST_TEST_REQUIRE(view.flags.size() == 2u);
    BOOST_TEST(view.flags[0].name == "ops.kill-switch-payments");
    BOOST_TEST(view.flags[1].name == "release.new-checkout");
    BOOST_TEST(outcome.registry->source_of(0).file == "flags/ops.toml");
    BOOST_TEST(outcome.registry->source_of(1).file == "flags/release.toml");
    BOOST_TEST(outcome.registry->files() == (std::vector<std::string>{"flags/ops.toml", "flags/release.toml"}),
               boost::test_tools::per_element());
    BOOST_TEST(view.source == "flags");
}

BOOST_AUTO_TEST_CASE(valid_registry_metadata) {
    const TempDir dir;
    // Declared out of order on purpose: the loaded registry is sorted by name.
    const auto outcome = load_text(dir, R"toml([policy]
warn_days = 10
max_days = { release = 120, experiment = 200 }

[flags."release.new-checkout"]
description = "Redesigned checkout flow"
owner = "payments-team"
created = 2026-11-01
retire_by = 2027-01-15
ticket = "PAY-1234"
default = true

[flags."ops.kill-switch-payments"]
description = "Stop taking payments"
owner = "oncall"
created = 2025-01-01
review_by = 2027-09-01
default = false

[flags."experiment.button-color"]
description = "Checkout button colour test"
owner = "growth"
created = 2026-11-01
retire_by = 2027-02-01
variants = ["blue", "green", "dark-red"]
default = "green"

[flags."permission.early-access"]
description = "Early access for selected customers"
owner = "customer-success"
created = 2026-09-01
default = false
)toml");
    BOOST_TEST_REQUIRE(outcome.registry.has_value(), formatted(outcome.diagnostics));
    BOOST_TEST(outcome.diagnostics.empty());
    const auto& registry = *outcome.registry;
    const auto view = registry.view();

    BOOST_TEST(view.source == "registry.toml");
    BOOST_TEST(registry.policy().warn_days == 10);
    BOOST_TEST(registry.policy().max_days_release.value_or(0) == 120);
    BOOST_TEST(registry.policy().max_days_experiment.value_or(0) == 200);

    BOOST_TEST_REQUIRE(view.flags.size() == 4u);
    BOOST_TEST(view.flags[0].name == "experiment.button-color");
    BOOST_TEST(view.flags[1].name == "ops.kill-switch-payments");
    BOOST_TEST(view.flags[2].name == "permission.early-access");
    BOOST_TEST(view.flags[3].name == "release.new-checkout");
    BOOST_TEST(view.find("release.new-checkout") == 3);
    BOOST_TEST(view.find("release.missing") == -1);

    const auto& experiment = view.flags[0];
    BOOST_TEST(experiment.identifier == "experiment_button_color");
    BOOST_TEST((experiment.type == flags::FlagType::experiment));
    BOOST_TEST(!experiment.is_boolean());
    BOOST_TEST(std::vector<std::string_view>(experiment.variants.begin(), experiment.variants.end()) ==
                   (std::vector<std::string_view>{"blue", "green", "dark-red"}),
               boost::test_tools::per_element());
    BOOST_TEST(experiment.default_value == 1u);
    BOOST_TEST(experiment.value_name(experiment.default_value) == "green");
    BOOST_TEST((experiment.created == date("2026-11-01")));
    BOOST_TEST((experiment.retire_by == date("2027-02-01")));
    BOOST_TEST(!experiment.review_by.has_value());
    BOOST_TEST(experiment.ticket.empty());

    const auto& ops = view.flags[1];
    BOOST_TEST((ops.type == flags::FlagType::ops));
    BOOST_TEST(ops.is_boolean());
    BOOST_TEST(ops.default_value == 0u);
    BOOST_TEST(!ops.retire_by.has_value());
    BOOST_TEST((ops.review_by == date("2027-09-01")));
    BOOST_TEST(ops.owner == "oncall");

    const auto& permission = view.flags[2];
    BOOST_TEST((permission.type == flags::FlagType::permission));
    BOOST_TEST(!permission.retire_by.has_value());
    BOOST_TEST(!permission.review_by.has_value());

    const auto& release = view.flags[3];
    BOOST_TEST(release.identifier == "release_new_checkout");
    BOOST_TEST((release.type == flags::FlagType::release));
    BOOST_TEST(release.description == "Redesigned checkout flow");
    BOOST_TEST(release.owner == "payments-team");
    BOOST_TEST(release.ticket == "PAY-1234");
    BOOST_TEST(release.default_value == 1u);
    BOOST_TEST(release.value_name(release.default_value) == "true");
    BOOST_TEST((release.created == date("2026-11-01")));
    BOOST_TEST((release.retire_by == date("2027-01-15")));

    // Where each flag was declared, for the messages that come after loading.
    const auto& release_source = registry.source_of(3);
    BOOST_TEST(release_source.file == "registry.toml");
    BOOST_TEST(release_source.line == 5);
    BOOST_TEST(release_source.date_line == 9);
    BOOST_TEST(release_source.date_column == 13);
    const auto& permission_source = registry.source_of(2);
    BOOST_TEST(permission_source.line == 28);
    BOOST_TEST(permission_source.date_line == 28);  // no date: the table header
}

BOOST_AUTO_TEST_SUITE_END()
