// Replacing a file so that its readers (a service's watcher) see the old content or the new, never a
// half-written file and never no file.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>

namespace flags::internal {

// Writes `content` to a temporary file in the same directory, flushes it to disk, renames it over
// `path`, and flushes the directory, so that the rename survives a crash. The file keeps the
// permissions of the one it replaces (a new file gets 0644 less the umask), since the service that
// reads it may run as another user. Returns an empty string, or what went wrong; on failure `path`
// is untouched and no temporary file is left behind.
std::string write_atomically(const std::filesystem::path& path, std::string_view content);

}  // namespace flags::internal
