// Every way config management delivers a file, reproduced with the real tools: the runtime ends on
// the new content and never publishes a partial or invalid file on the way.
#define BOOST_TEST_MODULE delivery
#include <boost/test/data/monomorphic.hpp>
#include <boost/test/data/test_case.hpp>
#include <boost/test/unit_test.hpp>

#include <fcntl.h>
#include <stdio.h>
#include <cstring>

#include <atomic>
#include <fstream>

#include "reload_support.hpp"

using namespace reload_test;

namespace {

// A runtime watching <scratch>/flags.toml, which starts green.
struct Fixture {
    explicit Fixture(flags::RuntimeOptions with = {}) : options(with) {
        write_file(file, content("green"));
        runtime = std::make_unique<WatchedRuntime>(file, options);
        BOOST_REQUIRE(runtime->start_report.ok());
        BOOST_REQUIRE(runtime->color() == ButtonColor::green);
    }
    Scratch scratch;
    fs::path file = scratch.path / "flags.toml";
    flags::RuntimeOptions options{};
    std::unique_ptr<WatchedRuntime> runtime;
};

// How a deploy replaces a directory on the path: renames the old one away and the new one in, swaps
// the two in one renameat2(RENAME_EXCHANGE), or retargets a symlink to it (ln -s, then mv -T over).
enum class Replacement { rename, exchange, symlink };
constexpr const char* replacement_names[] = {"rename", "exchange", "symlink"};

std::ostream& operator<<(std::ostream& out, Replacement r) { return out << replacement_names[static_cast<int>(r)]; }

// <scratch>/a/b/c/flags.toml, of which one ancestor (`level` 1: c, 2: b, 3: a) is replaced whole.
// With `symlink`, that ancestor is a symlink to a versioned directory from the start.
struct AncestorLayout {
    AncestorLayout(int level, Replacement how) : level(level), how(how) {
        const fs::path top = scratch.path / relative_to(level);  // the part above the replaced one
        fs::create_directories(top);
        make_tree(top / (how == Replacement::symlink ? name() + ".v1" : name()), "green");
        if (how == Replacement::symlink) fs::create_directory_symlink(name() + ".v1", top / name());
    }

    // Builds the new version beside the old one, then puts it in place.
    void replace(std::string_view color) {
        const fs::path top = scratch.path / relative_to(level);
        const std::string next = name() + (how == Replacement::symlink ? ".v2" : ".new");
        make_tree(top / next, color);
        switch (how) {
        case Replacement::rename: shell(top, "mv " + name() + " " + name() + ".old && mv " + next + " " + name()); break;
        case Replacement::exchange:
            BOOST_REQUIRE_MESSAGE(::renameat2(AT_FDCWD, (top / next).c_str(), AT_FDCWD, (top / name()).c_str(),
                                              RENAME_EXCHANGE) == 0,
                                  "renameat2: " << std::strerror(errno));
            break;
        case Replacement::symlink: shell(top, "ln -s " + next + " " + name() + ".tmp && mv -T " + name() + ".tmp " + name()); break;
        }
    }

    Scratch scratch;
    int level;
    Replacement how;
    fs::path file = scratch.path / "a" / "b" / "c" / "flags.toml";

private:
    std::string name() const { return std::string(1, static_cast<char>('d' - level)); }  // c, b or a
    static fs::path relative_to(int level) {
        fs::path top;
        for (int i = 3; i > level; --i) top /= std::string(1, static_cast<char>('d' - i));
        return top;
    }
    // The directory for this level, with the rest of the path below it and a file of `color`.
    void make_tree(const fs::path& root, std::string_view color) const {
        fs::path dir = root;
        for (int i = level - 1; i >= 1; --i) dir /= std::string(1, static_cast<char>('d' - i));
        fs::create_directories(dir);
        write_file(dir / "flags.toml", content(color));
    }
};

// Holds a runtime's watcher thread inside its next publish's listener until released, so that what
// happens on disk meanwhile reaches the watcher as one batch of events. Constructed before the
// runtime it holds and destroyed after it: the listener reads it until the runtime is gone.
struct WatcherHold {
    void attach(flags::Runtime& runtime) {
        runtime.on_change([this](std::uint64_t) {
            while (hold.load()) {
                held = true;
                std::this_thread::sleep_for(std::chrono::milliseconds(2));
            }
        });
    }
    std::atomic<bool> hold{true}, held{false};
};

const auto levels = boost::unit_test::data::make({1, 2, 3});
const auto replacements = boost::unit_test::data::make({Replacement::rename, Replacement::exchange, Replacement::symlink});

}  // namespace

BOOST_AUTO_TEST_SUITE(delivery)

// A deploy that replaces the parent, the grandparent or the great-grandparent of the file is served,
// and so is a later change inside the new tree: the watches moved with it.
BOOST_DATA_TEST_CASE(a_replaced_ancestor_is_served, levels * replacements, level, how) {
    AncestorLayout layout(level, how);
    WatchedRuntime runtime(layout.file);
    BOOST_REQUIRE(runtime.color() == ButtonColor::green);
    layout.replace("red");
    BOOST_TEST(runtime.wait_for_color(ButtonColor::red));
    deliver_by_rename(layout.file, content("blue"));
    BOOST_TEST(runtime.wait_for_color(ButtonColor::blue));
    BOOST_TEST(runtime.runtime().status().mechanism == flags::WatchMechanism::inotify);
    runtime.check_all_complete();
}

// The poller compares each component's identity, so it sees the same replacements.
BOOST_DATA_TEST_CASE(polling_serves_a_replaced_ancestor, levels * replacements, level, how) {
    AncestorLayout layout(level, how);
    WatchedRuntime runtime(layout.file, {.force_polling = true, .poll_interval = std::chrono::milliseconds(50)});
    BOOST_REQUIRE(runtime.color() == ButtonColor::green);
    layout.replace("red");
    BOOST_TEST(runtime.wait_for_color(ButtonColor::red));
}

// ln -f puts a new inode under the name with no write and no close to wait for: it is complete.
BOOST_DATA_TEST_CASE(a_hard_link_deploy_is_loaded_within_the_quiet_period,
                     boost::unit_test::data::make({"ln -f staging/flags.toml flags.toml",
                                                   "rm flags.toml && ln staging/flags.toml flags.toml",
                                                   "rm flags.toml && ln staging/flags.toml flags.toml && rm staging/flags.toml",
                                                   "ln -f staging/flags.toml flags.toml && rm staging/flags.toml"}),
                     command) {
    Fixture f;
    fs::create_directory(f.scratch.path / "staging");
    write_file(f.scratch.path / "staging" / "flags.toml", content("red"));
    shell(f.scratch.path, command);
    // Far sooner than the 30 s after which a write that never closes is taken as abandoned.
    BOOST_TEST(f.runtime->wait_for_color(ButtonColor::red));
    f.runtime->check_all_complete();
}

// Editors and tools leave files beside the runtime files: Emacs's lock (a dangling symlink), hidden
// files, backups and swap files. Each holds what would be refused, were it read.
BOOST_AUTO_TEST_CASE(a_runtime_directory_ignores_editor_and_tool_droppings) {
    Scratch scratch;
    const auto dir = scratch.path / "flags.d";
    fs::create_directory(dir);
    write_file(dir / "flags.toml", content("green"));
    WatchedRuntime runtime(dir);
    BOOST_REQUIRE(runtime.color() == ButtonColor::green);
    const auto before = runtime.runtime().status();

    shell(dir, "ln -s root@host.4242:1764480000 .#flags.toml");  // what Emacs makes while a buffer is modified
    shell(dir, "printf 'not toml [' > .x.toml && printf 'not toml [' > flags.toml~ && printf 'not toml [' > .flags.toml.swp");
    WatchedRuntime::settle();
    const auto after = runtime.runtime().status();
    BOOST_TEST(after.state == flags::SourceState::ok);
    BOOST_TEST(after.refused_missing + after.refused_invalid == before.refused_missing + before.refused_invalid);
    BOOST_TEST(runtime.runtime().reload().ok());

    deliver_by_rename(dir / "flags.toml", content("red"));  // through the droppings, a real change is served
    BOOST_TEST(runtime.wait_for_color(ButtonColor::red));
    const auto report = runtime.runtime().reload();
    BOOST_TEST(report.ok());
    BOOST_TEST(report.diagnostics.empty());
}

// A Kubernetes ConfigMap mounted as a directory: the runtime files are symlinks into `..data`, which
// the kubelet swaps; the swap is the only event, and it is in the volume's hidden names.
BOOST_AUTO_TEST_CASE(a_configmap_volume_as_a_runtime_directory) {
    Scratch volume;
    const auto& v = volume.path;
    fs::create_directory(v / "..2026_11_30_10_00_00.000000001");
    write_file(v / "..2026_11_30_10_00_00.000000001" / "flags.toml", content("green"));
    fs::create_directory_symlink("..2026_11_30_10_00_00.000000001", v / "..data");
    fs::create_symlink("..data/flags.toml", v / "flags.toml");
    WatchedRuntime runtime(v);
    BOOST_REQUIRE(runtime.color() == ButtonColor::green);

    fs::create_directory(v / "..2026_11_30_10_05_00.000000002");
    write_file(v / "..2026_11_30_10_05_00.000000002" / "flags.toml", content("red"));
    shell(v, "ln -s ..2026_11_30_10_05_00.000000002 ..data_tmp && mv -T ..data_tmp ..data && "
             "rm -rf ..2026_11_30_10_00_00.000000001");
    BOOST_TEST(runtime.wait_for_color(ButtonColor::red));
    runtime.check_all_complete();
}

BOOST_AUTO_TEST_CASE(mv_renames_over_the_file_in_one_generation) {
    Fixture f;
    const auto before = f.runtime->generation();
    write_file(f.scratch.path / ".flags.toml.new", content("red"));
    shell(f.scratch.path, "mv .flags.toml.new flags.toml");
    BOOST_TEST(f.runtime->wait_for_color(ButtonColor::red));
    WatchedRuntime::settle();
    BOOST_TEST(f.runtime->generation() == before + 1);  // one save, one generation
    f.runtime->check_all_complete();
}

BOOST_AUTO_TEST_CASE(rsync_writes_a_temporary_and_renames_it) {
    Fixture f;
    Scratch source;
    write_file(source.path / "flags.toml", content("red"));
    shell(f.scratch.path, "rsync '" + (source.path / "flags.toml").string() + "' flags.toml");
    BOOST_TEST(f.runtime->wait_for_color(ButtonColor::red));
    f.runtime->check_all_complete();
}

BOOST_AUTO_TEST_CASE(gnu_install_replaces_the_file) {
    Fixture f;
    Scratch source;
    write_file(source.path / "flags.toml", content("red"));
    shell(f.scratch.path, "install -m 644 '" + (source.path / "flags.toml").string() + "' flags.toml");
    BOOST_TEST(f.runtime->wait_for_color(ButtonColor::red));
    f.runtime->check_all_complete();
}

BOOST_AUTO_TEST_CASE(git_checkout_switches_the_file) {
    Scratch repo;
    write_file(repo.path / "flags.toml", content("green"));
    shell(repo.path,
          "git init -q -b main . && git -c user.name=t -c user.email=t@e add flags.toml && "
          "git -c user.name=t -c user.email=t@e commit -qm green && git checkout -q -b red");
    write_file(repo.path / "flags.toml", content("red"));
    shell(repo.path, "git -c user.name=t -c user.email=t@e commit -qam red && git checkout -q main");
    WatchedRuntime runtime(repo.path / "flags.toml");
    BOOST_REQUIRE(runtime.color() == ButtonColor::green);
    shell(repo.path, "git checkout -q red");
    BOOST_TEST(runtime.wait_for_color(ButtonColor::red));
    shell(repo.path, "git checkout -q main");
    BOOST_TEST(runtime.wait_for_color(ButtonColor::green));
    runtime.check_all_complete();
}

// The kubelet's atomic writer, step by step: the watched name is a symlink to ..data/flags.toml;
// ..data is a symlink to a timestamped directory. An update writes a new timestamped directory,
// points a temporary symlink at it, renames that over ..data, then removes the old directory.
BOOST_AUTO_TEST_CASE(kubernetes_configmap_volume_update) {
    Scratch volume;
    const auto& v = volume.path;
    fs::create_directory(v / "..2026_11_21_10_00_00.000000001");
    write_file(v / "..2026_11_21_10_00_00.000000001" / "flags.toml", content("green"));
    fs::create_directory_symlink("..2026_11_21_10_00_00.000000001", v / "..data");
    fs::create_symlink("..data/flags.toml", v / "flags.toml");

    WatchedRuntime runtime(v / "flags.toml");
    BOOST_REQUIRE(runtime.color() == ButtonColor::green);
    const auto before = runtime.generation();

    fs::create_directory(v / "..2026_11_21_10_05_00.000000002");
    write_file(v / "..2026_11_21_10_05_00.000000002" / "flags.toml", content("red"));
    shell(v, "ln -s ..2026_11_21_10_05_00.000000002 ..data_tmp");
    shell(v, "mv -T ..data_tmp ..data");  // rename(2) over the old symlink
    shell(v, "rm -rf ..2026_11_21_10_00_00.000000001");
    BOOST_TEST(runtime.wait_for_color(ButtonColor::red));

    // A second update proves the watches moved on to the new timestamped directory.
    fs::create_directory(v / "..2026_11_21_10_10_00.000000003");
    write_file(v / "..2026_11_21_10_10_00.000000003" / "flags.toml", content("blue"));
    shell(v, "ln -s ..2026_11_21_10_10_00.000000003 ..data_tmp && mv -T ..data_tmp ..data && "
             "rm -rf ..2026_11_21_10_05_00.000000002");
    BOOST_TEST(runtime.wait_for_color(ButtonColor::blue));
    WatchedRuntime::settle();
    BOOST_TEST(runtime.generation() == before + 2);
    runtime.check_all_complete();
}

BOOST_AUTO_TEST_CASE(cp_rewrites_in_place) {
    Fixture f;
    Scratch source;
    write_file(source.path / "flags.toml", content("red"));
    shell(f.scratch.path, "cp '" + (source.path / "flags.toml").string() + "' flags.toml");
    BOOST_TEST(f.runtime->wait_for_color(ButtonColor::red));
    f.runtime->check_all_complete();
}

// Truncate, write the first lines (valid TOML on their own), pause far longer than the quiet
// period, write the rest, close. The first half must never be published. The rewrite starts right
// after another change: a complete save (cp, loaded at once, whose load may still be reading as the
// rewrite truncates) or a touch (whose quiet period is still running, so that the load it arms falls in
// the middle of the pause).
BOOST_DATA_TEST_CASE(shell_redirect_with_a_pause_mid_file_publishes_only_the_whole,
                     boost::unit_test::data::make({"cp previous.toml flags.toml", "touch flags.toml"}), before) {
    Fixture f;
    Scratch source;
    write_file(source.path / "flags.toml", content("red"));
    write_file(f.scratch.path / "previous.toml", content("green", "a save just before"));
    const auto src = "'" + (source.path / "flags.toml").string() + "'";
    shell(f.scratch.path, std::string(before) + " && { head -n 4 " + src + "; sleep 0.8; tail -n +5 " + src +
                              "; } > flags.toml");
    BOOST_TEST(f.runtime->wait_for_color(ButtonColor::red));
    f.runtime->check_all_complete();
    for (const auto& p : f.runtime->published()) BOOST_TEST(p.complete());
}

BOOST_AUTO_TEST_CASE(sed_in_place) {
    Fixture f;
    shell(f.scratch.path, "sed -i 's/green/red/' flags.toml");
    BOOST_TEST(f.runtime->wait_for_color(ButtonColor::red));
    f.runtime->check_all_complete();
}

BOOST_AUTO_TEST_CASE(vim_save_is_one_generation) {
    Fixture f;
    const auto before = f.runtime->generation();
    shell(f.scratch.path, "vim -u NONE -i NONE -N -n -es -c '%s/green/red/' -c 'wq' flags.toml < /dev/null");
    BOOST_TEST(f.runtime->wait_for_color(ButtonColor::red));
    WatchedRuntime::settle();
    BOOST_TEST(f.runtime->generation() == before + 1);
    f.runtime->check_all_complete();
}

BOOST_AUTO_TEST_CASE(rewriting_identical_content_publishes_nothing) {
    Fixture f;
    const auto before = f.runtime->generation();
    shell(f.scratch.path, "cp flags.toml copy.toml && cp copy.toml flags.toml && touch flags.toml");
    WatchedRuntime::settle();
    BOOST_TEST(f.runtime->generation() == before);
}

BOOST_AUTO_TEST_CASE(delete_then_recreate_keeps_serving_and_reports_missing) {
    Fixture f;
    shell(f.scratch.path, "rm flags.toml");
    BOOST_TEST(f.runtime->wait_for([&] { return f.runtime->runtime().status().state == flags::SourceState::missing; }));
    BOOST_TEST(f.runtime->logged("missing"));
    BOOST_TEST((f.runtime->color() == ButtonColor::green));  // the last good snapshot
    const auto status = f.runtime->runtime().status();
    BOOST_TEST(status.stale);
    BOOST_TEST(status.consecutive_failures >= 1u);

    std::this_thread::sleep_for(std::chrono::milliseconds(1500));
    write_file(f.scratch.path / "new.toml", content("red"));
    shell(f.scratch.path, "mv new.toml flags.toml");
    BOOST_TEST(f.runtime->wait_for_color(ButtonColor::red));
    BOOST_TEST(f.runtime->runtime().status().state == flags::SourceState::ok);
    BOOST_TEST(!f.runtime->runtime().status().stale);
}

BOOST_AUTO_TEST_CASE(directory_removed_and_recreated) {
    Scratch scratch;
    fs::create_directory(scratch.path / "conf");
    write_file(scratch.path / "conf" / "flags.toml", content("green"));
    WatchedRuntime runtime(scratch.path / "conf" / "flags.toml");
    BOOST_REQUIRE(runtime.color() == ButtonColor::green);
    shell(scratch.path, "rm -rf conf");
    BOOST_TEST(runtime.wait_for([&] { return runtime.runtime().status().state == flags::SourceState::missing; }));
    BOOST_TEST((runtime.color() == ButtonColor::green));
    shell(scratch.path, "mkdir conf && printf '%s' '" + content("red") + "' > conf/flags.toml");
    BOOST_TEST(runtime.wait_for_color(ButtonColor::red));
    runtime.check_all_complete();
}

BOOST_AUTO_TEST_CASE(a_path_that_does_not_exist_at_start_serves_defaults_until_it_appears) {
    Scratch scratch;
    const auto file = scratch.path / "not" / "yet" / "flags.toml";
    WatchedRuntime runtime(file);
    BOOST_TEST(runtime.start_report.started);
    BOOST_TEST(!runtime.start_report.load.ok());
    BOOST_TEST(runtime.runtime().status().state == flags::SourceState::missing);
    BOOST_TEST((runtime.color() == ButtonColor::blue));  // the registry default
    BOOST_TEST(runtime.generation() == 0u);

    fs::create_directories(file.parent_path());
    deliver_by_rename(file, content("red"));
    BOOST_TEST(runtime.wait_for_color(ButtonColor::red));
}

BOOST_AUTO_TEST_CASE(a_burst_of_a_thousand_writes_ends_on_the_last) {
    Fixture f;
    for (int i = 0; i < 1000; ++i) write_file(f.file, content(i % 2 ? "green" : "red", std::to_string(i)));
    write_file(f.file, content("blue", "final"));
    BOOST_TEST(f.runtime->wait_for_color(ButtonColor::blue));
    WatchedRuntime::settle();
    BOOST_TEST((f.runtime->color() == ButtonColor::blue));
    f.runtime->check_all_complete();
}

// A listener that stalls the watcher thread lets the kernel's event queue (16384 events by
// default) overflow; the watcher must then re-read everything.
BOOST_AUTO_TEST_CASE(inotify_queue_overflow_leads_to_a_full_reread) {
    std::atomic<bool> stall{true};  // declared first: the listener reading it runs until the runtime is gone
    Fixture f;
    f.runtime->runtime().on_change([&](std::uint64_t) {
        while (stall.load()) std::this_thread::sleep_for(std::chrono::milliseconds(5));
    });
    deliver_by_rename(f.file, content("red"));  // the watcher publishes red and stalls in the listener
    BOOST_REQUIRE(f.runtime->wait_for_color(ButtonColor::red));
    for (int i = 0; i < 9000; ++i) {  // two events each
        const auto noise = f.scratch.path / ("noise-" + std::to_string(i));
        std::ofstream{noise};
        fs::remove(noise);
    }
    deliver_by_rename(f.file, content("blue"));  // its event is lost in the overflow
    stall = false;
    BOOST_TEST(f.runtime->wait_for_color(ButtonColor::blue));
    BOOST_TEST(f.runtime->logged("watch_overflow"));

    // Events were lost, so inotify is no longer trusted: the watcher says so, and the poller serves.
    const auto status = f.runtime->runtime().status();
    BOOST_TEST(status.mechanism == flags::WatchMechanism::blind);
    BOOST_TEST(status.watch_problem ==
               "the inotify event queue overflowed and events were lost, see fs.inotify.max_queued_events");
    BOOST_TEST(f.runtime->runtime().metrics_text().find("flagstone_watcher{mechanism=\"blind\"} 1\n") != std::string::npos);
    BOOST_TEST(f.runtime->logged_with("degraded", status.watch_problem));
    deliver_by_rename(f.file, content("green"));
    BOOST_TEST(f.runtime->wait_for_color(ButtonColor::green));
}

// Root reads every directory, so as root a case that needs a directory this process cannot read runs
// again as nobody, and passes if that run does.
bool ran_as_nobody(const std::string& test_case) {
    if (::geteuid() != 0) return false;
    const auto self = fs::read_symlink("/proc/self/exe").string();
    const std::string command =
        "setpriv --reuid=65534 --regid=65534 --clear-groups '" + self + "' --run_test=delivery/" + test_case;
    BOOST_TEST(std::system(command.c_str()) == 0);
    return true;
}

// <scratch>/conf/live/flags.toml, whose `live` is replaced by a new directory of mode `mode`.
void replace_live(const fs::path& conf, std::string_view color, fs::perms mode) {
    fs::create_directory(conf / "live.new");
    write_file(conf / "live.new" / "flags.toml", content(color));
    fs::permissions(conf / "live.new", mode);
    fs::rename(conf / "live", conf / "live.old");
    fs::rename(conf / "live.new", conf / "live");
    fs::permissions(conf / "live.old", fs::perms(0755));
    fs::remove_all(conf / "live.old");
}

// A deploy that leaves the file's directory searchable but not readable by the service: inotify
// cannot watch it, so changes to the file would go unseen.
BOOST_AUTO_TEST_CASE(a_directory_that_cannot_be_watched_is_reported_and_polled) {
    if (ran_as_nobody("a_directory_that_cannot_be_watched_is_reported_and_polled")) return;
    Scratch scratch;
    const auto conf = scratch.path / "conf";
    fs::create_directories(conf / "live");
    write_file(conf / "live" / "flags.toml", content("green"));
    WatchedRuntime runtime(conf / "live" / "flags.toml");
    BOOST_REQUIRE(runtime.color() == ButtonColor::green);
    BOOST_REQUIRE(runtime.runtime().status().mechanism == flags::WatchMechanism::inotify);

    replace_live(conf, "red", fs::perms(0311));
    BOOST_TEST(runtime.wait_for_color(ButtonColor::red));
    const auto status = runtime.runtime().status();
    BOOST_TEST(status.mechanism == flags::WatchMechanism::blind);
    BOOST_TEST(status.watch_problem == "cannot watch " + (conf / "live").string() + ": permission denied");
    BOOST_TEST(runtime.logged_with("degraded", status.watch_problem));
    BOOST_TEST(runtime.runtime().metrics_text().find("flagstone_watcher{mechanism=\"blind\"} 1\n") != std::string::npos);
    deliver_by_rename(conf / "live" / "flags.toml", content("blue"));
    BOOST_TEST(runtime.wait_for_color(ButtonColor::blue));
    fs::permissions(conf / "live", fs::perms(0755));  // so that the scratch directory can be removed
}

// An ancestor that cannot be watched only leads to the files: inotify still watches them, and the
// ancestor's replacement is found by the once-a-second check of each component's identity.
BOOST_AUTO_TEST_CASE(an_ancestor_that_cannot_be_watched_is_checked_by_identity) {
    if (ran_as_nobody("an_ancestor_that_cannot_be_watched_is_checked_by_identity")) return;
    Scratch scratch;
    const auto conf = scratch.path / "conf";
    fs::create_directories(conf / "live");
    write_file(conf / "live" / "flags.toml", content("green"));
    WatchedRuntime runtime(conf / "live" / "flags.toml");
    BOOST_REQUIRE(runtime.color() == ButtonColor::green);

    fs::permissions(conf, fs::perms(0311));
    replace_live(conf, "red", fs::perms(0755));  // seen through the watch placed before the chmod
    BOOST_TEST(runtime.wait_for_color(ButtonColor::red));
    BOOST_TEST(runtime.wait_for([&] { return !runtime.runtime().status().watch_problem.empty(); }));
    BOOST_TEST(runtime.runtime().status().watch_problem ==
               "cannot watch " + conf.string() + ": permission denied; its replacement is found by a check once a second");
    replace_live(conf, "blue", fs::perms(0755));  // no watch on conf now: found by its identity
    BOOST_TEST(runtime.wait_for_color(ButtonColor::blue));
    deliver_by_rename(conf / "live" / "flags.toml", content("green"));  // and the new directory is watched
    BOOST_TEST(runtime.wait_for_color(ButtonColor::green));
    BOOST_TEST(runtime.runtime().status().mechanism == flags::WatchMechanism::inotify);
    fs::permissions(conf, fs::perms(0755));
}

// A quiet period longer than any wait of these tests: what is served was loaded at once.
const flags::RuntimeOptions never_quiet{.quiet_period = std::chrono::minutes(10)};

// A file that arrives complete is served without the quiet period, once, and whole: renamed into
// place, written and closed in place, linked under the name, or saved by an editor.
BOOST_DATA_TEST_CASE(a_complete_delivery_is_loaded_at_once,
                     boost::unit_test::data::make({"mv staging/flags.toml flags.toml",
                                                   "rsync staging/flags.toml flags.toml",
                                                   "cp staging/flags.toml flags.toml",
                                                   "cat staging/flags.toml > flags.toml",
                                                   "rm flags.toml && ln staging/flags.toml flags.toml",
                                                   "ln -f staging/flags.toml flags.toml",
                                                   "ln -s staging/flags.toml flags.toml.tmp && mv -T flags.toml.tmp flags.toml",
                                                   "vim -u NONE -i NONE -N -n -es -c '%s/green/red/' -c 'wq' flags.toml < /dev/null",
                                                   "vim -u NONE -i NONE -N -n -es -c 'set backupcopy=yes' -c '%s/green/red/' "
                                                   "-c 'wq' flags.toml < /dev/null"}),
                     command) {
    Fixture f(never_quiet);
    const auto before = f.runtime->generation();
    fs::create_directory(f.scratch.path / "staging");
    write_file(f.scratch.path / "staging" / "flags.toml", content("red"));
    shell(f.scratch.path, command);
    BOOST_TEST(f.runtime->wait_for_color(ButtonColor::red));
    WatchedRuntime::settle();
    BOOST_TEST(f.runtime->generation() == before + 1);
    f.runtime->check_all_complete();
}

// The kubelet's swap of `..data`, for a volume watched as a directory and through one of its files,
// and a release directory exchanged with the file's grandparent.
BOOST_AUTO_TEST_CASE(a_data_swap_and_a_release_exchange_are_loaded_at_once) {
    for (const bool as_directory : {true, false}) {
        Scratch volume;
        const auto& v = volume.path;
        fs::create_directory(v / "..2026_11_30_10_00_00.000000001");
        write_file(v / "..2026_11_30_10_00_00.000000001" / "flags.toml", content("green"));
        fs::create_directory_symlink("..2026_11_30_10_00_00.000000001", v / "..data");
        fs::create_symlink("..data/flags.toml", v / "flags.toml");
        WatchedRuntime runtime(as_directory ? v : v / "flags.toml", never_quiet);
        BOOST_REQUIRE(runtime.color() == ButtonColor::green);
        fs::create_directory(v / "..2026_11_30_10_05_00.000000002");
        write_file(v / "..2026_11_30_10_05_00.000000002" / "flags.toml", content("red"));
        shell(v, "ln -s ..2026_11_30_10_05_00.000000002 ..data_tmp && mv -T ..data_tmp ..data && "
                 "rm -rf ..2026_11_30_10_00_00.000000001");
        BOOST_TEST(runtime.wait_for_color(ButtonColor::red), (as_directory ? "directory" : "file"));
        runtime.check_all_complete();
    }
    AncestorLayout layout(2, Replacement::exchange);
    WatchedRuntime runtime(layout.file, never_quiet);
    BOOST_REQUIRE(runtime.color() == ButtonColor::green);
    layout.replace("red");
    BOOST_TEST(runtime.wait_for_color(ButtonColor::red));
}

// The kubelet removes the old version right after the swap. Its events, handled in the same batch as
// the swap's, concern a directory no longer on the path and do not bring the quiet period back.
BOOST_AUTO_TEST_CASE(the_old_version_removed_right_after_a_data_swap_does_not_delay_it) {
    WatcherHold hold;
    Scratch volume;
    const auto& v = volume.path;
    const auto version = [](int n) { return "..2026_11_30_10_0" + std::to_string(n) + "_00.00000000" + std::to_string(n); };
    const auto swap_to = [&](int n, std::string_view color) {
        fs::create_directory(v / version(n));
        write_file(v / version(n) / "flags.toml", content(color));
        shell(v, "ln -s " + version(n) + " ..data_tmp && mv -T ..data_tmp ..data && rm -rf " + version(n - 1));
    };
    fs::create_directory(v / version(1));
    write_file(v / version(1) / "flags.toml", content("green"));
    fs::create_directory_symlink(version(1), v / "..data");
    fs::create_symlink("..data/flags.toml", v / "flags.toml");
    WatchedRuntime runtime(v / "flags.toml", never_quiet);
    BOOST_REQUIRE(runtime.color() == ButtonColor::green);
    hold.attach(runtime.runtime());
    swap_to(2, "red");
    BOOST_REQUIRE(runtime.wait_for([&] { return hold.held.load(); }));
    swap_to(3, "blue");
    hold.hold = false;
    BOOST_TEST(runtime.wait_for_color(ButtonColor::blue));
    runtime.check_all_complete();
}

// Editors set the mode, owner or ACL of what they just wrote and closed (vim's setxattr): in the same
// batch as the close, that leaves the file complete.
BOOST_AUTO_TEST_CASE(an_attribute_change_right_after_a_close_does_not_delay_it) {
    WatcherHold hold;
    Fixture f(never_quiet);
    hold.attach(f.runtime->runtime());
    deliver_by_rename(f.file, content("red"));
    BOOST_REQUIRE(f.runtime->wait_for([&] { return hold.held.load(); }));
    Scratch source;
    write_file(source.path / "flags.toml", content("blue"));
    shell(f.scratch.path, "cp '" + (source.path / "flags.toml").string() + "' flags.toml && chmod 644 flags.toml");
    hold.hold = false;
    BOOST_TEST(f.runtime->wait_for_color(ButtonColor::blue));
    f.runtime->check_all_complete();
}

// A close after writing is a complete file only when no one else holds it open: while another
// descriptor is open for writing, the quiet period decides; its close completes the file.
BOOST_AUTO_TEST_CASE(a_close_while_another_writer_holds_the_file_waits) {
    Fixture f(never_quiet);
    const int other = ::open(f.file.c_str(), O_WRONLY | O_APPEND | O_CLOEXEC);
    BOOST_REQUIRE(other >= 0);
    Scratch source;
    write_file(source.path / "flags.toml", content("red"));
    shell(f.scratch.path, "cp '" + (source.path / "flags.toml").string() + "' flags.toml");
    WatchedRuntime::settle();
    BOOST_TEST((f.runtime->color() == ButtonColor::green));  // waits for the other writer
    ::close(other);
    BOOST_TEST(f.runtime->wait_for_color(ButtonColor::red));
    f.runtime->check_all_complete();
}

// A writer in several open/close cycles: its first close leaves a file cut in the middle of a line,
// which does not parse. That load says nothing (no failure counted, no error logged, nothing stale),
// and the whole file is served once the writer's last close completes it, well within the quiet
// period that would otherwise have ended in a second look at the cut file.
BOOST_AUTO_TEST_CASE(a_file_closed_half_written_is_not_reported_when_the_rest_follows) {
    Fixture f({.quiet_period = std::chrono::seconds(10)});
    const auto before = f.runtime->runtime().status();
    Scratch source;
    const auto whole = content("red");
    const auto cut = whole.find("value = \"red") + 10;  // inside the string
    write_file(source.path / "head", whole.substr(0, cut));
    write_file(source.path / "tail", whole.substr(cut));
    shell(f.scratch.path, "cat '" + (source.path / "head").string() + "' > flags.toml && sleep 0.2 && cat '" +
                              (source.path / "tail").string() + "' >> flags.toml");
    BOOST_TEST(f.runtime->wait_for_color(ButtonColor::red));
    WatchedRuntime::settle();
    const auto after = f.runtime->runtime().status();
    BOOST_TEST(after.refused_invalid == before.refused_invalid);
    BOOST_TEST(after.consecutive_failures == 0u);
    BOOST_TEST(!f.runtime->logged("rejected"));
    f.runtime->check_all_complete();
}

// A file that is closed invalid and stays so is reported, once, after the quiet period's second look.
BOOST_AUTO_TEST_CASE(a_file_closed_invalid_is_reported_after_the_quiet_period) {
    Fixture f;
    const auto before = f.runtime->runtime().status();
    shell(f.scratch.path, "printf 'schema = 1\\n[flags.\"experiment.button-color\"\\n' > flags.toml");
    BOOST_TEST(f.runtime->wait_for([&] { return f.runtime->runtime().status().state == flags::SourceState::invalid; }));
    WatchedRuntime::settle();
    const auto after = f.runtime->runtime().status();
    BOOST_TEST(after.refused_invalid == before.refused_invalid + 1);
    BOOST_TEST(f.runtime->logged("rejected"));
    BOOST_TEST((f.runtime->color() == ButtonColor::green));
}

BOOST_AUTO_TEST_CASE(polling_picks_up_a_rename_and_an_in_place_write) {
    Fixture f(flags::RuntimeOptions{.force_polling = true, .poll_interval = std::chrono::milliseconds(50)});
    BOOST_TEST(f.runtime->runtime().status().mechanism == flags::WatchMechanism::polling);
    deliver_by_rename(f.file, content("red"));
    BOOST_TEST(f.runtime->wait_for_color(ButtonColor::red));
    shell(f.scratch.path, "sed -i 's/red/blue/' flags.toml");
    BOOST_TEST(f.runtime->wait_for_color(ButtonColor::blue));
    f.runtime->check_all_complete();
}

BOOST_AUTO_TEST_SUITE_END()
