#include "atomic_file.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace flags::internal {
namespace {

// Closes the descriptor and removes the temporary file unless the rename took it.
class Temporary {
public:
    explicit Temporary(std::string path) : path_(std::move(path)) {}
    ~Temporary() {
        if (fd >= 0) ::close(fd);
        if (!path_.empty()) ::unlink(path_.c_str());
    }
    Temporary(const Temporary&) = delete;
    Temporary& operator=(const Temporary&) = delete;

    char* name() { return path_.data(); }
    void renamed() { path_.clear(); }
    int fd = -1;

private:
    std::string path_;
};

std::string failed(std::string_view what) { return std::string(what) + ": " + std::strerror(errno); }

mode_t mode_for(const std::filesystem::path& path) {
    struct stat existing {};
    if (::stat(path.c_str(), &existing) == 0) return existing.st_mode & 07777;
    const mode_t mask = ::umask(0);
    ::umask(mask);
    return 0644 & ~mask;
}

}  // namespace

std::string write_atomically(const std::filesystem::path& path, std::string_view content) {
    const auto directory = path.has_parent_path() ? path.parent_path() : std::filesystem::path(".");
    // Hidden, and not *.toml, so that a runtime reading the directory's *.toml never picks it up.
    Temporary temporary((directory / ("." + path.filename().string() + ".tmp-XXXXXX")).string());
    temporary.fd = ::mkstemp(temporary.name());
    if (temporary.fd < 0) return failed("cannot create a temporary file in " + directory.string());

    if (::fchmod(temporary.fd, mode_for(path)) != 0) return failed("cannot set the file's permissions");
    for (std::size_t written = 0; written < content.size();) {
        const ssize_t n = ::write(temporary.fd, content.data() + written, content.size() - written);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) return failed("cannot write");
        written += static_cast<std::size_t>(n);
    }
    if (::fsync(temporary.fd) != 0) return failed("cannot flush to disk");
    if (::rename(temporary.name(), path.c_str()) != 0) return failed("cannot rename over " + path.string());
    temporary.renamed();

    // The rename is an entry in the directory: flush that too, or a crash may undo it.
    const int dir_fd = ::open(directory.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dir_fd >= 0) {
        ::fsync(dir_fd);
        ::close(dir_fd);
    }
    return {};
}

}  // namespace flags::internal
