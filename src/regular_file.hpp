// Reading one file whole, only when it is a regular file of bounded size, and only one version of it.
// The runtime reads its files this way, and so do flagc and flagctl: a FIFO would block the reader,
// a device such as /dev/zero never ends, and a file past the limit would cost unbounded memory.
#pragma once

#include <sys/stat.h>

#include <cstddef>
#include <filesystem>
#include <functional>
#include <string>

namespace flags::internal {

enum class FileRead { ok, missing, refused };

// Why a file that was opened (`fd`) may still not be read (its owner, say), or an empty string.
using FileCheck = std::function<std::string(int fd, const struct stat& opened)>;

// Reads `path` into `text`. A file that does not exist is `missing`; one that is not a regular file,
// is larger than `max_bytes`, fails `check` or keeps changing while it is read is `refused`. Either
// way `problem` says why, in words that follow "cannot read the file: ".
FileRead read_regular_file(const std::filesystem::path& path, std::size_t max_bytes, std::string& text,
                           std::string& problem, const FileCheck& check = {});

// What a file that is not a regular file is, as "it is a FIFO, not a regular file".
std::string not_regular(const struct stat& st);

}  // namespace flags::internal
