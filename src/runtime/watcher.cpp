#include "watcher.hpp"

#include <poll.h>
#include <sys/eventfd.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include <fmt/format.h>

namespace flags::internal {
namespace {

namespace fs = std::filesystem;

constexpr std::uint32_t watch_mask = IN_CLOSE_WRITE | IN_MOVED_TO | IN_MOVED_FROM | IN_CREATE | IN_DELETE |
                                     IN_MODIFY | IN_ATTRIB | IN_DELETE_SELF | IN_MOVE_SELF | IN_ONLYDIR;

// Symlink chains longer than this are treated as loops, as the kernel does with ELOOP.
constexpr int max_link_depth = 16;

// A writer that modified a file and has neither closed nor renamed it for this long is taken to
// have died (a crashed writer's fd is closed by the kernel, so this is only a last resort).
constexpr auto abandoned_write = std::chrono::seconds(30);

bool is_link(const fs::path& p) {
    struct stat st{};
    return ::lstat(p.c_str(), &st) == 0 && S_ISLNK(st.st_mode);
}

std::string canonical_string(const fs::path& p) {
    std::error_code ec;
    const auto c = fs::canonical(p, ec);
    return ec ? p.lexically_normal().string() : c.string();
}

}  // namespace

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

bool Watcher::start_inotify() {
    inotify_fd_ = ::inotify_init1(IN_CLOEXEC | IN_NONBLOCK);
    if (inotify_fd_ < 0) return false;
    mechanism_ = WatchMechanism::inotify;
    rearm();
    return mechanism_ == WatchMechanism::inotify;
}

void Watcher::degrade(const std::string& reason) {
    if (inotify_fd_ >= 0) ::close(inotify_fd_);
    inotify_fd_ = -1;
    directory_of_.clear();
    mechanism_ = WatchMechanism::polling;
    last_fingerprint_ = fingerprint();
    next_poll_ = Clock::now();
    if (hooks_.degraded) hooks_.degraded(reason);
}

// Every link along `directory` (a prefix that is a symlink) is a name whose change moves the files.
void Watcher::add_symlinks_along(const fs::path& directory, int depth, std::map<std::string, DirectoryTargets>& targets) {
    fs::path prefix;
    for (const auto& part : directory) {
        prefix /= part;
        if (prefix.has_parent_path() && prefix != prefix.root_path() && is_link(prefix))
            add_path(prefix, depth + 1, targets);
    }
}

void Watcher::add_path(const fs::path& path, int depth, std::map<std::string, DirectoryTargets>& targets) {
    if (depth > max_link_depth) return;
    const fs::path directory = path.parent_path();
    add_symlinks_along(directory, depth, targets);

    // A missing directory is watched through its nearest existing ancestor, for the name that leads
    // towards it, so that its creation is seen.
    fs::path existing = directory;
    std::string name = path.filename().string();
    std::error_code ec;
    while (!fs::is_directory(existing, ec) && existing.has_parent_path() && existing != existing.root_path()) {
        name = existing.filename().string();
        existing = existing.parent_path();
    }
    targets[canonical_string(existing)].names.insert(name);
    if (existing != directory) return;

    if (is_link(path)) {
        fs::path target = fs::read_symlink(path, ec);
        if (ec) return;
        if (target.is_relative()) target = fs::path(canonical_string(directory)) / target;
        add_path(target.lexically_normal(), depth + 1, targets);
    } else if (fs::is_directory(path, ec)) {
        targets[canonical_string(path)].any_toml = true;
    }
}

void Watcher::rearm() {
    std::map<std::string, DirectoryTargets> targets;
    for (const auto& p : paths_) add_path(p, 0, targets);

    std::map<std::string, int> watching;
    for (const auto& [wd, dir] : directory_of_) watching[dir] = wd;
    std::map<int, std::string> next;
    for (const auto& [dir, wanted] : targets) {
        const int wd = ::inotify_add_watch(inotify_fd_, dir.c_str(), watch_mask);
        if (wd < 0) {
            if (errno == ENOSPC || errno == ENOMEM) {
                degrade(fmt::format("inotify watch limit reached ({}): see fs.inotify.max_user_watches",
                                    std::strerror(errno)));
                return;
            }
            continue;  // vanished since it was looked at: the parent's events will re-arm
        }
        next[wd] = dir;
        watching.erase(dir);
    }
    for (const auto& [dir, wd] : watching)
        if (!next.contains(wd)) ::inotify_rm_watch(inotify_fd_, wd);
    directory_of_ = std::move(next);
    targets_ = std::move(targets);
}

bool Watcher::relevant(int wd, const std::string& name) const {
    const auto dir = directory_of_.find(wd);
    if (dir == directory_of_.end()) return false;
    const auto targets = targets_.find(dir->second);
    if (targets == targets_.end()) return false;
    return targets->second.names.contains(name) || (targets->second.any_toml && name.ends_with(".toml"));
}

void Watcher::arm(Clock::time_point now) {
    pending_ = true;
    deadline_ = now + options_.quiet_period;
}

void Watcher::handle_events() {
    alignas(inotify_event) char buffer[16 * 1024];
    const auto now = Clock::now();
    for (;;) {
        const ssize_t length = ::read(inotify_fd_, buffer, sizeof buffer);
        if (length <= 0) break;
        for (ssize_t offset = 0; offset < length;) {
            const auto* event = reinterpret_cast<const inotify_event*>(buffer + offset);
            offset += static_cast<ssize_t>(sizeof(inotify_event) + event->len);
            const std::uint32_t mask = event->mask;

            if (mask & IN_Q_OVERFLOW) {  // events were lost: forget what we knew and read everything
                open_writes_.clear();
                rearm_needed_ = true;
                arm(now);
                if (hooks_.overflowed) hooks_.overflowed();
                continue;
            }
            if (mask & (IN_DELETE_SELF | IN_MOVE_SELF | IN_IGNORED)) {
                rearm_needed_ = true;
                arm(now);
                continue;
            }
            const std::string name = event->len ? event->name : "";
            if (!relevant(event->wd, name)) continue;
            const std::string key = directory_of_[event->wd] + "/" + name;

            if (mask & IN_MODIFY) {
                open_writes_[key] = now;  // postpones, never triggers
                if (pending_) arm(now);
            }
            if (mask & IN_CLOSE_WRITE) {
                open_writes_.erase(key);
                arm(now);
            }
            if (mask & IN_CREATE) {
                // A new regular file is being filled by its writer: wait for its close. A new symlink
                // or directory is complete as it appears.
                struct stat st{};
                const auto path = fs::path(directory_of_[event->wd]) / name;
                if (!(mask & IN_ISDIR) && ::lstat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode))
                    open_writes_[key] = now;
                rearm_needed_ = true;
                arm(now);
            }
            if (mask & (IN_MOVED_TO | IN_MOVED_FROM | IN_DELETE | IN_ATTRIB)) {
                open_writes_.erase(key);
                rearm_needed_ = true;
                arm(now);
            }
        }
    }
}

bool Watcher::write_in_progress(Clock::time_point now) {
    std::erase_if(open_writes_, [now](const auto& entry) { return now - entry.second > abandoned_write; });
    return !open_writes_.empty();
}

// What polling compares: for each path, every link of its chain and the file it ends at, or the
// *.toml files of a directory, by inode, size and times.
std::string Watcher::fingerprint() const {
    std::string out;
    auto describe = [&out](const fs::path& p) {
        struct stat st{};
        if (::lstat(p.c_str(), &st) != 0) {
            out += p.string() + ":absent;";
            return;
        }
        out += fmt::format("{}:{}:{}:{}:{}.{}:{}.{};", p.string(), st.st_dev, st.st_ino, st.st_size, st.st_mtim.tv_sec,
                           st.st_mtim.tv_nsec, st.st_ctim.tv_sec, st.st_ctim.tv_nsec);
    };
    for (const auto& path : paths_) {
        fs::path current = path;
        for (int depth = 0; depth <= max_link_depth; ++depth) {
            describe(current);
            if (!is_link(current)) break;
            std::error_code ec;
            auto target = fs::read_symlink(current, ec);
            if (ec) break;
            current = target.is_relative() ? current.parent_path() / target : target;
        }
        std::error_code ec;
        const auto resolved = fs::canonical(path, ec);
        if (!ec && fs::is_directory(resolved, ec)) {
            std::vector<fs::path> files;
            for (const auto& entry : fs::directory_iterator(resolved, ec)) files.push_back(entry.path());
            std::sort(files.begin(), files.end());
            for (const auto& f : files) describe(f);
        } else if (!ec) {
            describe(resolved);
        }
    }
    return out;
}

void Watcher::run() {
    auto next_tick = Clock::now() + std::chrono::seconds(1);
    next_poll_ = Clock::now() + options_.poll_interval;
    for (;;) {
        const auto now = Clock::now();
        auto wake = next_tick;
        if (pending_) wake = std::min(wake, deadline_);
        if (mechanism_ == WatchMechanism::polling) wake = std::min(wake, next_poll_);
        const auto timeout = std::max<long long>(
            0, std::chrono::duration_cast<std::chrono::milliseconds>(wake - now).count() + 1);

        pollfd fds[2] = {{wake_fd_, POLLIN, 0}, {inotify_fd_, POLLIN, 0}};
        const int count = inotify_fd_ >= 0 ? 2 : 1;
        const int ready = ::poll(fds, count, static_cast<int>(std::min<long long>(timeout, 60'000)));
        if (ready < 0 && errno != EINTR) break;
        if (fds[0].revents & POLLIN) return;  // stop
        if (count == 2 && (fds[1].revents & POLLIN)) handle_events();

        const auto after = Clock::now();
        if (mechanism_ == WatchMechanism::polling && after >= next_poll_) {
            next_poll_ = after + options_.poll_interval;
            auto current = fingerprint();
            if (current != last_fingerprint_) {
                // Changed: read once it has held still for a whole interval.
                last_fingerprint_ = std::move(current);
                pending_ = true;
                deadline_ = after + options_.poll_interval;
            }
        }
        if (pending_ && after >= deadline_) {
            if (rearm_needed_ && mechanism_ == WatchMechanism::inotify) {
                rearm_needed_ = false;
                rearm();
            }
            if (mechanism_ == WatchMechanism::polling) {
                auto current = fingerprint();
                if (current != last_fingerprint_) {  // still moving
                    last_fingerprint_ = std::move(current);
                    deadline_ = after + options_.poll_interval;
                    continue;
                }
            }
            if (write_in_progress(after)) {
                deadline_ = after + options_.quiet_period;
            } else {
                pending_ = false;
                const auto start_fingerprint = mechanism_ == WatchMechanism::polling ? fingerprint() : std::string{};
                const std::function<bool()> unchanged = [this, &start_fingerprint] {
                    if (mechanism_ == WatchMechanism::polling) return fingerprint() == start_fingerprint;
                    handle_events();
                    return !pending_ && !write_in_progress(Clock::now());
                };
                if (hooks_.load) hooks_.load(unchanged);
            }
        }
        if (after >= next_tick) {
            next_tick = after + std::chrono::seconds(1);
            if (hooks_.tick) hooks_.tick();
        }
    }
}

}  // namespace flags::internal
