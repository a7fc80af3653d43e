#include "regular_file.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include <fmt/format.h>

#include "runtime/input_limits.hpp"

namespace flags::internal {
namespace {

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

std::string open_problem(int error) {
    switch (error) {
    case ELOOP: return "too many levels of symbolic links (a symlink loop?)";
    case EACCES: return "permission denied";
    default: return std::strerror(error);
    }
}

}  // namespace

std::string not_regular(const struct stat& st) {
    if (S_ISDIR(st.st_mode)) return "it is a directory, not a file";
    if (S_ISFIFO(st.st_mode)) return "it is a FIFO, not a regular file";
    if (S_ISLNK(st.st_mode)) return "it is a symbolic link, not a regular file";
    return "it is a device or socket, not a regular file";
}

// Opened without blocking, so that a FIFO with no writer cannot hang the reader before fstat tells
// what it is; read up to one byte past the size, so that a file that grew is seen to have changed.
FileRead read_regular_file(const std::filesystem::path& path, std::size_t max_bytes, std::string& text,
                           std::string& problem, const FileCheck& check) {
    for (int attempt = 0; attempt < 5; ++attempt) {
        Descriptor file{::open(path.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY)};
        if (file.fd < 0) {
            const int error = errno;
            problem = open_problem(error);
            return error == ENOENT || error == ENOTDIR ? FileRead::missing : FileRead::refused;
        }
        struct stat before{};
        if (::fstat(file.fd, &before) != 0) {
            problem = std::strerror(errno);
            return FileRead::refused;
        }
        if (!S_ISREG(before.st_mode)) {
            problem = not_regular(before);
            return FileRead::refused;
        }
        if (check) {
            if (auto p = check(file.fd, before); !p.empty()) {
                problem = std::move(p);
                return FileRead::refused;
            }
        }
        if (auto too_large = file_size_problem(static_cast<std::uintmax_t>(before.st_size), max_bytes);
            !too_large.empty()) {
            problem = std::move(too_large);
            return FileRead::refused;
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
            return FileRead::ok;
        }
    }
    problem = "the file kept changing while it was read";
    return FileRead::refused;
}

}  // namespace flags::internal
