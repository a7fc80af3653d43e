#include "source_scan.hpp"

#include <algorithm>
#include <fstream>
#include <map>
#include <set>

namespace flagctl {
namespace {

namespace fs = std::filesystem;

const std::set<std::string> cpp_extensions = {".cpp", ".cc", ".cxx", ".h", ".hpp", ".hh", ".hxx", ".ipp", ".inl", ".tpp"};

bool is_identifier_char(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}

bool is_name_char(char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.'; }

std::vector<fs::path> cpp_files_under(const fs::path& root) {
    std::vector<fs::path> files;
    if (fs::is_regular_file(root)) return {root};
    std::error_code ec;
    for (auto it = fs::recursive_directory_iterator(root, fs::directory_options::skip_permission_denied, ec);
         it != fs::recursive_directory_iterator(); it.increment(ec)) {
        if (ec) break;
        const auto name = it->path().filename().string();
        if (it->is_directory(ec) && name.starts_with('.')) {
            it.disable_recursion_pending();
            continue;
        }
        if (it->is_regular_file(ec) && cpp_extensions.contains(it->path().extension().string()))
            files.push_back(it->path());
    }
    std::sort(files.begin(), files.end());
    return files;
}

std::string trimmed(std::string_view line) {
    const auto first = line.find_first_not_of(" \t");
    if (first == std::string_view::npos) return {};
    const auto last = line.find_last_not_of(" \t\r");
    return std::string(line.substr(first, last - first + 1));
}

// The flags one line names: each `Flag::identifier` whose identifier is whole (Flag::release_x does
// not name release_x_y), and each quoted string that is exactly a flag's name.
std::set<std::size_t> flags_named(std::string_view line, const std::map<std::string, std::size_t, std::less<>>& by_identifier,
                                  const std::map<std::string, std::size_t, std::less<>>& by_name) {
    std::set<std::size_t> found;
    constexpr std::string_view marker = "Flag::";
    for (auto at = line.find(marker); at != std::string_view::npos; at = line.find(marker, at + 1)) {
        if (at > 0 && is_identifier_char(line[at - 1])) continue;  // MyFlag::x is another type
        auto end = at + marker.size();
        while (end < line.size() && is_identifier_char(line[end])) ++end;
        const auto identifier = line.substr(at + marker.size(), end - at - marker.size());
        if (const auto hit = by_identifier.find(identifier); hit != by_identifier.end()) found.insert(hit->second);
    }
    for (auto open = line.find('"'); open != std::string_view::npos; open = line.find('"', open + 1)) {
        auto end = open + 1;
        while (end < line.size() && is_name_char(line[end])) ++end;
        if (end < line.size() && line[end] == '"') {
            if (const auto hit = by_name.find(line.substr(open + 1, end - open - 1)); hit != by_name.end())
                found.insert(hit->second);
            open = end;  // the closing quote opens nothing
        }
    }
    return found;
}

}  // namespace

std::vector<std::vector<CallSite>> find_call_sites(const std::vector<fs::path>& roots,
                                                   const flags::RegistryView& registry) {
    std::map<std::string, std::size_t, std::less<>> by_identifier, by_name;
    for (std::size_t i = 0; i < registry.flags.size(); ++i) {
        by_identifier.emplace(registry.flags[i].identifier, i);
        by_name.emplace(registry.flags[i].name, i);
    }
    std::vector<std::vector<CallSite>> sites(registry.flags.size());
    for (const auto& root : roots) {
        for (const auto& file : cpp_files_under(root)) {
            std::ifstream in(file);
            std::string line;
            for (int number = 1; std::getline(in, line); ++number)
                for (const auto flag : flags_named(line, by_identifier, by_name))
                    sites[flag].push_back(CallSite{file.generic_string(), number, trimmed(line)});
        }
    }
    return sites;
}

}  // namespace flagctl
