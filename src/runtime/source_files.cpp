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

#include "../regular_file.hpp"

namespace flags::internal {
namespace {

namespace fs = std::filesystem;

enum class ReadResult { ok, missing, failed };

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

// One version of the file whole, as every reader of flag files reads them (regular_file.hpp), and
// with secure permissions when the options ask for them. `total` is what the files read before this
// one in the same load hold; the file is refused unread when it would take them past max_total_bytes.
ReadResult read_consistent(const fs::path& path, const RuntimeOptions& options, std::size_t total, std::string& text,
                           std::string& problem) {
    const FileCheck check = [&](int fd, const struct stat& opened) -> std::string {
        if (options.require_secure_permissions) {
            if (auto insecure = insecure_file(fd, opened, path); !insecure.message.empty()) return insecure.message;
        }
        // A file past its own limit is refused by read_regular_file, which names that limit.
        const auto size = static_cast<std::size_t>(opened.st_size);
        const auto total_limit = options.limits.max_total_bytes;
        if (size <= options.limits.max_file_bytes && size > total_limit - std::min(total, total_limit))
            return fmt::format("with it the runtime files hold {} bytes; the limit for all of them is {}", total + size,
                               total_limit);
        return {};
    };
    switch (read_regular_file(path, options.limits.max_file_bytes, text, problem, check)) {
    case FileRead::ok: return ReadResult::ok;
    case FileRead::missing: return ReadResult::missing;
    case FileRead::refused: break;
    }
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
        const int fd = ::open(file.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
        if (fd < 0) continue;
        struct stat st{};
        if (::fstat(fd, &st) == 0) warn(file, insecure_file(fd, st, file));
        ::close(fd);
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
        const bool too_much = problem.find("the limit for all of them") != std::string::npos;
        fail(SourceState::invalid, file.string(), fmt::format("cannot read the {}: {}", which, problem),
             permissions ? std::string(permissions_hint)
             : too_much  ? "keep only this service's files in the directory, or raise "
                           "RuntimeOptions::limits.max_total_bytes; the last good snapshot keeps serving"
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

    std::size_t total = 0;
    for (const auto& file : base_files) {
        std::string text, problem;
        switch (read_consistent(file, options, total, text, problem)) {
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
        total += text.size();
        read.sources.push_back(RuntimeSource{.display = file.string(), .text = std::move(text), .layer = 0});
    }

    // The override file is optional: absent or blank, it overrides nothing.
    if (!paths.override_file.empty()) {
        std::string text, problem;
        const auto result = read_consistent(paths.override_file, options, total, text, problem);
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
