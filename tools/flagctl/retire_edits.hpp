// The edits `flagctl retire` makes to one file, in the file's own offsets. Edits nest: a rewrite of
// an `if` renders the branch it keeps with the edits already made inside it, then replaces the whole
// statement, so each rule works on text that the rules below it have already simplified.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace flagctl {

struct TextEdit {
    std::size_t begin = 0, end = 0;  // [begin, end) of the original text
    std::string text{};

    friend bool operator==(const TextEdit&, const TextEdit&) = default;
};

class FileEdits {
public:
    explicit FileEdits(std::string original) : original_(std::move(original)) {}

    const std::string& original() const { return original_; }
    const std::vector<TextEdit>& edits() const { return edits_; }

    // [begin, end) of the original with the edits inside it applied; nullopt when an edit crosses a bound.
    std::optional<std::string> render(std::size_t begin, std::size_t end) const;
    // Replaces [begin, end), taking over the edits inside it. False (and nothing changed) when an
    // edit crosses a bound or already covers the range.
    bool replace(std::size_t begin, std::size_t end, std::string text);
    // Original text that the result no longer has: what the flag's removal took away.
    void drop(std::size_t begin, std::size_t end);
    bool dropped(std::size_t offset) const;

    std::size_t line_start(std::size_t offset) const;
    // The offset of the '\n' ending the line (or the end of the text).
    std::size_t line_end(std::size_t offset) const;
    std::string_view indent_of_line(std::size_t offset) const;
    // [begin, end) grown to whole lines (with the newline) when nothing else shares them.
    std::pair<std::size_t, std::size_t> whole_lines(std::size_t begin, std::size_t end) const;
    // Whole lines [begin, end) grown by the comment lines right above them, and by the blank line
    // after them when a blank line (or the start of the file) is above: a declaration's removal
    // leaves one blank line between its neighbours, as there was.
    std::pair<std::size_t, std::size_t> declaration_lines(std::size_t begin, std::size_t end) const;
    // Past a ';' that follows `end` on its line, if there is one.
    std::size_t past_semicolon(std::size_t end) const;

private:
    std::string original_;
    std::vector<TextEdit> edits_;
    std::vector<std::pair<std::size_t, std::size_t>> dropped_;
};

// `text` moved to sit where a statement indented by `target` was: the first line as it starts, the
// others shifted by the difference between `base` and `target` (blank lines emptied).
std::string reindent(std::string_view text, std::size_t base, std::string_view target);

// The smallest indentation of the lines after the first that have text; `first` counts too when given.
std::size_t common_indent(std::string_view text, std::optional<std::size_t> first);

// The original with non-overlapping edits applied.
std::string apply_edits(std::string_view original, std::vector<TextEdit> edits);

}  // namespace flagctl
