// A watched runtime's life: start and its options, the states of its files, layers, status, logs,
// change listeners, degradation to polling, and a clean stop.
#define BOOST_TEST_MODULE lifecycle
#include <boost/test/unit_test.hpp>

#include <sys/resource.h>

#include <fcntl.h>

#include "prometheus_text.hpp"
#include "reload_support.hpp"

using namespace reload_test;

BOOST_AUTO_TEST_SUITE(lifecycle)

BOOST_AUTO_TEST_CASE(missing_empty_and_corrupt_are_distinct_states_that_keep_the_last_good_snapshot) {
    Scratch scratch;
    const auto file = scratch.path / "flags.toml";
    write_file(file, content("red"));
    WatchedRuntime runtime(file);
    BOOST_REQUIRE(runtime.color() == ButtonColor::red);
    auto& rt = runtime.runtime();
    const auto state_is = [&](flags::SourceState s) { return runtime.wait_for([&] { return rt.status().state == s; }); };

    write_file(file, "");
    BOOST_TEST(state_is(flags::SourceState::empty));
    BOOST_TEST(runtime.logged("empty"));

    write_file(file, "schema = 1\n[flags.\"release.new-checkout\"]\nrollout = 250\n");
    BOOST_TEST(state_is(flags::SourceState::invalid));
    BOOST_TEST(runtime.logged("rejected"));
    const auto status = rt.status();
    BOOST_TEST(status.last_error == file.string() + ":3: rollout 250 is not from 0 to 100");
    BOOST_TEST(status.last_error_time.has_value());
    BOOST_TEST(status.consecutive_failures == 2u);
    BOOST_TEST(status.stale);

    fs::remove(file);
    BOOST_TEST(state_is(flags::SourceState::missing));
    BOOST_TEST(runtime.logged("missing"));

    BOOST_TEST((runtime.color() == ButtonColor::red));
    BOOST_TEST(rt.status().generation == 1u);
    runtime.check_all_complete();
}

BOOST_AUTO_TEST_CASE(the_rejected_log_line_names_file_line_and_reason) {
    Scratch scratch;
    const auto file = scratch.path / "flags.toml";
    write_file(file, content("red"));
    WatchedRuntime runtime(file);
    deliver_by_rename(file, "schema = 1\n[flags.\"experiment.button-color\"]\nvalue = \"purple\"\n");
    BOOST_REQUIRE(runtime.wait_for([&] { return runtime.logged("rejected"); }));
    std::string line;
    for (const auto& l : runtime.logs())
        if (l.find("\"rejected\"") != std::string::npos) line = l;
    BOOST_TEST(line.find("\"file\":\"" + file.string() + "\"") != std::string::npos, line);
    BOOST_TEST(line.find("\"line\":3") != std::string::npos, line);
    BOOST_TEST(line.find("\"message\":\"'purple' is not a variant of flag 'experiment.button-color'\"") !=
                   std::string::npos,
               line);
    BOOST_TEST(line.find("\"serving_generation\":1") != std::string::npos, line);
}

BOOST_AUTO_TEST_CASE(an_invalid_file_at_start_leaves_defaults_and_says_so) {
    Scratch scratch;
    const auto file = scratch.path / "flags.toml";
    write_file(file, "schema = 1\n[flags.\"release.new-checkout\"]\nvalue = \"yes\"\n");
    WatchedRuntime runtime(file);
    BOOST_TEST(runtime.start_report.started);
    BOOST_TEST(!runtime.start_report.load.ok());
    BOOST_TEST(runtime.runtime().status().state == flags::SourceState::invalid);
    BOOST_TEST(runtime.logged("rejected"));
    BOOST_TEST((runtime.color() == ButtonColor::blue));
    // Still watching: fixing the file is picked up.
    deliver_by_rename(file, content("green"));
    BOOST_TEST(runtime.wait_for_color(ButtonColor::green));
}

BOOST_AUTO_TEST_CASE(require_valid_at_start_makes_start_fail_instead) {
    Scratch scratch;
    flags::Runtime runtime(scratch.path / "absent.toml");
    const auto report = runtime.start({.require_valid_at_start = true, .log = [](std::string_view) {}});
    BOOST_TEST(!report.started);
    BOOST_TEST(!report.ok());
    BOOST_TEST(runtime.status().mechanism == flags::WatchMechanism::none);
    BOOST_TEST(runtime.status().state == flags::SourceState::missing);
}

BOOST_AUTO_TEST_CASE(a_directory_of_files_is_merged_and_each_file_is_watched) {
    Scratch scratch;
    const auto dir = scratch.path / "flags.d";
    fs::create_directory(dir);
    write_file(dir / "checkout.toml", "schema = 1\n[flags.\"release.new-checkout\"]\nvalue = true\n");
    write_file(dir / "ui.toml", "schema = 1\n[flags.\"experiment.button-color\"]\nvalue = \"green\"\n");
    write_file(dir / "README", "not a runtime file, so [not TOML either\n");
    WatchedRuntime runtime(dir);
    BOOST_REQUIRE(runtime.start_report.ok());
    BOOST_TEST(runtime.runtime().enabled<Flag::release_new_checkout>({}));
    BOOST_TEST((runtime.color() == ButtonColor::green));

    deliver_by_rename(dir / "ui.toml", "schema = 1\n[flags.\"experiment.button-color\"]\nvalue = \"red\"\n");
    BOOST_TEST(runtime.wait_for_color(ButtonColor::red));

    // The same flag in two files of one directory is an error; the last good merge keeps serving.
    write_file(dir / "extra.toml", "schema = 1\n[flags.\"release.new-checkout\"]\nvalue = false\n");
    BOOST_TEST(runtime.wait_for([&] { return runtime.logged("rejected"); }));
    BOOST_TEST(runtime.runtime().status().last_error.find("has entries in two files") != std::string::npos);
    BOOST_TEST(runtime.runtime().enabled<Flag::release_new_checkout>({}));
}

BOOST_AUTO_TEST_CASE(the_override_file_wins_flag_by_flag_and_is_watched) {
    Scratch scratch;
    const auto base = scratch.path / "flags.toml";
    const auto local = scratch.path / "override.toml";
    write_file(base, content("green"));
    WatchedRuntime runtime(base, {}, local);  // the override file does not exist yet: nothing overridden
    BOOST_REQUIRE(runtime.start_report.ok());
    BOOST_TEST((runtime.color() == ButtonColor::green));

    deliver_by_rename(local, "schema = 1\n[flags.\"ops.kill-switch-payments\"]\nvalue = false\n");
    BOOST_TEST(runtime.wait_for([&] { return !runtime.runtime().enabled<Flag::ops_kill_switch_payments>({}); }));
    BOOST_TEST((runtime.color() == ButtonColor::green));  // other flags still come from the base

    fs::remove(local);  // clearing the override returns the flag to the base file's value
    BOOST_TEST(runtime.wait_for([&] { return runtime.runtime().enabled<Flag::ops_kill_switch_payments>({}); }));
    BOOST_TEST(runtime.runtime().status().sources == (std::vector<std::string>{base.string(), local.string()}));
}

BOOST_AUTO_TEST_CASE(change_listeners_run_after_each_publish_with_its_generation) {
    Scratch scratch;
    const auto file = scratch.path / "flags.toml";
    write_file(file, content("green"));
    // Declared before the runtime, so that they outlive its watcher thread, which writes them.
    std::mutex mutex;
    std::vector<std::uint64_t> seen;
    std::vector<bool> saw_new_value;
    flags::Runtime runtime(file);
    runtime.on_change([&](std::uint64_t generation) {
        std::lock_guard lock(mutex);
        seen.push_back(generation);
        // The publish is complete when a listener runs: reads already see the new state.
        saw_new_value.push_back(runtime.pin().generation() >= generation);
    });
    BOOST_REQUIRE(runtime.start({.quiet_period = std::chrono::milliseconds(25), .log = [](std::string_view) {}}).ok());
    deliver_by_rename(file, content("red"));
    eventually([&] {
        std::lock_guard lock(mutex);
        return seen.size() >= 2;
    });
    std::lock_guard lock(mutex);
    BOOST_TEST(seen == (std::vector<std::uint64_t>{1, 2}), boost::test_tools::per_element());
    BOOST_TEST(saw_new_value == (std::vector<bool>{true, true}), boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(a_throwing_listener_is_logged_and_loading_goes_on) {
    Scratch scratch;
    const auto file = scratch.path / "flags.toml";
    write_file(file, content("green"));
    std::vector<std::string> lines;  // declared before the runtime: its watcher thread writes them
    std::mutex mutex;
    flags::Runtime runtime(file);
    runtime.on_change([](std::uint64_t) { throw std::runtime_error("listener broke"); });
    BOOST_REQUIRE(runtime.start({.quiet_period = std::chrono::milliseconds(25), .log = [&](std::string_view l) {
                                     std::lock_guard lock(mutex);
                                     lines.emplace_back(l);
                                 }})
                      .ok());
    deliver_by_rename(file, content("red"));
    BOOST_TEST(eventually([&] { return runtime.variant<Flag::experiment_button_color>({}) == ButtonColor::red; }));
    std::lock_guard lock(mutex);
    const bool logged = std::any_of(lines.begin(), lines.end(), [](const std::string& l) {
        return l.find("\"event\":\"listener_failed\"") != std::string::npos && l.find("listener broke") != std::string::npos;
    });
    BOOST_TEST(logged);
}

BOOST_AUTO_TEST_CASE(a_refused_file_is_reported_stale_while_it_lasts) {
    Scratch scratch;
    const auto file = scratch.path / "flags.toml";
    write_file(file, content("green"));
    flags::RuntimeOptions options;
    options.stale_log_interval = std::chrono::milliseconds(100);
    WatchedRuntime runtime(file, options);
    deliver_by_rename(file, "schema = 1\n[flags.\"release.new-checkout\"]\nvalue = 3\n");
    BOOST_TEST(runtime.wait_for([&] { return runtime.logged("stale"); }));
    const auto status = runtime.runtime().status();
    BOOST_TEST(status.stale);
    BOOST_TEST(status.stale_for.count() > 0);
}

BOOST_AUTO_TEST_CASE(without_inotify_the_watcher_degrades_to_polling_and_says_so) {
    Scratch scratch;
    const auto file = scratch.path / "flags.toml";
    write_file(file, content("green"));
    // Exhaust the descriptor table, leaving exactly one free: the watcher's wake-up eventfd takes it
    // and inotify_init1 fails with EMFILE, as on a host out of inotify instances.
    std::vector<int> fillers;
    std::vector<std::string> lines;  // declared before the runtime: its watcher thread writes them
    std::mutex mutex;
    flags::Runtime runtime(file);
    BOOST_REQUIRE(runtime.reload().ok());  // read before the table is full
    for (;;) {
        const int fd = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
        if (fd < 0) break;
        fillers.push_back(fd);
    }
    BOOST_REQUIRE(!fillers.empty());
    ::close(fillers.back());
    fillers.pop_back();
    const auto report = runtime.start({.poll_interval = std::chrono::milliseconds(50),
                                       .quiet_period = std::chrono::milliseconds(25),
                                       .log = [&](std::string_view l) {
                                           std::lock_guard lock(mutex);
                                           lines.emplace_back(l);
                                       }});
    for (int fd : fillers) ::close(fd);
    BOOST_TEST(report.started);
    BOOST_TEST(runtime.status().mechanism == flags::WatchMechanism::polling);
    {
        std::lock_guard lock(mutex);
        const bool degraded = std::any_of(lines.begin(), lines.end(), [](const std::string& l) {
            return l.find("\"event\":\"degraded\"") != std::string::npos;
        });
        BOOST_TEST(degraded);
    }
    deliver_by_rename(file, content("red"));
    BOOST_TEST(eventually([&] { return runtime.variant<Flag::experiment_button_color>({}) == ButtonColor::red; }));
}

// A change that lands while start() runs its first load is loaded, not lost until the next change:
// here the first publish's listener itself replaces the file.
BOOST_AUTO_TEST_CASE(a_change_during_the_first_load_is_picked_up) {
    Scratch scratch;
    const auto file = scratch.path / "flags.toml";
    write_file(file, content("green"));
    flags::Runtime runtime(file);
    runtime.on_change([&](std::uint64_t generation) {
        if (generation != 1) return;
        deliver_by_rename(file, content("red"));
    });
    BOOST_REQUIRE(runtime.start({.quiet_period = std::chrono::milliseconds(25), .log = [](std::string_view) {}}).ok());
    BOOST_TEST(eventually([&] { return runtime.variant<Flag::experiment_button_color>({}) == ButtonColor::red; }));
}

BOOST_AUTO_TEST_CASE(start_and_stop_leave_no_descriptor_or_thread_behind) {
    Scratch scratch;
    const auto file = scratch.path / "flags.toml";
    write_file(file, content("green"));
    const int before = open_descriptors();
    for (int i = 0; i < 20; ++i) {
        flags::Runtime runtime(file);
        BOOST_REQUIRE(runtime.start({.log = [](std::string_view) {}}).ok());
        if (i % 2) runtime.stop();  // and the other half stop through the destructor
    }
    BOOST_TEST(open_descriptors() == before);
}

// Destroying a runtime while its watcher is inside a load (here: in a slow listener) waits for that
// load and returns; it never hangs.
BOOST_AUTO_TEST_CASE(destruction_in_the_middle_of_a_load_completes) {
    Scratch scratch;
    const auto file = scratch.path / "flags.toml";
    write_file(file, content("green"));
    std::atomic<bool> in_listener{false};
    std::atomic<bool> destroyed{false};
    std::thread destroyer;
    {
        auto runtime = std::make_unique<flags::Runtime>(file);
        runtime->on_change([&](std::uint64_t generation) {
            if (generation < 2) return;
            in_listener = true;
            std::this_thread::sleep_for(std::chrono::milliseconds(300));
        });
        BOOST_REQUIRE(runtime->start({.quiet_period = std::chrono::milliseconds(25), .log = [](std::string_view) {}}).ok());
        deliver_by_rename(file, content("red"));
        BOOST_REQUIRE(eventually([&] { return in_listener.load(); }));
        destroyer = std::thread([&, r = std::move(runtime)]() mutable {
            r.reset();
            destroyed = true;
        });
    }
    // A hang detector, not a timing assertion: the bound is far beyond the listener's 300 ms.
    BOOST_TEST(eventually([&] { return destroyed.load(); }, std::chrono::seconds(20)));
    if (destroyed) destroyer.join();
    else destroyer.detach();
}

// The Prometheus text exposition, parsed line by line: comments name a family and its type, every
// sample is `name{labels} value` with a number, and the values are the runtime's.
BOOST_AUTO_TEST_CASE(metrics_text_is_prometheus_exposition_of_the_runtime_state) {
    Scratch scratch;
    const auto file = scratch.path / "flags.toml";
    write_file(file, content("green"));
    WatchedRuntime runtime(file);
    deliver_by_rename(file, "schema = 1\n[flags.\"release.new-checkout\"]\nvalue = 3\n");
    BOOST_REQUIRE(runtime.wait_for([&] { return runtime.logged("rejected"); }));
    std::this_thread::sleep_for(std::chrono::milliseconds(20));  // so that staleness has lasted a while

    const auto exposition = flags_test::parse_exposition(runtime.runtime().metrics_text());
    for (const auto& problem : exposition.problems) BOOST_ERROR(problem);
    BOOST_TEST(exposition.problems.empty());
    BOOST_TEST(exposition.sample("flagstone_generation") == 1.0);
    BOOST_TEST(exposition.sample("flagstone_loads_total{outcome=\"published\"}") == 1.0);
    BOOST_TEST(exposition.sample("flagstone_loads_total{outcome=\"refused\"}") == 1.0);
    BOOST_TEST(exposition.sample("flagstone_load_errors_total{state=\"invalid\"}") == 1.0);
    BOOST_TEST(exposition.sample("flagstone_consecutive_load_failures") == 1.0);
    BOOST_TEST(exposition.sample("flagstone_files_state{state=\"invalid\"}") == 1.0);
    BOOST_TEST(exposition.sample("flagstone_watcher{mechanism=\"inotify\"}") == 1.0);
    BOOST_TEST(exposition.sample("flagstone_snapshot_age_seconds") >= 0.0);
    BOOST_TEST(exposition.sample("flagstone_stale_seconds") >= 0.02);
}

BOOST_AUTO_TEST_SUITE_END()
