// Watches a runtime's files and asks for a load once a change is complete.
//
// With inotify it watches every directory on each path, from the root down, for the name that leads
// on, both as the path is given and as it resolves: config management replaces files and whole
// directories rather than writing them. mv and rsync rename over the file, Kubernetes swaps a
// `..data` symlink, a deploy renames (or exchanges with RENAME_EXCHANGE) a new release directory
// into place or retargets a `current` symlink, editors write a new file and rename it. Any change to
// a name on a path re-arms the watches, and so does a directory on a path found, by a once-a-second
// check of each component's device and inode, to be another one (a file system mounted over it).
// A file that arrives complete is loaded at once: a rename into place (mv, rsync, editors, a
// Kubernetes `..data` swap, a release directory), a new hard link or symlink, and a close after
// writing when nothing else holds the file open; a change of attributes to a file so delivered, and
// not written since, keeps it complete. Everything else (a deletion, a rename away, any other
// change of attributes, a close while another process still has the file open) waits until the
// files have been quiet for the quiet period, and a bare modification only postpones, so a file
// being written in place is never read half done. A load asked for at once that finds the files
// missing or invalid says nothing and is tried again after the quiet period: a writer that works in
// several open/close cycles may have closed only the first part.
//
// A directory that only leads towards the files (an ancestor) and cannot be watched is left to that
// once-a-second identity check, which Status::watch_problem mentions.
//
// Where inotify is unavailable the watcher polls: it compares the identity (device and inode) of
// every component of each path and the files' versions (inode, size, times), and asks for a load
// once they have held still for a whole poll interval. A watcher that loses sight of the files with
// inotify (the kernel's queue overflowed, or a directory on a path cannot be watched) says so once,
// through `degraded`, reports itself `blind` and polls from then on.
//
// One thread per watcher. The destructor stops and joins it promptly, even while a load runs.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include <sys/inotify.h>

#include <flags/runtime_options.hpp>

namespace flags::internal {

// Asked by a load before it publishes or reports what it read, with whether the files read whole and
// valid. False when a relevant event arrived meanwhile (a writer began rewriting a file in place while
// it was read), or when a load asked for at once found the files bad: the load then publishes and
// reports nothing, and the watcher loads again later.
using PublishGate = std::function<bool(bool good)>;

struct WatcherHooks {
    std::function<void(const PublishGate& may_conclude)> load;  // the files changed: read them
    std::function<void(const std::string&)> degraded;  // inotify gave out or went blind; polling from now on
    std::function<void()> tick;                      // about once a second, for periodic reports
    std::function<void()> overflowed;                // the kernel dropped events; everything is re-read
};

// Names to watch in one directory; `runtime_files` for a runtime directory (see is_runtime_file_name).
// `holds_files`: it holds a file that is read (or a runtime directory's files), not only a directory
// or symlink leading towards one; without a watch on it, changes to the files would go unseen.
struct DirectoryTargets {
    std::set<std::string> names;
    bool runtime_files = false;
    bool holds_files = false;
};
using WatchTargets = std::map<std::string, DirectoryTargets>;  // directory -> what to watch in it

// Every directory whose entries decide what `path` reads, each with the names that matter in it: for
// each component of the path, the directory that holds it; a symlink met on the way is followed and
// its target's components added too. A runtime directory adds the chains of its runtime files.
void collect_watch_targets(const std::filesystem::path& path, WatchTargets& targets);

class Watcher {
public:
    Watcher(std::vector<std::filesystem::path> paths, const RuntimeOptions& options, WatcherHooks hooks);
    Watcher(const Watcher&) = delete;
    Watcher& operator=(const Watcher&) = delete;
    ~Watcher();

    WatchMechanism mechanism() const noexcept { return mechanism_.load(std::memory_order_relaxed); }
    // Why the watcher went blind, or empty.
    std::string problem() const;

private:
    using Clock = std::chrono::steady_clock;

    void run();
    bool start_inotify();
    void go_blind(const std::string& reason);
    void rearm();
    void handle_events();
    void handle_event(const inotify_event& event, Clock::time_point now);
    bool relevant(int wd, const std::string& name) const;
    bool relevant_now(int wd, const std::string& name);
    void name_changed(const std::string& path, std::uint32_t mask, Clock::time_point now);
    void closed(const std::string& key, bool wrote, Clock::time_point now);
    void attributes_changed(const std::string& path, Clock::time_point now);
    bool may_conclude(bool early, bool good);
    std::string fingerprint() const;
    void arm(Clock::time_point now);
    void arm_at_once(Clock::time_point now);
    bool write_in_progress(Clock::time_point now);
    bool polling() const noexcept;
    void poll_once(Clock::time_point now);
    void load_when_quiet(Clock::time_point now);

    std::vector<std::filesystem::path> paths_;
    RuntimeOptions options_;
    WatcherHooks hooks_;
    std::atomic<WatchMechanism> mechanism_{WatchMechanism::none};
    mutable std::mutex problem_mutex_;
    std::string problem_;

    int inotify_fd_ = -1;
    int wake_fd_ = -1;
    std::map<int, std::string> directory_of_;  // watch descriptor -> directory
    WatchTargets targets_;
    std::string identities_;  // identity_of(targets_) when they were armed

    bool pending_ = false;       // a completed change waits for the quiet period to end
    bool at_once_ = false;       // the latest change delivered complete files: no quiet period
    bool rearm_needed_ = false;  // a name on a path changed: the set of directories may differ
    Clock::time_point deadline_{};
    std::map<std::string, Clock::time_point> open_writes_;  // files modified and not yet closed
    std::map<std::string, int> open_count_;                 // opens of each file not yet closed
    std::set<std::string> complete_;  // files last seen closed after writing, or arrived whole
    std::string last_fingerprint_;
    Clock::time_point next_poll_{};

    std::thread thread_;
};

}  // namespace flags::internal
