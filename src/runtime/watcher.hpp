// Watches a runtime's files and asks for a load once a change is complete.
//
// With inotify it watches the directory of each path and of every link along its symlink chain,
// because config management replaces files rather than writing them: mv and rsync rename over the
// file, Kubernetes swaps a `..data` symlink, editors write a new file and rename it. Any change to a
// name on the chain re-arms the watches. A load is asked for only after a completed write (a close
// after writing, a rename, a symlink swap, a deletion) and once the files have been quiet for a short
// while; a bare modification only postpones, so a file being written in place is never read half done.
//
// Where inotify is unavailable or its limits are exhausted, the watcher polls: it compares the
// files' identities (inode, size, times) and asks for a load once they have held still for a whole
// poll interval.
//
// One thread per watcher. The destructor stops and joins it promptly, even while a load runs.
#pragma once

#include <atomic>
#include <chrono>
#include <filesystem>
#include <functional>
#include <map>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include <flags/runtime_options.hpp>

namespace flags::internal {

struct WatcherHooks {
    // The files changed: read them. Before publishing what it read, the load calls
    // `unchanged_since_start`, which is false when a relevant event arrived meanwhile (a writer began
    // rewriting the file in place while it was read); the load then publishes nothing, and another
    // load follows once the writer is done.
    std::function<void(const std::function<bool()>& unchanged_since_start)> load;
    std::function<void(const std::string&)> degraded;  // inotify gave out; polling from now on
    std::function<void()> tick;                      // about once a second, for periodic reports
    std::function<void()> overflowed;                // the kernel dropped events; everything is re-read
};

class Watcher {
public:
    Watcher(std::vector<std::filesystem::path> paths, const RuntimeOptions& options, WatcherHooks hooks);
    Watcher(const Watcher&) = delete;
    Watcher& operator=(const Watcher&) = delete;
    ~Watcher();

    WatchMechanism mechanism() const noexcept { return mechanism_.load(std::memory_order_relaxed); }

private:
    using Clock = std::chrono::steady_clock;

    // Names to watch in one directory; `any_toml` for a directory of runtime files.
    struct DirectoryTargets {
        std::set<std::string> names;
        bool any_toml = false;
    };

    void run();
    bool start_inotify();
    void degrade(const std::string& reason);
    void rearm();
    void add_path(const std::filesystem::path& path, int depth, std::map<std::string, DirectoryTargets>& targets);
    void add_symlinks_along(const std::filesystem::path& directory, int depth,
                            std::map<std::string, DirectoryTargets>& targets);
    void handle_events();
    bool relevant(int wd, const std::string& name) const;
    std::string fingerprint() const;
    void arm(Clock::time_point now);
    bool write_in_progress(Clock::time_point now);

    std::vector<std::filesystem::path> paths_;
    RuntimeOptions options_;
    WatcherHooks hooks_;
    std::atomic<WatchMechanism> mechanism_{WatchMechanism::none};

    int inotify_fd_ = -1;
    int wake_fd_ = -1;
    std::map<int, std::string> directory_of_;  // watch descriptor -> canonical directory
    std::map<std::string, DirectoryTargets> targets_;

    bool pending_ = false;       // a completed change waits for the quiet period to end
    bool rearm_needed_ = false;  // a name on a chain changed: the set of directories may differ
    Clock::time_point deadline_{};
    std::map<std::string, Clock::time_point> open_writes_;  // files modified and not yet closed
    std::string last_fingerprint_;
    Clock::time_point next_poll_{};

    std::thread thread_;
};

}  // namespace flags::internal
