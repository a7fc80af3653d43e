// Runtime files as their authors wrote them, for presentation only: where a flag's entry is, the
// text of a rule, a one-line summary of an entry, the conditions a file tests. Nothing here decides a
// value or judges a file: commands read these only after the engine has accepted the files, and ask
// the engine (engine.hpp) for every value they print.
#pragma once

#include <deque>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <toml++/toml.h>

#include <flags/registry_types.hpp>

#include "entry_text.hpp"

namespace flagctl {

// Where something is written: a file, a line, and the text itself (on one line).
struct SourceText {
    std::string file{};
    int line = 0;
    std::string text{};
};

struct Entry {
    std::string flag{};
    std::string file{};  // as messages name it
    int line = 0;      // of its [flags."name"] header
    const toml::table* table = nullptr;
    bool from_override = false;
};

class RuntimeText {
public:
    // Moves keep the entries' pointers into the parsed files valid; a copy would not.
    RuntimeText(RuntimeText&&) = default;
    RuntimeText& operator=(RuntimeText&&) = default;
    RuntimeText(const RuntimeText&) = delete;
    RuntimeText& operator=(const RuntimeText&) = delete;

    // The files a runtime with these sources reads, read by the runtime's own file reader. Files that
    // cannot be read or parsed are left out: the engine reports them.
    static RuntimeText read(const std::filesystem::path& base, const std::filesystem::path& override_file = {});
    // One file's text, e.g. an old version from git.
    static RuntimeText from_text(std::string_view text, std::string display);

    // The entry in effect for `flag`: the override file's when it has one, else the base's.
    std::optional<Entry> entry(std::string_view flag) const;
    // Every entry of every file, registered or not, in file order.
    const std::vector<Entry>& entries() const { return entries_; }
    // Rule `index` of the flag's entry in effect, as written.
    std::optional<SourceText> rule(std::string_view flag, std::size_t index) const;
    // The conditions of segment `name`, or null.
    const toml::array* segment(std::string_view name) const;
    // Calls `visit` with every condition table of every rule and segment.
    void for_each_condition(const std::function<void(const toml::table&)>& visit) const;

private:
    RuntimeText() = default;

    struct File {
        std::string display;
        std::string text;
        int layer = 0;
        toml::table root;
    };
    void index_entries();

    std::deque<File> files_;  // a deque: entries point into the tables, which must not move
    std::vector<Entry> entries_;
};

EntryShape shape_of(const toml::table& entry);

// The entry serves true to everyone: not off, no prerequisite, and its own outcome and every rule's
// are `value = true` or `rollout = 100`. (A release flag in this state is finished: remove it.)
bool fully_on(const toml::table& entry);

// The entry as a canonical string, without `since`: two entries that behave alike compare equal
// whatever their layout, comments or key order.
std::string canonical(const toml::table& entry);

}  // namespace flagctl
