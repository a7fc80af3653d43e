// Every way config management delivers a file, reproduced with the real tools: the runtime ends on
// the new content and never publishes a partial or invalid file on the way.
#define BOOST_TEST_MODULE delivery
#include <boost/test/unit_test.hpp>

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

}  // namespace

BOOST_AUTO_TEST_SUITE(delivery)

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
// after a complete save, while that save's quiet period is still running: the load it arms falls in
// the middle of the pause.
BOOST_AUTO_TEST_CASE(shell_redirect_with_a_pause_mid_file_publishes_only_the_whole) {
    Fixture f;
    Scratch source;
    write_file(source.path / "flags.toml", content("red"));
    write_file(source.path / "previous.toml", content("green", "a save just before"));
    const auto src = "'" + (source.path / "flags.toml").string() + "'";
    shell(f.scratch.path, "cp '" + (source.path / "previous.toml").string() + "' flags.toml && { head -n 4 " + src +
                              "; sleep 0.8; tail -n +5 " + src + "; } > flags.toml");
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
