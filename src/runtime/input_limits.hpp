// Checks a parsed runtime file against the configured Limits, so that no input, however large or
// deep, costs more than the limits allow. A flag entry is checked just before it is compiled, while
// its values are still in the cache from the check (a second walk of a 10,000-flag tree would cost a
// fifth of its parse in cache misses); nothing past a limit is ever compiled.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <toml++/toml.h>

#include <flags/runtime_options.hpp>

#include "../toml_input.hpp"

namespace flags::internal {

// The one check of a file's size against a limit (Limits::max_file_bytes, or a registry file's): for a
// file on disk, before it is read (read_regular_file), and for text handed over in memory
// (Runtime::load_text). Empty within the limit, else what is wrong.
std::string file_size_problem(std::uintmax_t bytes, std::size_t max_bytes);

// The limits of a load's files, checked in two steps: check_file for all of a file but the entries of
// its [flags] table, then check_entry for each of those entries. The problems are kept, and report()
// gives them in the order of one walk of each file in turn (each file's keys in its table's order,
// the counts of entries and of rules last), whatever the order the entries were checked in.
class LimitCheck {
public:
    explicit LimitCheck(const Limits& limits) : limits_(limits) {}

    // Files are numbered in the order they are given here, from 0.
    void check_file(const toml::table& root);
    // An entry of file `file`'s [flags] table; each file's entries in the order of its table.
    void check_entry(std::size_t file, const toml::key& name, const toml::node& entry);

    bool ok() const noexcept { return ok_; }
    // Reports every problem found; returns ok().
    bool report(Reporter& report) const;

private:
    struct Problem {
        toml::source_region where;
        std::string message;
    };
    struct File {
        std::vector<Problem> before, entries, after, counts;  // in the order report() gives them
        bool entries_checked = false;  // false: the [flags] key itself is past a limit, or absent
        bool entries_nested = false;   // false: the [flags] table is already too deep for its entries
    };

    void visit(const toml::node& node, std::size_t depth);
    bool within_nesting(const toml::node& node, std::size_t depth);
    bool check_key(const toml::key& key);
    void check_rules(File& file, const toml::key& name, const toml::array* rules);
    void fail(const toml::source_region& where, std::string message);
    void fail_count(File& file, const toml::source_region& where, std::string message);

    const Limits& limits_;
    std::vector<File> files_;
    std::vector<Problem>* into_ = nullptr;  // the list a problem found now goes to
    bool ok_ = true;
};

}  // namespace flags::internal
