#include "watcher.hpp"

#include <poll.h>
#include <sys/eventfd.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstdint>
#include <cstring>

#include <fmt/format.h>

#include "source_files.hpp"

namespace flags::internal {
namespace {

namespace fs = std::filesystem;

constexpr std::uint32_t watch_mask = IN_CLOSE_WRITE | IN_MOVED_TO | IN_MOVED_FROM | IN_CREATE | IN_DELETE | IN_MODIFY |
                                     IN_ATTRIB | IN_DELETE_SELF | IN_MOVE_SELF | IN_ONLYDIR;
// Where the files themselves are, opens and closes are counted too: a close after writing is a complete
// file only when no other process still holds it open (a second writer, or a shell whose `>` outlives
// one of its commands). Ancestors do without, so that opens elsewhere on the path cost nothing.
constexpr std::uint32_t file_mask = watch_mask | IN_OPEN | IN_CLOSE_NOWRITE;

// Symlink chains longer than this are treated as loops, as the kernel does with ELOOP.
constexpr int max_link_depth = 16;

// A writer that modified a file and has neither closed nor renamed it for this long is taken to
// have died (a crashed writer's fd is closed by the kernel, so this is only a last resort).
constexpr auto abandoned_write = std::chrono::seconds(30);

std::string error_text(int error) {
    std::string text = std::strerror(error);
    if (!text.empty()) text[0] = static_cast<char>(std::tolower(static_cast<unsigned char>(text[0])));
    return text;
}

void collect(const fs::path& path, int depth, WatchTargets& targets);

// A runtime directory: any runtime file in it counts, and those that are symlinks (a Kubernetes
// volume's `flags.toml -> ..data/flags.toml`) lead to more directories that decide what is read.
void collect_runtime_directory(const fs::path& directory, int depth, WatchTargets& targets) {
    auto& own = targets[directory.string()];
    own.runtime_files = true;
    own.holds_files = true;
    std::error_code ec;
    for (const auto& entry : fs::directory_iterator(directory, ec)) {
        const auto name = entry.path().filename().string();
        if (is_runtime_file_name(name) && entry.is_symlink(ec)) collect(entry.path(), depth + 1, targets);
    }
}

void collect(const fs::path& path, int depth, WatchTargets& targets) {
    if (depth > max_link_depth) return;
    // `directory` holds no symlink: each one met is replaced by its target as the walk goes on.
    fs::path directory = path.root_path();
    const fs::path relative = path.relative_path();
    for (auto part = relative.begin(); part != relative.end(); ++part) {
        const std::string name = part->string();
        if (name.empty() || name == ".") continue;
        if (name == "..") {
            directory = directory.parent_path();
            continue;
        }
        auto& wanted = targets[directory.string()];
        wanted.names.insert(name);
        if (std::next(part) == relative.end()) wanted.holds_files = true;
        const fs::path next = directory / name;
        struct stat st{};
        if (::lstat(next.c_str(), &st) != 0) return;  // missing: its creation shows in `directory`
        if (S_ISLNK(st.st_mode)) {
            std::error_code ec;
            const fs::path target = fs::read_symlink(next, ec);
            if (ec) return;
            fs::path rest = target.is_absolute() ? target : directory / target;
            for (auto after = std::next(part); after != relative.end(); ++after) rest /= *after;
            collect(rest, depth + 1, targets);
            return;
        }
        if (!S_ISDIR(st.st_mode)) return;  // the file itself, or a path that cannot resolve past it
        directory = next;
    }
    collect_runtime_directory(directory, depth, targets);
}

// What polling compares for one name: a directory by its identity alone (its times change with any
// entry), anything else by inode, size and times as well.
std::string version(const fs::path& p, bool follow_links) {
    struct stat st{};
    if ((follow_links ? ::stat(p.c_str(), &st) : ::lstat(p.c_str(), &st)) != 0) return p.string() + ":absent;";
    if (S_ISDIR(st.st_mode)) return fmt::format("{}:{}:{};", p.string(), st.st_dev, st.st_ino);
    return fmt::format("{}:{}:{}:{}:{}.{}:{}.{};", p.string(), st.st_dev, st.st_ino, st.st_size, st.st_mtim.tv_sec,
                       st.st_mtim.tv_nsec, st.st_ctim.tv_sec, st.st_ctim.tv_nsec);
}

// The device and inode of every directory watched and of every name watched in it. A mount over a
// directory on a path changes them without any inotify event; so does a change missed for any reason.
std::string identity_of(const WatchTargets& targets) {
    std::string out;
    auto add = [&out](const fs::path& p) {
        struct stat st{};
        out += ::lstat(p.c_str(), &st) == 0 ? fmt::format("{}:{};", st.st_dev, st.st_ino) : std::string("-;");
    };
    for (const auto& [dir, wanted] : targets) {
        add(dir);
        for (const auto& name : wanted.names) add(fs::path(dir) / name);
    }
    return out;
}

}  // namespace

void collect_watch_targets(const fs::path& path, WatchTargets& targets) {
    collect(fs::absolute(path).lexically_normal(), 0, targets);
}

Watcher::Watcher(std::vector<fs::path> paths, const RuntimeOptions& options, WatcherHooks hooks)
    : options_(options), hooks_(std::move(hooks)) {
    for (auto& p : paths) paths_.push_back(fs::absolute(p).lexically_normal());
    wake_fd_ = ::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
    if (options_.force_polling || !start_inotify()) {
        mechanism_ = WatchMechanism::polling;
        last_fingerprint_ = fingerprint();
    }
    thread_ = std::thread([this] { run(); });
}

Watcher::~Watcher() {
    const std::uint64_t one = 1;
    if (wake_fd_ >= 0) [[maybe_unused]] auto written = ::write(wake_fd_, &one, sizeof one);
    if (thread_.joinable()) thread_.join();
    if (inotify_fd_ >= 0) ::close(inotify_fd_);
    if (wake_fd_ >= 0) ::close(wake_fd_);
}

std::string Watcher::problem() const {
    std::lock_guard lock(problem_mutex_);
    return problem_;
}

// False only when inotify is unavailable; a watcher that starts blind polls already.
bool Watcher::start_inotify() {
    inotify_fd_ = ::inotify_init1(IN_CLOEXEC | IN_NONBLOCK);
    if (inotify_fd_ < 0) return false;
    mechanism_ = WatchMechanism::inotify;
    rearm();
    return true;
}

// inotify can no longer be trusted to see every change: whatever it may have missed is read again,
// and the poller watches from now on, for the rest of this watcher's life.
void Watcher::go_blind(const std::string& reason) {
    if (inotify_fd_ >= 0) ::close(inotify_fd_);
    inotify_fd_ = -1;
    directory_of_.clear();
    targets_.clear();
    open_writes_.clear();
    open_count_.clear();
    complete_.clear();
    at_once_ = false;
    rearm_needed_ = false;
    {
        std::lock_guard lock(problem_mutex_);
        problem_ = reason;
    }
    mechanism_ = WatchMechanism::blind;
    last_fingerprint_ = fingerprint();
    next_poll_ = Clock::now() + options_.poll_interval;
    arm(Clock::now());
    if (hooks_.degraded) hooks_.degraded(reason);
}

void Watcher::rearm() {
    WatchTargets targets;
    for (const auto& p : paths_) collect_watch_targets(p, targets);

    std::map<int, std::string> next;
    std::string unwatched;  // ancestors left to the identity check
    for (const auto& [dir, wanted] : targets) {
        const int wd = ::inotify_add_watch(inotify_fd_, dir.c_str(), wanted.holds_files ? file_mask : watch_mask);
        if (wd >= 0) {
            next[wd] = dir;
            continue;
        }
        const int error = errno;
        if (error == ENOENT || error == ENOTDIR) continue;  // replaced since it was looked at: its parent re-arms
        if (error == ENOSPC || error == ENOMEM) {
            go_blind(fmt::format("cannot watch {}: inotify watch limit reached, see fs.inotify.max_user_watches", dir));
            return;
        }
        if (wanted.holds_files) {
            go_blind(fmt::format("cannot watch {}: {}", dir, error_text(error)));
            return;
        }
        if (unwatched.empty())
            unwatched = fmt::format("cannot watch {}: {}; its replacement is found by a check once a second", dir,
                                    error_text(error));
    }
    {
        std::lock_guard lock(problem_mutex_);
        problem_ = std::move(unwatched);
    }
    // A directory replaced under its name has a new inode, so a new descriptor: the old one goes.
    for (const auto& [wd, dir] : directory_of_)
        if (!next.contains(wd)) ::inotify_rm_watch(inotify_fd_, wd);
    directory_of_ = std::move(next);
    targets_ = std::move(targets);
    identities_ = identity_of(targets_);
}

bool Watcher::relevant(int wd, const std::string& name) const {
    const auto dir = directory_of_.find(wd);
    if (dir == directory_of_.end()) return false;
    const auto targets = targets_.find(dir->second);
    if (targets == targets_.end()) return false;
    return targets->second.names.contains(name) || (targets->second.runtime_files && is_runtime_file_name(name));
}

// A relevant name changed: watch what the path leads to now before judging further events, so that
// those of what it no longer leads to (the old release a deploy removes right after its rename) are
// not taken for changes to the files. Returns whether the event still concerns the files.
bool Watcher::relevant_now(int wd, const std::string& name) {
    if (!relevant(wd, name)) return false;
    if (!rearm_needed_ || mechanism_ != WatchMechanism::inotify) return true;
    rearm_needed_ = false;
    rearm();
    return relevant(wd, name);
}

void Watcher::arm(Clock::time_point now) {
    pending_ = true;
    at_once_ = false;
    deadline_ = now + options_.quiet_period;
}

// Complete files arrived: load them as soon as the events at hand are handled.
void Watcher::arm_at_once(Clock::time_point now) {
    pending_ = true;
    at_once_ = true;
    deadline_ = now;
}

void Watcher::handle_events() {
    alignas(inotify_event) char buffer[16 * 1024];
    const auto now = Clock::now();
    while (inotify_fd_ >= 0) {
        const ssize_t length = ::read(inotify_fd_, buffer, sizeof buffer);
        if (length <= 0) break;
        for (ssize_t offset = 0; offset < length;) {
            const auto* event = reinterpret_cast<const inotify_event*>(buffer + offset);
            offset += static_cast<ssize_t>(sizeof(inotify_event) + event->len);
            handle_event(*event, now);
        }
    }
}

void Watcher::handle_event(const inotify_event& event, Clock::time_point now) {
    const std::uint32_t mask = event.mask;
    if (mask & IN_Q_OVERFLOW) {
        if (hooks_.overflowed) hooks_.overflowed();
        go_blind("the inotify event queue overflowed and events were lost, see fs.inotify.max_queued_events");
        return;
    }
    if (!directory_of_.contains(event.wd)) return;  // a watch already given up, or dropped by go_blind
    if (mask & (IN_DELETE_SELF | IN_MOVE_SELF | IN_IGNORED | IN_UNMOUNT)) {
        rearm_needed_ = true;  // a directory watched went away: watch what is there now, or go blind
        arm(now);
        return;
    }
    const std::string name = event.len ? event.name : "";
    if (!relevant_now(event.wd, name)) return;
    const std::string path = directory_of_[event.wd] + "/" + name;

    if (mask & IN_OPEN) ++open_count_[path];
    if (mask & IN_MODIFY) {
        open_writes_[path] = now;  // postpones, never triggers
        complete_.erase(path);
        if (pending_) arm(now);
    }
    if (mask & (IN_CLOSE_WRITE | IN_CLOSE_NOWRITE)) closed(path, mask & IN_CLOSE_WRITE, now);
    if (mask & (IN_CREATE | IN_MOVED_TO | IN_MOVED_FROM | IN_DELETE)) name_changed(path, mask, now);
    if (mask & IN_ATTRIB) attributes_changed(path, now);
}

// chmod, chown, touch, an ACL: worth a read, though nothing says the file is complete. A file known
// complete stays so: editors set the mode or ACL of what they just wrote and closed (vim's fchmod and
// setxattr), and that change may arrive while the load its close asked for already runs.
void Watcher::attributes_changed(const std::string& path, Clock::time_point now) {
    if (pending_ && at_once_) return;
    if (!pending_ && complete_.contains(path)) return arm_at_once(now);
    arm(now);
}

// A close. After writing, the file is complete unless another process still holds it open; then the
// quiet period decides, as for any change not known to be whole. A close without writing (a reader,
// this runtime's own loads among them) changes nothing.
void Watcher::closed(const std::string& key, bool wrote, Clock::time_point now) {
    const auto count = open_count_.find(key);
    const bool others_hold_it = count != open_count_.end() && --count->second > 0;
    // Held by no one now; a close whose open came before the watch (or before the name's last change)
    // finds no count at all.
    if (count != open_count_.end() && count->second <= 0) open_count_.erase(count);
    if (!wrote) return;
    open_writes_.erase(key);
    if (others_hold_it) {
        complete_.erase(key);
        return arm(now);
    }
    complete_.insert(key);
    arm_at_once(now);
}

// Another inode, or none, under the name: the opens counted were of the one before. A rename into
// place delivers a complete file or directory, and so does a new hard link or symlink; an empty new
// file with one link is a writer's, still to be filled, and waits for its close (a writer that has
// written already shows by its modifications, which follow). A name gone, a new directory (still to be
// filled) and a new file of one link already written wait for the quiet period. A name that went
// away but is there again was replaced: the event of its arrival decides, whether it comes after this
// one or, in a renameat2(RENAME_EXCHANGE), came before.
void Watcher::name_changed(const std::string& path, std::uint32_t mask, Clock::time_point now) {
    open_count_.erase(path);
    open_writes_.erase(path);
    complete_.erase(path);
    rearm_needed_ = true;
    if (mask & IN_MOVED_TO) {
        complete_.insert(path);
        return arm_at_once(now);
    }
    struct stat st{};
    const bool present = ::lstat(path.c_str(), &st) == 0;
    if (mask & (IN_MOVED_FROM | IN_DELETE)) {
        if (!present) arm(now);
        return;
    }
    if (!present || (mask & IN_ISDIR)) return arm(now);
    if (S_ISLNK(st.st_mode) || (S_ISREG(st.st_mode) && st.st_nlink > 1)) {
        complete_.insert(path);
        return arm_at_once(now);
    }
    if (S_ISREG(st.st_mode) && st.st_size == 0) open_writes_[path] = now;
    arm(now);
}

bool Watcher::write_in_progress(Clock::time_point now) {
    std::erase_if(open_writes_, [now](const auto& entry) { return now - entry.second > abandoned_write; });
    return !open_writes_.empty();
}

// What polling compares: the identity of every directory on each path, the version of every name
// that leads on from it, and of every runtime file in a runtime directory.
std::string Watcher::fingerprint() const {
    WatchTargets targets;
    for (const auto& p : paths_) collect_watch_targets(p, targets);
    std::string out;
    for (const auto& [dir, wanted] : targets) {
        out += version(dir, false);
        for (const auto& name : wanted.names) out += version(fs::path(dir) / name, false);
        if (!wanted.runtime_files) continue;
        std::vector<fs::path> files;
        std::error_code ec;
        for (const auto& entry : fs::directory_iterator(dir, ec))
            if (is_runtime_file_name(entry.path().filename().string())) files.push_back(entry.path());
        std::sort(files.begin(), files.end());
        for (const auto& f : files) out += version(f, true);
    }
    return out;
}

bool Watcher::polling() const noexcept {
    const auto m = mechanism();
    return m == WatchMechanism::polling || m == WatchMechanism::blind;
}

void Watcher::poll_once(Clock::time_point now) {
    next_poll_ = now + options_.poll_interval;
    auto current = fingerprint();
    if (current != last_fingerprint_) {
        // Changed: read once it has held still for a whole interval.
        last_fingerprint_ = std::move(current);
        pending_ = true;
        deadline_ = now + options_.poll_interval;
    }
}

void Watcher::load_when_quiet(Clock::time_point now) {
    if (rearm_needed_ && mechanism_ == WatchMechanism::inotify) {
        rearm_needed_ = false;
        rearm();
    }
    if (polling()) {
        auto current = fingerprint();
        if (current != last_fingerprint_) {  // still moving
            last_fingerprint_ = std::move(current);
            deadline_ = now + options_.poll_interval;
            return;
        }
    }
    if (write_in_progress(now)) {
        deadline_ = now + options_.quiet_period;
        return;
    }
    pending_ = false;
    const bool early = at_once_;
    at_once_ = false;
    const bool polled = polling();
    const auto start_fingerprint = polled ? fingerprint() : std::string{};
    const PublishGate gate = [this, early, polled, &start_fingerprint](bool good) {
        if (polled) return fingerprint() == start_fingerprint;
        return may_conclude(early, good);
    };
    if (hooks_.load) hooks_.load(gate);
}

// Whether a load may publish or report what it read: not when anything touched the files meanwhile
// (another load follows), nor when a load asked for at once found them bad. A writer that works in
// several open/close cycles (`cat a > f; cat b >> f`) may have closed only its first part: that is
// read again after the quiet period, and only what that read finds is reported.
bool Watcher::may_conclude(bool early, bool good) {
    handle_events();
    if (pending_ || write_in_progress(Clock::now())) return false;
    if (!early || good) return true;
    arm(Clock::now());
    return false;
}

void Watcher::run() {
    auto next_tick = Clock::now() + std::chrono::seconds(1);
    next_poll_ = Clock::now() + options_.poll_interval;
    for (;;) {
        const auto now = Clock::now();
        auto wake = next_tick;
        if (pending_) wake = std::min(wake, deadline_);
        if (polling()) wake = std::min(wake, next_poll_);
        const auto timeout = std::max<long long>(
            0, std::chrono::duration_cast<std::chrono::milliseconds>(wake - now).count() + 1);

        pollfd fds[2] = {{wake_fd_, POLLIN, 0}, {inotify_fd_, POLLIN, 0}};
        const int count = inotify_fd_ >= 0 ? 2 : 1;
        const int ready = ::poll(fds, count, static_cast<int>(std::min<long long>(timeout, 60'000)));
        if (ready < 0 && errno != EINTR) break;
        if (fds[0].revents & POLLIN) return;  // stop
        if (count == 2 && (fds[1].revents & POLLIN)) handle_events();

        const auto after = Clock::now();
        if (polling() && after >= next_poll_) poll_once(after);
        if (pending_ && after >= deadline_) load_when_quiet(after);
        if (after >= next_tick) {
            next_tick = after + std::chrono::seconds(1);
            // Once a second, what no event reports: a directory on a path that is now another one.
            if (mechanism_ == WatchMechanism::inotify && identity_of(targets_) != identities_) {
                rearm_needed_ = true;
                arm(after);
            }
            if (hooks_.tick) hooks_.tick();
        }
    }
}

}  // namespace flags::internal
