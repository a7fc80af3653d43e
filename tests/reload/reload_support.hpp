// A watched runtime in a scratch directory, with everything it publishes and logs recorded, for the
// hot-reload tests. Deliveries are made by real tools through the shell (mv, rsync, install, sed,
// vim, git, cp), the way config management makes them.
#pragma once

#include <boost/test/unit_test.hpp>

#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <flags/flags.hpp>

#include "../unit/printing.hpp"

namespace reload_test {

namespace fs = std::filesystem;
using flags::variants::ButtonColor;
using flags::Flag;

// Every complete runtime file of these tests ends by turning two flags on. A file cut short (at any
// line boundary) lacks one of them, so a partial file that happened to parse would be seen.
inline std::string content(std::string_view color, std::string_view comment = "") {
    return "schema = 1\n# " + std::string(comment) +
           "\n[flags.\"experiment.button-color\"]\n"
           "value = \"" +
           std::string(color) +
           "\"\n"
           "[flags.\"release.new-checkout\"]\n"
           "value = true\n"
           "[flags.\"ops.kill-switch-payments\"]\n"
           "value = true\n";
}

struct Published {
    std::uint64_t generation = 0;
    ButtonColor color{};
    bool checkout = false;
    bool kill_switch = false;
    bool complete() const { return checkout && kill_switch; }
};

inline void write_file(const fs::path& path, const std::string& text) {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out << text;
}

// Delivers `text` the way mv, rsync and config management do: a temporary beside the file, renamed
// over it.
inline void deliver_by_rename(const fs::path& file, const std::string& text) {
    const auto temporary = file.parent_path() / ("." + file.filename().string() + ".new");
    write_file(temporary, text);
    fs::rename(temporary, file);
}

// Runs a shell command in `dir`, failing the test if it fails.
inline void shell(const fs::path& dir, const std::string& command) {
    const std::string full = "cd '" + dir.string() + "' && " + command;
    const int status = std::system(full.c_str());
    BOOST_REQUIRE_MESSAGE(status == 0, "command failed (" << status << "): " << command);
}

// Waits, up to a bound that only a broken runtime reaches, until `done` holds.
template <class Predicate>
bool eventually(Predicate done, std::chrono::milliseconds bound = std::chrono::milliseconds(5000)) {
    const auto until = std::chrono::steady_clock::now() + bound;
    while (!done() && std::chrono::steady_clock::now() < until) std::this_thread::sleep_for(std::chrono::milliseconds(5));
    return done();
}

class Scratch {
public:
    Scratch() {
        std::string pattern = (fs::temp_directory_path() / "flagstone-reload-XXXXXX").string();
        BOOST_REQUIRE(::mkdtemp(pattern.data()) != nullptr);
        path = fs::canonical(pattern);
    }
    ~Scratch() {
        std::error_code ec;
        fs::remove_all(path, ec);
    }
    fs::path path;
};

class WatchedRuntime {
public:
    explicit WatchedRuntime(const fs::path& file, flags::RuntimeOptions options = {}, const fs::path& override_file = {})
        : runtime_(std::make_unique<flags::Runtime>(file, override_file)), raw_(runtime_.get()) {
        if (options.poll_interval == std::chrono::milliseconds(1000)) options.poll_interval = std::chrono::milliseconds(50);
        options.log = [this](std::string_view line) {
            std::lock_guard lock(mutex_);
            logs_.emplace_back(line);
        };
        runtime_->on_change([this](std::uint64_t) { record(); });
        start_report = runtime_->start(options);
    }

    flags::Runtime& runtime() { return *runtime_; }
    void destroy() { runtime_.reset(); }

    ButtonColor color() const { return runtime_->variant<Flag::experiment_button_color>({}); }
    std::uint64_t generation() const { return runtime_->generation(); }

    // Waits, up to a generous bound that only a broken watcher reaches, until `done` holds.
    template <class Predicate>
    bool wait_for(Predicate done, std::chrono::milliseconds bound = std::chrono::milliseconds(5000)) const {
        return eventually(done, bound);
    }
    bool wait_for_color(ButtonColor expected) const {
        return wait_for([&] { return color() == expected; });
    }
    // Lets any late event be processed, so that a test can assert that nothing more happened.
    static void settle() { std::this_thread::sleep_for(std::chrono::milliseconds(300)); }

    std::vector<Published> published() const {
        std::lock_guard lock(mutex_);
        return published_;
    }
    std::vector<std::string> logs() const {
        std::lock_guard lock(mutex_);
        return logs_;
    }
    bool logged(std::string_view event) const {
        const std::string needle = "\"event\":\"" + std::string(event) + "\"";
        for (const auto& line : logs())
            if (line.find(needle) != std::string::npos) return true;
        return false;
    }
    // A line of `event` holding `text`.
    bool logged_with(std::string_view event, std::string_view text) const {
        const std::string needle = "\"event\":\"" + std::string(event) + "\"";
        for (const auto& line : logs())
            if (line.find(needle) != std::string::npos && line.find(text) != std::string::npos) return true;
        return false;
    }
    // Every snapshot published so far was a complete file.
    void check_all_complete() const {
        for (const auto& p : published())
            BOOST_TEST(p.complete(), "generation " << p.generation << " was published from a partial file");
    }

    flags::StartReport start_report;

private:
    void record() {
        // Through the raw pointer: the listener may run while destroy() is joining the watcher.
        const auto view = raw_->pin();
        Published p{.generation = view.generation(),
                    .color = view.variant<Flag::experiment_button_color>({}),
                    .checkout = view.enabled<Flag::release_new_checkout>({}),
                    .kill_switch = view.enabled<Flag::ops_kill_switch_payments>({})};
        std::lock_guard lock(mutex_);
        published_.push_back(p);
    }

    mutable std::mutex mutex_;
    std::vector<Published> published_;
    std::vector<std::string> logs_;
    std::unique_ptr<flags::Runtime> runtime_;
    flags::Runtime* raw_ = nullptr;
};

inline int open_descriptors() {
    int count = 0;
    for ([[maybe_unused]] const auto& entry : fs::directory_iterator("/proc/self/fd")) ++count;
    return count;
}

}  // namespace reload_test
