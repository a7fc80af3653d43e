#include "git_history.hpp"

#include <charconv>
#include <chrono>
#include <sstream>
#include <string>
#include <vector>

#include "engine.hpp"
#include "subprocess.hpp"

namespace flagctl {
namespace {

// Enough for years of a runtime file's history; each commit costs one `git show`.
constexpr int max_commits = 1000;

struct Commit {
    std::string hash;
    flags::Date date;
};

std::vector<Commit> commits_changing(const std::string& directory, const std::string& name) {
    const auto log = run_process({"git", "-C", directory, "log", "--format=%H %ct", "-n", std::to_string(max_commits),
                                  "--", name});
    std::vector<Commit> commits;
    if (!log || log->exit_code != 0) return commits;
    std::istringstream lines(log->output);
    std::string hash, seconds;
    while (lines >> hash >> seconds) {
        long long since_epoch = 0;
        std::from_chars(seconds.data(), seconds.data() + seconds.size(), since_epoch);
        commits.push_back(Commit{hash, std::chrono::floor<std::chrono::days>(
                                           std::chrono::sys_seconds{std::chrono::seconds{since_epoch}})});
    }
    return commits;
}

}  // namespace

std::optional<flags::Date> held_since(const flags::RegistryView& registry, const std::filesystem::path& file,
                                      std::string_view flag, const std::function<bool(const EntrySource* entry)>& holds) {
    const std::string directory = file.has_parent_path() ? file.parent_path().string() : ".";
    const std::string name = file.filename().string();
    std::optional<flags::Date> since;
    for (const auto& commit : commits_changing(directory, name)) {
        // "<rev>:./<name>" is resolved against -C's directory, wherever the work tree's root is.
        const auto shown = run_process({"git", "-C", directory, "show", commit.hash + ":./" + name});
        if (!shown || shown->exit_code != 0) break;
        const auto version = describe_text(registry, shown->output, name);
        if (!holds(version.entry(flag))) break;
        since = commit.date;
    }
    return since;
}

}  // namespace flagctl
