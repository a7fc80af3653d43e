// Bad input never hurts the host: each case gets a clear error, and the last good snapshot keeps
// serving. The small cases are files in tests/data/bad/; the large and the path cases are made here.
#define BOOST_TEST_MODULE bad_input
#include <boost/test/data/test_case.hpp>
#include <boost/test/unit_test.hpp>

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
    {"values nested 100,000 deep",
     [](auto& p) { write_file(p, "schema = 1\nx = " + std::string(100'000, '[') + std::string(100'000, ']') + "\n"); },
     "invalid TOML value: exceeded maximum nested value depth of 256 (TOML_MAX_NESTED_VALUES)"},
    {"values nested past the limit",
     [](auto& p) { write_file(p, "schema = 1\nx = " + std::string(40, '[') + std::string(40, ']') + "\n"); },
     "values are nested 33 deep; the limit is 32"},
    {"a million-element set", [](auto& p) { write_file(p, large_set(1'000'000)); },
     "cannot read the runtime file: the file is 9889014 bytes; the limit is 4194304"},
    {"a set past the element limit", [](auto& p) { write_file(p, large_set(100'001)); },
     "an array of 100001 elements; the limit is 100000"},
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
