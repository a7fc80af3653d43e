// Bad input never hurts the host: each case gets a clear error, and the last good snapshot keeps
// serving. The small cases are files in tests/data/bad/; the large and the path cases are made here.
#define BOOST_TEST_MODULE bad_input
#include <boost/test/data/test_case.hpp>
#include <boost/test/unit_test.hpp>

#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>
#include <functional>

#include "reload_support.hpp"

using namespace reload_test;

namespace {

const fs::path corpus = fs::path(FLAGS_TEST_DATA) / "bad";

struct BadCase {
    std::string name;
    // Turns the watched path, a good file in a directory of its own, into the bad case.
    std::function<void(const fs::path& path)> make;
    std::string expected;  // the first error's message; {dir} stands for the watched file's directory
};
std::ostream& operator<<(std::ostream& out, const BadCase& c) { return out << c.name; }

void from_corpus(const fs::path& name, const fs::path& path) {
    fs::copy_file(corpus / name, path, fs::copy_options::overwrite_existing);
}

void replace_with_symlink(const fs::path& path, const fs::path& target) {
    fs::remove(path);
    fs::create_symlink(target, path);
}

std::string large_set(int members) {
    std::string set;
    for (int i = 0; i < members; ++i) set += (i ? ",\"t" : "\"t") + std::to_string(i) + "\"";
    return "schema = 1\n[flags.\"permission.early-access\"]\nvalue = false\n"
           "rules = [{ when = [{ attr = \"tenant\", in = [" + set + "] }], value = true }]\n";
}

// `arrays` arrays of `elements` empty inline tables each: the cheapest text for the most values.
std::string empty_tables(int arrays, int elements) {
    std::string text = "schema = 1\n";
    for (int a = 0; a < arrays; ++a) {
        text += "x" + std::to_string(a) + " = [";
        for (int e = 0; e < elements; ++e) text += e ? ",{}" : "{}";
        text += "]\n";
    }
    return text;
}

// A directory of `count` files of 4 MB of empty tables each, sorted by name in the order written.
void fill_directory(const fs::path& dir, int count) {
    for (int i = 0; i < count; ++i) write_file(dir / ("part-" + std::to_string(i) + ".toml"), empty_tables(1, 1'390'000));
}

// Runs `load` in a child process whose address space may grow by `headroom` bytes at most, as a
// container's memory limit would allow; true when it returned true without running out.
bool within_memory(std::size_t headroom, const std::function<bool()>& load) {
    const pid_t child = ::fork();
    if (child == 0) {
        std::ifstream statm("/proc/self/statm");
        std::size_t pages = 0;
        statm >> pages;
        const auto now = static_cast<rlim_t>(pages) * static_cast<rlim_t>(::sysconf(_SC_PAGESIZE));
        const rlimit limit{.rlim_cur = now + headroom, .rlim_max = now + headroom};
        if (::setrlimit(RLIMIT_AS, &limit) != 0) ::_exit(3);
        ::_exit(load() ? 0 : 1);
    }
    int status = 0;
    if (::waitpid(child, &status, 0) != child) return false;
    return WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

// A legal 1 MB file whose one flag is slow to read: a segment of 100,000 `contains` needles, used by
// 1,000 rules.
std::string costly_segment() {
    std::string needles;
    for (int i = 0; i < 100'000; ++i) needles += (i ? ",\"n" : "\"n") + std::to_string(i) + "\"";
    std::string out = "schema = 1\n[segments]\nagents = [{ attr = \"agent\", contains = [" + needles + "] }]\n"
                      "[flags.\"permission.early-access\"]\nvalue = false\nrules = [\n";
    for (int i = 0; i < 1'000; ++i) out += "  { when = [{ segment = \"agents\" }], value = true },\n";
    return out + "]\n";
}

const std::vector<BadCase> cases = {
    {"binary garbage", [](auto& p) { from_corpus("binary-garbage.toml", p); },
     "the file holds a NUL byte: it is binary data, not TOML"},
    {"invalid UTF-8", [](auto& p) { from_corpus("invalid-utf8.toml", p); },
     "invalid TOML: encountered invalid utf-8 sequence"},
    {"a NUL byte", [](auto& p) { from_corpus("nul-byte.toml", p); },
     "the file holds a NUL byte: it is binary data, not TOML"},
    {"a duplicate key", [](auto& p) { from_corpus("duplicate-key.toml", p); },
     "invalid TOML key-value pair: cannot redefine existing boolean 'value'"},
    {"a duplicate table", [](auto& p) { from_corpus("duplicate-table.toml", p); },
     "invalid TOML: this table is already defined earlier in the file"},
    {"a 100 MB file",
     [](auto& p) {
         write_file(p, "schema = 1\n");
         fs::resize_file(p, 100u << 20);  // sparse: the test costs no disk
     },
     "cannot read the runtime file: the file is 104857600 bytes; the limit is 4194304"},
    // Counted in the text, before toml++ would build (or refuse) anything.
    {"values nested 100,000 deep",
     [](auto& p) { write_file(p, "schema = 1\nx = " + std::string(100'000, '[') + std::string(100'000, ']') + "\n"); },
     "values are nested 33 deep; the limit is 32"},
    {"values nested past the limit",
     [](auto& p) { write_file(p, "schema = 1\nx = " + std::string(40, '[') + std::string(40, ']') + "\n"); },
     "values are nested 33 deep; the limit is 32"},
    {"a million-element set", [](auto& p) { write_file(p, large_set(1'000'000)); },
     "cannot read the runtime file: the file is 9889014 bytes; the limit is 4194304"},
    {"a set past the element limit", [](auto& p) { write_file(p, large_set(100'001)); },
     "an array of 100001 elements; the limit is 100000"},
    {"a duplicate quoted key", [](auto& p) { from_corpus("duplicate-quoted-key.toml", p); },
     "invalid TOML key-value pair: cannot redefine existing string '\"value\"'"},
    {"a flag name with a look-alike letter", [](auto& p) { from_corpus("look-alike-name.toml", p); },
     "flag 'release.n\\u0435w-checkout' is a name no registry can declare: it has 'n\\u0435w-checkout' after the "
     "type, which is not kebab-case: use lowercase letters and digits joined by single hyphens"},
    {"a flag name with a bidi control", [](auto& p) { from_corpus("bidi-name.toml", p); },
     "flag 'release.new\\u202eckout' is a name no registry can declare: it has 'new\\u202eckout' after the type, "
     "which is not kebab-case: use lowercase letters and digits joined by single hyphens"},
    {"a rollout past 2^53", [](auto& p) { from_corpus("rollout-past-2-53.toml", p); },
     "rollout 9007199254740993 is not from 0 to 100"},
    {"a date-time string past 2261", [](auto& p) { from_corpus("date-time-out-of-range.toml", p); },
     "the date-time is out of the supported range (years 1678 to 2261)"},
    {"4 MB of empty tables in one array", [](auto& p) { write_file(p, empty_tables(1, 1'390'000)); },
     "an array of 1390000 elements; the limit is 100000"},
    {"4 MB of empty tables in arrays within the element limit",
     [](auto& p) { write_file(p, empty_tables(13, 99'999)); },
     "the runtime files reach 400001 values (keys, tables and array elements) here; the limit is 400000"},
    {"a flag that costs too much to read", [](auto& p) { write_file(p, costly_segment()); },
     "flag 'permission.early-access' costs 2045 to evaluate at worst; the limit is 250"},
    {"a 1 MB string",
     [](auto& p) {
         write_file(p, "schema = 1\n[flags.\"release.new-checkout\"]\nsalt = \"" + std::string(1u << 20, 'x') + "\"\n");
     },
     "a string of 1048576 bytes; the limit is 4096"},
    {"a FIFO as the path",
     [](auto& p) {
         fs::remove(p);
         BOOST_REQUIRE(::mkfifo(p.c_str(), 0600) == 0);
     },
     "cannot read the runtime file: it is a FIFO, not a regular file"},
    {"/dev/zero as the path", [](auto& p) { replace_with_symlink(p, "/dev/zero"); },
     "cannot read the runtime file: it is a device or socket, not a regular file"},
    {"a directory as the path",
     [](auto& p) {
         fs::remove(p);
         fs::create_directory(p);
     },
     "the runtime directory holds no *.toml files"},
    {"a symlink loop",
     [](auto& p) {
         replace_with_symlink(p, "loop.toml");
         fs::create_symlink(p.filename(), p.parent_path() / "loop.toml");
     },
     "cannot read the runtime file: too many levels of symbolic links (a symlink loop?)"},
    {"a file other users can write",
     [](auto& p) { fs::permissions(p, fs::perms::others_write, fs::perm_options::add); },
     "cannot read the runtime file: the file is writable by other users (mode 0646)"},
    {"a directory other users can write",
     [](auto& p) { fs::permissions(p.parent_path(), fs::perms::group_write, fs::perm_options::add); },
     "cannot read the runtime file: directory {dir} is writable by other users (mode 0775)"},
    {"a file owned by another user",
     [](auto& p) {
         if (::geteuid() == 0) BOOST_REQUIRE(::chown(p.c_str(), 65534, 65534) == 0);
     },
     ::geteuid() == 0 ? "cannot read the runtime file: the file is owned by uid 65534, neither root nor this process's user"
                      : ""},
};

}  // namespace

BOOST_AUTO_TEST_SUITE(bad_input)

BOOST_DATA_TEST_CASE(each_case_is_refused_and_the_good_snapshot_serves, boost::unit_test::data::make(cases), c) {
    if (c.expected.empty()) return;  // a case that needs root to set up
    Scratch scratch;
    const auto dir = scratch.path / "conf";
    fs::create_directory(dir);
    fs::permissions(dir, fs::perms(0755));
    const auto file = dir / "flags.toml";
    write_file(file, content("green"));
    flags::Runtime runtime(file);
    BOOST_REQUIRE(runtime.reload().published);

    c.make(file);
    const auto report = runtime.reload();
    BOOST_TEST(!report.ok());
    BOOST_TEST(!report.published);
    BOOST_REQUIRE(!report.diagnostics.empty());
    auto expected = c.expected;
    if (const auto at = expected.find("{dir}"); at != std::string::npos) expected.replace(at, 5, dir.string());
    BOOST_TEST(report.diagnostics.front().message == expected);
    BOOST_TEST(report.diagnostics.front().file == file.string());
    BOOST_TEST(!report.diagnostics.front().hint.empty());
    // The good snapshot keeps serving.
    BOOST_TEST((runtime.variant<Flag::experiment_button_color>({}) == ButtonColor::green));
    BOOST_TEST(runtime.generation() == 1u);
}

// Root reads anything, so the unreadable file is read by a child process that gave up root.
BOOST_AUTO_TEST_CASE(an_unreadable_file_is_refused) {
    Scratch scratch;
    ::chmod(scratch.path.c_str(), 0755);
    const auto file = scratch.path / "flags.toml";
    write_file(file, content("green"));
    ::chmod(file.c_str(), 0600);
    const pid_t child = ::fork();
    if (child == 0) {
        if (::geteuid() == 0 && (::setgid(65534) != 0 || ::setuid(65534) != 0)) ::_exit(3);
        if (::geteuid() != 0) ::chmod(file.c_str(), 0000);
        flags::Runtime runtime(file);
        const auto report = runtime.reload();
        const bool refused = !report.ok() && !report.diagnostics.empty() &&
                             report.diagnostics.front().message == "cannot read the runtime file: permission denied";
        ::_exit(refused ? 0 : 1);
    }
    int status = 0;
    BOOST_REQUIRE(::waitpid(child, &status, 0) == child);
    BOOST_TEST(WIFEXITED(status));
    BOOST_TEST(WEXITSTATUS(status) == 0);
}

BOOST_AUTO_TEST_CASE(the_permission_check_can_be_turned_off_for_development) {
    Scratch scratch;
    const auto file = scratch.path / "flags.toml";
    write_file(file, content("red"));
    fs::permissions(file, fs::perms::others_write, fs::perm_options::add);
    flags::Runtime runtime(file);
    const auto report = runtime.start({.watch = false, .require_secure_permissions = false, .log = [](std::string_view) {}});
    BOOST_TEST(report.ok());
    BOOST_TEST((runtime.variant<Flag::experiment_button_color>({}) == ButtonColor::red));
}

BOOST_AUTO_TEST_CASE(limits_are_configurable) {
    Scratch scratch;
    const auto file = scratch.path / "flags.toml";
    write_file(file, content("red"));
    flags::Runtime runtime(file);
    flags::RuntimeOptions options{.watch = false, .log = [](std::string_view) {}};
    options.limits.max_file_bytes = 64;
    const auto report = runtime.start(options);
    BOOST_TEST(!report.ok());
    BOOST_REQUIRE(!report.load.diagnostics.empty());
    BOOST_TEST(report.load.diagnostics.front().message.find("the limit is 64") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(a_directory_past_the_total_size_is_refused_before_the_file_past_it_is_read) {
    Scratch scratch;
    const auto dir = scratch.path / "conf.d";
    fs::create_directory(dir);
    fill_directory(dir, 5);
    flags::Runtime runtime(dir);
    const auto report = runtime.reload();
    BOOST_TEST(!report.published);
    BOOST_REQUIRE(!report.diagnostics.empty());
    const auto size = fs::file_size(dir / "part-0.toml");
    BOOST_TEST(report.diagnostics.front().file == (dir / "part-4.toml").string());
    BOOST_TEST(report.diagnostics.front().message ==
               "cannot read the runtime file: with it the runtime files hold " + std::to_string(5 * size) +
                   " bytes; the limit for all of them is 16777216");
    BOOST_TEST(report.diagnostics.front().hint ==
               "keep only this service's files in the directory, or raise RuntimeOptions::limits.max_total_bytes; "
               "the last good snapshot keeps serving");
}

BOOST_AUTO_TEST_CASE(the_total_size_limit_is_configurable) {
    Scratch scratch;
    const auto dir = scratch.path / "conf.d";
    fs::create_directory(dir);
    write_file(dir / "a.toml", content("red"));
    write_file(dir / "b.toml", "schema = 1\n");
    flags::Runtime runtime(dir);
    flags::RuntimeOptions options{.watch = false, .log = [](std::string_view) {}};
    options.limits.max_total_bytes = fs::file_size(dir / "a.toml") + 5;
    const auto report = runtime.start(options);
    BOOST_TEST(!report.ok());
    BOOST_REQUIRE(!report.load.diagnostics.empty());
    BOOST_TEST(report.load.diagnostics.front().file == (dir / "b.toml").string());
}

// A file within the size limits is refused without building what it describes: each load below
// runs in a child process whose address space may grow by a container's 128 MiB at most (64 MiB
// where the text alone is refused, to show that nothing was built), and must end in the limit's
// message, not in "out of memory". (Under AddressSanitizer the limit measures the sanitizer, whose
// shadow and quarantine dwarf the loader's own use, so the check runs in the other builds.)
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
constexpr bool measures_the_loader = false;
#else
constexpr bool measures_the_loader = true;
#endif
constexpr std::size_t container_limit = std::size_t{128} << 20;
constexpr std::size_t text_only = std::size_t{64} << 20;

bool refused_with(const fs::path& path, std::string_view message) {
    flags::Runtime runtime(path);
    const auto report = runtime.reload();
    return !report.published && !report.diagnostics.empty() &&
           report.diagnostics.front().message.find(message) != std::string::npos;
}

BOOST_AUTO_TEST_CASE(refusing_a_file_of_millions_of_values_stays_under_128_mib, *boost::unit_test::enable_if<measures_the_loader>()) {
    Scratch scratch;
    const auto file = scratch.path / "flags.toml";
    write_file(file, empty_tables(1, 1'390'000));
    BOOST_TEST(within_memory(text_only, [&] { return refused_with(file, "an array of 1390000 elements"); }));
    write_file(file, empty_tables(13, 99'999));
    BOOST_TEST(within_memory(text_only, [&] { return refused_with(file, "the limit is 400000"); }));
}

BOOST_AUTO_TEST_CASE(refusing_a_file_just_within_the_value_budget_stays_under_128_mib, *boost::unit_test::enable_if<measures_the_loader>()) {
    // 399,000 top-level keys pass the count in the text, are parsed (the costliest values a file can
    // hold), and each is an unknown key: the messages stop at Reporter::max_diagnostics.
    Scratch scratch;
    const auto file = scratch.path / "flags.toml";
    std::string text = "schema = 1\n";
    for (int i = 0; i < 399'000; ++i) text += "k" + std::to_string(i) + "=1\n";
    write_file(file, text);
    BOOST_TEST(within_memory(container_limit, [&] {
        flags::Runtime runtime(file);
        const auto report = runtime.reload();
        return !report.published && report.diagnostics.size() == 1001 &&
               report.diagnostics.front().message == "more than 1000 problems; the rest are not listed";
    }));
}

// 4 MB of `contains` needles would make an automaton of tens of bytes per needle byte; a file refused
// for its evaluation cost must not build it first.
BOOST_AUTO_TEST_CASE(refusing_a_costly_file_of_long_needle_lists_stays_under_128_mib, *boost::unit_test::enable_if<measures_the_loader>()) {
    Scratch scratch;
    const auto file = scratch.path / "flags.toml";
    // Needles of 400 letters that share little, so that their trie has a node for nearly every byte.
    std::string needles;
    std::uint64_t state = 1;
    while (needles.size() < 4'000'000) {
        needles += needles.empty() ? "\"" : ",\"";
        for (int i = 0; i < 400; ++i) {
            state = state * 6364136223846793005u + 1442695040888963407u;
            needles += static_cast<char>('a' + (state >> 59) % 26);
        }
        needles += '"';
    }
    std::string text = "schema = 1\n[segments]\nagents = [{ attr = \"agent\", contains = [" + needles + "] }]\n"
                       "[flags.\"permission.early-access\"]\nvalue = false\nrules = [\n";
    for (int i = 0; i < 300; ++i) text += "  { when = [{ segment = \"agents\" }], value = true },\n";
    write_file(file, text + "]\n");
    BOOST_TEST(within_memory(container_limit, [&] { return refused_with(file, "to evaluate at worst"); }));
}

BOOST_AUTO_TEST_CASE(refusing_a_directory_of_large_files_stays_under_128_mib, *boost::unit_test::enable_if<measures_the_loader>()) {
    Scratch scratch;
    const auto dir = scratch.path / "conf.d";
    fs::create_directory(dir);
    fill_directory(dir, 16);
    BOOST_TEST(within_memory(text_only, [&] { return refused_with(dir, "the limit for all of them"); }));
    // With the total raised, the 64 MiB of text are read, and counted before any of them is parsed.
    flags::RuntimeOptions options{.watch = false, .log = [](std::string_view) {}};
    options.limits.max_total_bytes = std::size_t{1} << 30;
    BOOST_TEST(within_memory(container_limit, [&] {
        flags::Runtime runtime(dir);
        const auto report = runtime.start(options);
        return !report.ok() && !report.load.diagnostics.empty() &&
               report.load.diagnostics.front().message.find("an array of 1390000 elements") != std::string::npos;
    }));
}

BOOST_AUTO_TEST_CASE(the_evaluation_cost_limit_is_configurable) {
    Scratch scratch;
    const auto file = scratch.path / "flags.toml";
    write_file(file, costly_segment());
    flags::Runtime runtime(file);
    flags::RuntimeOptions options{.watch = false, .log = [](std::string_view) {}};
    options.limits.max_evaluation_cost = 2045;
    BOOST_TEST(runtime.start(options).ok());
    // The automaton answers as the needles would, one at a time.
    BOOST_TEST(runtime.enabled<Flag::permission_early_access>({.attributes = {{"agent", "bot-n99999-x"}}}));
    BOOST_TEST(runtime.enabled<Flag::permission_early_access>({.attributes = {{"agent", "n0"}}}));
    BOOST_TEST(!runtime.enabled<Flag::permission_early_access>({.attributes = {{"agent", "nx1"}}}));
    BOOST_TEST(!runtime.enabled<Flag::permission_early_access>({}));
}

BOOST_AUTO_TEST_SUITE_END()
