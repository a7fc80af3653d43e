// The watcher on its own: which changes it asks to load at once, with a load hook that does what a
// slow or busy process would see happen while it reads.
#define BOOST_TEST_MODULE watcher
#include <boost/test/unit_test.hpp>

#include <sys/stat.h>

#include <atomic>
#include <chrono>
#include <mutex>
#include <vector>

#include "reload_support.hpp"
#include "runtime/watcher.hpp"

namespace {

using namespace reload_test;
using flags::internal::PublishGate;
using flags::internal::Watcher;
using flags::internal::WatcherHooks;

// Longer than any wait here: a load that happens was asked for at once.
const flags::RuntimeOptions never_quiet{.quiet_period = std::chrono::minutes(10)};

// Records what each load's gate answered; `during_load` runs inside the first load, before its gate.
struct LoadRecorder {
    std::function<void()> during_load;
    std::mutex mutex;
    std::vector<bool> concluded;

    WatcherHooks hooks() {
        WatcherHooks hooks;
        hooks.load = [this](const PublishGate& may_conclude) {
            std::unique_lock lock(mutex);
            const bool first = concluded.empty();
            lock.unlock();
            if (first && during_load) during_load();
            const bool answer = may_conclude(true);
            lock.lock();
            concluded.push_back(answer);
        };
        return hooks;
    }
    std::vector<bool> answers() {
        std::lock_guard lock(mutex);
        return concluded;
    }
};

}  // namespace

BOOST_AUTO_TEST_SUITE(watcher)

// vim writes the file in place, closes it, then sets its ACL (setxattr). On a busy machine the
// watcher may already be reading when that attribute change arrives: the load is not concluded
// (something touched the file), but the file is still known complete, so it is read again at once
// rather than after the quiet period.
BOOST_AUTO_TEST_CASE(an_attribute_change_during_an_at_once_load_keeps_it_at_once) {
    Scratch scratch;
    const auto file = scratch.path / "flags.toml";
    write_file(file, content("green"));
    LoadRecorder recorder;
    // The hook runs on the watcher's thread, where Boost.Test may not be used: its result is checked here.
    std::atomic<int> chmod_result{1};
    recorder.during_load = [&] { chmod_result = ::chmod(file.c_str(), 0600); };
    Watcher watcher({file}, never_quiet, recorder.hooks());
    BOOST_REQUIRE(watcher.mechanism() == flags::WatchMechanism::inotify);

    write_file(file, content("red"));
    BOOST_TEST(eventually([&] { return recorder.answers().size() >= 2; }));
    BOOST_TEST(chmod_result == 0);
    const auto answers = recorder.answers();
    BOOST_TEST_REQUIRE(answers.size() >= 2u);
    BOOST_TEST(!answers[0]);  // the chmod arrived while it read
    BOOST_TEST(answers[1]);
}

// A file being written (modified, not yet closed) is not complete: a chmod of it waits for the quiet
// period like any other change not known whole.
BOOST_AUTO_TEST_CASE(an_attribute_change_of_a_file_being_written_waits) {
    Scratch scratch;
    const auto file = scratch.path / "flags.toml";
    write_file(file, content("green"));
    LoadRecorder recorder;
    Watcher watcher({file}, never_quiet, recorder.hooks());
    BOOST_REQUIRE(watcher.mechanism() == flags::WatchMechanism::inotify);

    std::ofstream writer(file, std::ios::binary | std::ios::app);
    writer << "# more\n" << std::flush;
    BOOST_REQUIRE(::chmod(file.c_str(), 0600) == 0);
    WatchedRuntime::settle();
    BOOST_TEST(recorder.answers().empty());
    writer.close();  // now complete: read at once
    BOOST_TEST(eventually([&] { return !recorder.answers().empty(); }));
}

BOOST_AUTO_TEST_SUITE_END()
