#include "source_files.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <set>

#include <fmt/format.h>

namespace flags::internal {
namespace {

namespace fs = std::filesystem;

struct Descriptor {
    int fd = -1;
    ~Descriptor() {
        if (fd >= 0) ::close(fd);
    }
};

bool same_version(const struct stat& a, const struct stat& b) noexcept {
    return a.st_dev == b.st_dev && a.st_ino == b.st_ino && a.st_size == b.st_size && a.st_mtim.tv_sec == b.st_mtim.tv_sec &&
           a.st_mtim.tv_nsec == b.st_mtim.tv_nsec;
}

enum class ReadResult { ok, missing, failed };

std::string open_problem(int error) {
    switch (error) {
    case ELOOP: return "too many levels of symbolic links (a symlink loop?)";
    case EACCES: return "permission denied";
    default: return std::strerror(error);
    }
}

bool on_read_only_filesystem(const fs::path& path) {
    struct statvfs fs_info{};
    return ::statvfs(path.c_str(), &fs_info) == 0 && (fs_info.f_flag & ST_RDONLY);
}

// Why `st` may not be trusted, with the command that fixes it, or an empty message. `what` names it
// in the message. Nothing on a read-only filesystem can be written, whatever its mode or owner: a
// Kubernetes ConfigMap or Secret volume, a read-only bind mount, an image's /etc.
struct Insecurity {
    std::string message;
    std::string fix;
};

Insecurity insecurity(const struct stat& st, const std::string& what, const fs::path& path, bool read_only) {
    if (read_only) return {};
    const uid_t me = ::geteuid();
    if (st.st_uid != 0 && st.st_uid != me)
        return {fmt::format("{} is owned by uid {}, neither root nor this process's user", what, st.st_uid),
                fmt::format("chown root '{}'", path.string())};
    const bool sticky_directory = S_ISDIR(st.st_mode) && (st.st_mode & S_ISVTX);
    if ((st.st_mode & (S_IWGRP | S_IWOTH)) && !sticky_directory)
        return {fmt::format("{} is writable by other users (mode {:04o})", what, st.st_mode & 07777),
                fmt::format("chmod go-w '{}'", path.string())};
    return {};
}

// The directories a change to which could change what `path` reads: those along the path as given
// (they hold its symlinks) and along the path it resolves to.
Insecurity insecure_directory(const fs::path& path) {
    std::set<fs::path> directories;
    std::error_code ec;
    const auto absolute = fs::absolute(path, ec).lexically_normal();
    for (auto d = absolute.parent_path(); !d.empty(); d = d.parent_path()) {
        directories.insert(d);
        if (d == d.root_path()) break;
    }
    const auto resolved = fs::canonical(path, ec);
    if (!ec)
        for (auto d = resolved.parent_path(); !d.empty(); d = d.parent_path()) {
            directories.insert(d);
            if (d == d.root_path()) break;
        }
    for (const auto& d : directories) {
        struct stat st{};
        if (::stat(d.c_str(), &st) != 0) continue;
        if (auto problem = insecurity(st, "directory " + d.string(), d, on_read_only_filesystem(d));
            !problem.message.empty())
            return problem;
    }
    return {};
}

// Why the policy refuses the open file `fd` at `path`, or an empty message.
Insecurity insecure_file(int fd, const struct stat& st, const fs::path& path) {
    struct statvfs fs_info{};
    const bool read_only = ::fstatvfs(fd, &fs_info) == 0 && (fs_info.f_flag & ST_RDONLY);
    if (auto p = insecurity(st, "the file", path, read_only); !p.message.empty()) return p;
    return insecure_directory(path);
}

// A runtime directory's own mode and owner, then those of the directories above it.
Insecurity insecure_runtime_directory(const fs::path& directory) {
    struct stat st{};
    if (::stat(directory.c_str(), &st) == 0)
        if (auto p = insecurity(st, "directory " + directory.string(), directory, on_read_only_filesystem(directory));
            !p.message.empty())
            return p;
    return insecure_directory(directory);
}

// Reads one version of the file whole, never blocking on a FIFO and never reading past the limit:
// it must be a regular file, and the same file of the same size and time before and after reading.
ReadResult read_consistent(const fs::path& path, const RuntimeOptions& options, std::string& text,
                           std::string& problem) {
    for (int attempt = 0; attempt < 5; ++attempt) {
        Descriptor file{::open(path.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY)};
        if (file.fd < 0) {
            const int error = errno;
            problem = open_problem(error);
            return error == ENOENT || error == ENOTDIR ? ReadResult::missing : ReadResult::failed;
        }
        struct stat before{};
        if (::fstat(file.fd, &before) != 0) {
            problem = std::strerror(errno);
            return ReadResult::failed;
        }
        if (!S_ISREG(before.st_mode)) {
            problem = S_ISDIR(before.st_mode)  ? "it is a directory, not a file"
                      : S_ISFIFO(before.st_mode) ? "it is a FIFO, not a regular file"
                                                 : "it is a device or socket, not a regular file";
            return ReadResult::failed;
        }
        if (options.require_secure_permissions) {
            if (auto p = insecure_file(file.fd, before, path); !p.message.empty()) {
                problem = p.message;
                return ReadResult::failed;
            }
        }
        const auto limit = options.limits.max_file_bytes;
        if (static_cast<std::uintmax_t>(before.st_size) > limit) {
            problem = fmt::format("the file is {} bytes; the limit is {}", before.st_size, limit);
            return ReadResult::failed;
        }
        std::string buffer(static_cast<std::size_t>(before.st_size) + 1, '\0');
        std::size_t length = 0;
        while (length < buffer.size()) {
            const ssize_t n = ::read(file.fd, buffer.data() + length, buffer.size() - length);
            if (n < 0 && errno == EINTR) continue;
            if (n <= 0) break;
            length += static_cast<std::size_t>(n);
        }
        struct stat after{}, at_path{};
        const bool unchanged = ::fstat(file.fd, &after) == 0 && ::stat(path.c_str(), &at_path) == 0 &&
                               same_version(before, after) && same_version(before, at_path) &&
                               length == static_cast<std::size_t>(before.st_size);
        if (unchanged) {
            buffer.resize(length);
            text = std::move(buffer);
            return ReadResult::ok;
        }
    }
    problem = "the file kept changing while it was read";
    return ReadResult::failed;
}

bool is_blank(std::string_view text) {
    return std::all_of(text.begin(), text.end(), [](char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; });
}

const char* permissions_hint =
    "make it owned by root or this service's user and writable by no one else (chmod go-w), or set "
    "RuntimeOptions::require_secure_permissions = false for development";

}  // namespace

bool is_runtime_file_name(std::string_view name) noexcept {
    return name.size() > 5 && name.ends_with(".toml") && !name.starts_with('.');
}

std::vector<Diagnostic> permission_warnings(const fs::path& path) {
    std::vector<Diagnostic> out;
    auto warn = [&out](const fs::path& file, const Insecurity& problem) {
        if (problem.message.empty()) return;
        out.push_back(Diagnostic{.severity = Severity::warning,
                                 .file = file.string(),
                                 .message = "a service would refuse it: " + problem.message,
                                 .hint = "run " + problem.fix + ", or mount it read-only"});
    };
    std::error_code ec;
    std::vector<fs::path> files;
    if (fs::is_directory(path, ec)) {
        const auto problem = insecure_runtime_directory(path);
        warn(path, problem);
        if (!problem.message.empty()) return out;
        for (const auto& entry : fs::directory_iterator(path, ec))
            if (is_runtime_file_name(entry.path().filename().string())) files.push_back(entry.path());
        std::sort(files.begin(), files.end());
    } else {
        files.push_back(path);
    }
    for (const auto& file : files) {
        Descriptor fd{::open(file.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY)};
        struct stat st{};
        if (fd.fd >= 0 && ::fstat(fd.fd, &st) == 0) warn(file, insecure_file(fd.fd, st, file));
    }
    return out;
}

std::vector<fs::path> SourcePaths::watched() const {
    std::vector<fs::path> out{base};
    if (!override_file.empty()) out.push_back(override_file);
    return out;
}

std::vector<std::string> SourcePaths::described() const {
    std::vector<std::string> out;
    for (const auto& p : watched()) out.push_back(p.string());
    return out;
}

SourceRead read_sources(const SourcePaths& paths, const RuntimeOptions& options) {
    SourceRead read;
    auto fail = [&read](SourceState state, std::string file, std::string message, std::string hint) {
        read.state = state;
        read.diagnostics.push_back(
            Diagnostic{.file = std::move(file), .message = std::move(message), .hint = std::move(hint)});
    };
    auto refuse = [&](const fs::path& file, std::string_view which, const std::string& problem) {
        const bool permissions = problem.find("writable by") != std::string::npos || problem.find("owned by") != std::string::npos;
        fail(SourceState::invalid, file.string(), fmt::format("cannot read the {}: {}", which, problem),
             permissions ? std::string(permissions_hint)
                         : "fix the path or the file; the last good snapshot keeps serving");
    };

    std::vector<fs::path> base_files;
    std::error_code ec;
    if (fs::is_directory(paths.base, ec)) {
        if (options.require_secure_permissions)
            if (auto problem = insecure_runtime_directory(paths.base); !problem.message.empty()) {
                refuse(paths.base, "runtime directory", problem.message);
                return read;
            }
        for (const auto& entry : fs::directory_iterator(paths.base, ec))
            if (is_runtime_file_name(entry.path().filename().string())) base_files.push_back(entry.path());
        std::sort(base_files.begin(), base_files.end());
        if (base_files.empty()) {
            fail(SourceState::empty, paths.base.string(), "the runtime directory holds no *.toml files",
                 "the last good snapshot keeps serving; deploy the runtime files into it");
            return read;
        }
    } else {
        base_files.push_back(paths.base);
    }

    for (const auto& file : base_files) {
        std::string text, problem;
        switch (read_consistent(file, options, text, problem)) {
        case ReadResult::missing:
            fail(SourceState::missing, file.string(), "the runtime file is missing",
                 "the last good snapshot keeps serving; deploy the file to this path");
            return read;
        case ReadResult::failed:
            refuse(file, "runtime file", problem);
            return read;
        case ReadResult::ok: break;
        }
        if (is_blank(text)) {
            fail(SourceState::empty, file.string(), "the runtime file is empty",
                 "the last good snapshot keeps serving; an empty file is taken for a failed deploy, not for "
                 "\"no flags\" (write schema = 1 for that)");
            return read;
        }
        read.sources.push_back(RuntimeSource{.display = file.string(), .text = std::move(text), .layer = 0});
    }

    // The override file is optional: absent or blank, it overrides nothing.
    if (!paths.override_file.empty()) {
        std::string text, problem;
        const auto result = read_consistent(paths.override_file, options, text, problem);
        if (result == ReadResult::failed) {
            refuse(paths.override_file, "override file", problem);
            return read;
        }
        if (result == ReadResult::ok && !is_blank(text))
            read.sources.push_back(
                RuntimeSource{.display = paths.override_file.string(), .text = std::move(text), .layer = 1});
    }
    return read;
}

}  // namespace flags::internal
