#include "text_budget.hpp"

#include <algorithm>
#include <array>
#include <cstdint>
#include <memory>
#include <vector>

#include <fmt/format.h>

#include <flags/bucketing.hpp>

namespace flags::internal {
namespace {

// The characters each loop of the scan stops at, one bit per loop, so that the loops pass over the
// bulk of the text (names, numbers, the inside of strings) with one look-up a character.
enum Stop : std::uint8_t {
    in_key = 1,             // " ' . = and what ends a key: line break } ,
    in_scalar = 2,          // what ends a number, boolean or date-time: , ] } # and line breaks
    in_basic_string = 4,    // \ " and a line break
    in_literal_string = 8,  // ' and a line break
};

constexpr std::array<std::uint8_t, 256> stops = [] {
    std::array<std::uint8_t, 256> table{};
    const auto mark = [&table](std::string_view chars, Stop stop) {
        for (char c : chars) table[static_cast<unsigned char>(c)] |= stop;
    };
    mark("\"'.=\n},", in_key);
    mark(",]}#\r\n", in_scalar);
    mark("\\\"\n", in_basic_string);
    mark("'\n", in_literal_string);
    return table;
}();

bool stops_at(char c, Stop stop) noexcept { return stops[static_cast<unsigned char>(c)] & stop; }

// An open inline array or table. `depth` is the tree depth of the container itself, counted as
// text_within_limits counts it: the root table is 0.
struct Open {
    bool is_array = false;
    std::size_t depth = 0;
    std::size_t start = 0;     // offset of its '[' or '{'
    std::size_t elements = 0;  // arrays only
};

class TextScan {
public:
    TextScan(std::string_view text, const std::string& display, const Limits& limits, std::size_t& values,
             Reporter& report, const BudgetWords& words, std::uint64_t* hash)
        : text_(text), display_(std::make_shared<const std::string>(display)), limits_(limits), values_(values),
          report_(report), words_(words), hash_(hash) {}

    bool run() {
        while (ok_ && skip_blanks(true)) {
            if (open_.empty()) statement();
            else if (open_.back().is_array) array_item();
            else inline_entry();
            absorb_until(pos_);
        }
        if (ok_ && overfull_ > 0) close_array(open_[overfull_ - 1]);  // never closed: toml++ would say so
        absorb_until(text_.size());
        return ok_;
    }

private:
    // The text up to `offset` goes into the hash, from where the last call stopped. The scan only moves
    // forward, and may stand past the end after an escape that ends the text.
    void absorb_until(std::size_t offset) {
        const std::size_t end = std::min(offset, text_.size());
        if (!hash_ || end <= hashed_) return;
        *hash_ = bucketing::absorb(*hash_, text_.substr(hashed_, end - hashed_));
        hashed_ = end;
    }

    char at(std::size_t i) const { return i < text_.size() ? text_[i] : '\0'; }

    // Skips spaces, tabs, comments and (where `lines`) line breaks; false at the end of the text.
    bool skip_blanks(bool lines) {
        while (pos_ < text_.size()) {
            const char c = text_[pos_];
            if (c == ' ' || c == '\t' || (lines && (c == '\n' || c == '\r'))) ++pos_;
            else if (c == '#') pos_ = std::min(text_.size(), text_.find('\n', pos_));
            else return true;
        }
        return false;
    }

    // Past a string starting at pos_: basic or literal, on one line or multi-line.
    void skip_string() {
        const char quote = text_[pos_];
        const bool multi = at(pos_ + 1) == quote && at(pos_ + 2) == quote;
        pos_ += multi ? 3 : 1;
        const Stop stop = quote == '"' ? in_basic_string : in_literal_string;
        while (pos_ < text_.size()) {
            const char c = text_[pos_];
            if (!stops_at(c, stop)) {
                ++pos_;
                continue;
            }
            if (c == '\\' && quote == '"') {
                pos_ += 2;
            } else if (c == quote && (!multi || (at(pos_ + 1) == quote && at(pos_ + 2) == quote))) {
                pos_ += multi ? 3 : 1;
                // A multi-line string may end in up to two quotes of its own before the closing three.
                while (multi && at(pos_) == quote) ++pos_;
                return;
            } else if (!multi && c == '\n') {
                return;  // unterminated: toml++ says so
            } else {
                ++pos_;
            }
        }
    }

    // Past a key up to and including its '='; returns its number of dotted segments (0: no key).
    std::size_t key() {
        std::size_t segments = 1;
        while (pos_ < text_.size()) {
            const char c = text_[pos_];
            if (!stops_at(c, in_key)) ++pos_;
            else if (c == '"' || c == '\'') skip_string();
            else if (c == '.') ++segments, ++pos_;
            else if (c == '=') {
                ++pos_;
                return segments;
            } else if (c == '\n' || c == '}' || c == ',') return 0;
            else ++pos_;
        }
        return 0;
    }

    void statement() {
        if (text_[pos_] == '[') {
            table_header();
            return;
        }
        const std::size_t start = pos_;
        const std::size_t segments = key();
        if (segments == 0) {
            skip_line();
            return;
        }
        if (!count(start, segments)) return;
        value(header_depth_ + segments);
    }

    // [a.b] or [[a.b]]: the tables it names, and the depth of the keys below it. Tables named by the
    // previous header exist already, so [flags."a"] after [flags."b"] adds one table, not two.
    void table_header() {
        const std::size_t start = pos_;
        while (pos_ < text_.size() && text_[pos_] == '[') ++pos_;
        // The two headers' segments live in two buffers, swapped at each header: no allocation per table.
        auto& segments = header_;
        segments.clear();
        std::size_t segment_start = pos_;
        const auto end_segment = [&] {
            auto segment = text_.substr(segment_start, pos_ - segment_start);
            while (!segment.empty() && (segment.front() == ' ' || segment.front() == '\t')) segment.remove_prefix(1);
            while (!segment.empty() && (segment.back() == ' ' || segment.back() == '\t')) segment.remove_suffix(1);
            segments.push_back(segment);
        };
        while (pos_ < text_.size() && text_[pos_] != ']' && text_[pos_] != '\n') {
            if (text_[pos_] == '"' || text_[pos_] == '\'') {
                skip_string();
            } else if (text_[pos_] == '.') {
                end_segment();
                segment_start = ++pos_;
            } else {
                ++pos_;
            }
        }
        end_segment();
        skip_line();
        std::size_t shared = 0;
        while (shared + 1 < segments.size() && shared < previous_header_.size() &&
               segments[shared] == previous_header_[shared])
            ++shared;
        header_depth_ = segments.size();
        std::swap(header_, previous_header_);
        if (count(start, header_depth_ - shared)) check_depth(start, header_depth_);
    }

    void array_item() {
        auto& array = open_.back();
        const char c = text_[pos_];
        if (c == ']') {
            ++pos_;
            close_array(array);
            open_.pop_back();
            return;
        }
        if (c == ',') {
            ++pos_;
            return;
        }
        // Past its own limit, the array is counted to its end, so that the message gives its size.
        if (++array.elements > limits_.max_array_elements && overfull_ == 0) overfull_ = open_.size();
        if (!count(pos_, 1)) return;
        value(array.depth + 1);
    }

    void inline_entry() {
        const char c = text_[pos_];
        if (c == '}' || c == ',') {
            if (c == '}') open_.pop_back();
            ++pos_;
            return;
        }
        const std::size_t start = pos_;
        const std::size_t segments = key();
        if (segments == 0) {
            ++pos_;
            return;
        }
        if (!count(start, segments)) return;
        value(open_.back().depth + segments);
    }

    // A value at `depth`: a container is opened, anything else is passed over.
    void value(std::size_t depth) {
        if (!skip_blanks(false) || !check_depth(pos_, depth)) return;
        const char c = text_[pos_];
        if (c == '[' || c == '{') {
            open_.push_back(Open{.is_array = c == '[', .depth = depth, .start = pos_});
            ++pos_;
        } else if (c == '"' || c == '\'') {
            skip_string();
        } else {
            // A number, boolean or date-time (which may hold a space) ends where the container or line
            // does; one character at least is passed, so that a stray ']' or '}' cannot stop the scan.
            do ++pos_;
            while (pos_ < text_.size() && !stops_at(text_[pos_], in_scalar));
        }
    }

    void skip_line() { pos_ = std::min(text_.size(), text_.find('\n', pos_)); }

    void close_array(const Open& array) {
        if (array.elements > limits_.max_array_elements)
            fail(array.start, fmt::format("an array of {} elements; the limit is {}", array.elements,
                                          limits_.max_array_elements));
    }

    bool count(std::size_t where, std::size_t added) {
        values_ += added;
        if (values_ > limits_.max_values && overfull_ == 0)
            fail(where, fmt::format("{} reach {} values (keys, tables and array elements) here; "
                                    "the limit is {}",
                                    words_.files, limits_.max_values + 1, limits_.max_values));
        return ok_;
    }

    // As text_within_limits reports it: the first value past the limit is max_nesting + 1 deep.
    bool check_depth(std::size_t where, std::size_t depth) {
        if (depth > limits_.max_nesting)
            fail(where, fmt::format("values are nested {} deep; the limit is {}", limits_.max_nesting + 1,
                                    limits_.max_nesting));
        return ok_;
    }

    void fail(std::size_t offset, std::string message) {
        if (!ok_) return;
        ok_ = false;
        const auto before = text_.substr(0, offset);
        const auto line = static_cast<std::uint32_t>(std::count(before.begin(), before.end(), '\n') + 1);
        const auto line_start = before.rfind('\n');
        const auto column =
            static_cast<std::uint32_t>(offset - (line_start == std::string_view::npos ? 0 : line_start + 1) + 1);
        report_.error(toml::source_region{.begin = {line, column}, .end = {line, column}, .path = display_},
                      std::move(message), std::string(words_.hint));
    }

    std::string_view text_;
    std::shared_ptr<const std::string> display_;
    const Limits& limits_;
    std::size_t& values_;
    Reporter& report_;
    const BudgetWords& words_;
    std::vector<Open> open_;
    std::size_t pos_ = 0;
    std::size_t header_depth_ = 0;
    std::vector<std::string_view> header_, previous_header_;
    std::size_t overfull_ = 0;  // 1 + the index in open_ of an array past max_array_elements, or 0
    bool ok_ = true;
    std::uint64_t* hash_ = nullptr;
    std::size_t hashed_ = 0;  // the text before this offset is in *hash_
};

}  // namespace

bool text_within_limits(std::string_view text, const std::string& display, const Limits& limits,
                        std::size_t& values, Reporter& report, const BudgetWords& words, std::uint64_t* hash) {
    return TextScan(text, display, limits, values, report, words, hash).run();
}

}  // namespace flags::internal
