#include "source_files.hpp"

#include <sys/stat.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

namespace flags::internal {
namespace {

namespace fs = std::filesystem;

struct FileIdentity {
    dev_t device = 0;
    ino_t inode = 0;
    off_t size = 0;
    timespec modified{};

    bool operator==(const FileIdentity& o) const noexcept {
        return device == o.device && inode == o.inode && size == o.size && modified.tv_sec == o.modified.tv_sec &&
               modified.tv_nsec == o.modified.tv_nsec;
    }
};

bool identify(const fs::path& path, FileIdentity& out, int& error) {
    struct stat st{};
    if (::stat(path.c_str(), &st) != 0) {
        error = errno;
        return false;
    }
    out = FileIdentity{st.st_dev, st.st_ino, st.st_size, st.st_mtim};
    return true;
}

enum class ReadResult { ok, missing, failed };

// Reads the file and checks that it was the same file, of the same size and time, before and after:
// a writer that truncated or replaced it meanwhile makes the read start over.
ReadResult read_consistent(const fs::path& path, std::string& text, std::string& problem) {
    for (int attempt = 0; attempt < 5; ++attempt) {
        FileIdentity before, after;
        int error = 0;
        if (!identify(path, before, error)) {
            problem = std::strerror(error);
            return error == ENOENT || error == ENOTDIR ? ReadResult::missing : ReadResult::failed;
        }
        std::ifstream in(path, std::ios::binary);
        if (!in) {
            problem = std::strerror(errno);
            return errno == ENOENT ? ReadResult::missing : ReadResult::failed;
        }
        std::ostringstream buffer;
        buffer << in.rdbuf();
        if (identify(path, after, error) && before == after &&
            buffer.str().size() == static_cast<std::size_t>(after.size)) {
            text = std::move(buffer).str();
            return ReadResult::ok;
        }
    }
    problem = "the file kept changing while it was read";
    return ReadResult::failed;
}

bool is_blank(std::string_view text) {
    return std::all_of(text.begin(), text.end(), [](char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; });
}

}  // namespace

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

SourceRead read_sources(const SourcePaths& paths) {
    SourceRead read;
    auto fail = [&read](SourceState state, std::string file, std::string message, std::string hint) {
        read.state = state;
        read.diagnostics.push_back(
            Diagnostic{.file = std::move(file), .message = std::move(message), .hint = std::move(hint)});
    };

    std::vector<fs::path> base_files;
    std::error_code ec;
    if (fs::is_directory(paths.base, ec)) {
        for (const auto& entry : fs::directory_iterator(paths.base, ec))
            if (entry.path().extension() == ".toml") base_files.push_back(entry.path());
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
        switch (read_consistent(file, text, problem)) {
        case ReadResult::missing:
            fail(SourceState::missing, file.string(), "the runtime file is missing",
                 "the last good snapshot keeps serving; deploy the file to this path");
            return read;
        case ReadResult::failed:
            fail(SourceState::invalid, file.string(), "cannot read the runtime file: " + problem,
                 "check the file's permissions; the last good snapshot keeps serving");
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
        const auto result = read_consistent(paths.override_file, text, problem);
        if (result == ReadResult::failed) {
            fail(SourceState::invalid, paths.override_file.string(), "cannot read the override file: " + problem,
                 "check the file's permissions; the last good snapshot keeps serving");
            return read;
        }
        if (result == ReadResult::ok && !is_blank(text))
            read.sources.push_back(
                RuntimeSource{.display = paths.override_file.string(), .text = std::move(text), .layer = 1});
    }
    return read;
}

}  // namespace flags::internal
