#include "retire_edits.hpp"

#include <algorithm>

namespace flagctl {
namespace {

bool is_blank(char c) { return c == ' ' || c == '\t'; }

std::size_t indent_length(std::string_view line) {
    std::size_t n = 0;
    while (n < line.size() && is_blank(line[n])) ++n;
    return n;
}

std::vector<std::string_view> split_lines(std::string_view text) {
    std::vector<std::string_view> lines;
    std::size_t start = 0;
    while (true) {
        const auto newline = text.find('\n', start);
        lines.push_back(text.substr(start, newline == std::string_view::npos ? std::string_view::npos : newline - start));
        if (newline == std::string_view::npos) break;
        start = newline + 1;
    }
    return lines;
}

}  // namespace

std::optional<std::string> FileEdits::render(std::size_t begin, std::size_t end) const {
    std::vector<const TextEdit*> inside;
    for (const auto& e : edits_) {
        if (e.end <= begin || e.begin >= end) {
            if (!(e.begin == e.end && e.begin > begin && e.begin < end)) continue;
        }
        if (e.begin < begin || e.end > end) return std::nullopt;
        inside.push_back(&e);
    }
    std::ranges::sort(inside, [](const TextEdit* a, const TextEdit* b) { return a->begin < b->begin; });
    std::string out;
    std::size_t at = begin;
    for (const auto* e : inside) {
        out.append(original_, at, e->begin - at);
        out += e->text;
        at = e->end;
    }
    out.append(original_, at, end - at);
    return out;
}

bool FileEdits::replace(std::size_t begin, std::size_t end, std::string text) {
    for (const auto& e : edits_) {
        const bool disjoint = e.end <= begin || e.begin >= end;
        const bool inside = e.begin >= begin && e.end <= end;
        if (e == TextEdit{begin, end, text}) return true;  // the same rewrite, reached twice
        if (!disjoint && !inside) return false;
    }
    std::erase_if(edits_, [&](const TextEdit& e) {
        return e.begin >= begin && e.end <= end && !(e.begin == e.end && (e.begin == begin || e.begin == end) && begin != end);
    });
    edits_.push_back(TextEdit{begin, end, std::move(text)});
    return true;
}

void FileEdits::drop(std::size_t begin, std::size_t end) {
    if (begin < end) dropped_.emplace_back(begin, end);
}

bool FileEdits::dropped(std::size_t offset) const {
    return std::ranges::any_of(dropped_, [&](const auto& d) { return offset >= d.first && offset < d.second; });
}

std::size_t FileEdits::line_start(std::size_t offset) const {
    const auto newline = original_.rfind('\n', offset == 0 ? 0 : offset - 1);
    return offset == 0 || newline == std::string::npos ? 0 : newline + 1;
}

std::size_t FileEdits::line_end(std::size_t offset) const {
    const auto newline = original_.find('\n', offset);
    return newline == std::string::npos ? original_.size() : newline;
}

std::string_view FileEdits::indent_of_line(std::size_t offset) const {
    const auto start = line_start(offset);
    const std::string_view line(original_.data() + start, line_end(start) - start);
    return line.substr(0, indent_length(line));
}

std::pair<std::size_t, std::size_t> FileEdits::whole_lines(std::size_t begin, std::size_t end) const {
    const auto start = line_start(begin);
    const auto stop = line_end(end);
    for (auto i = start; i < begin; ++i)
        if (!is_blank(original_[i])) return {begin, end};
    for (auto i = end; i < stop; ++i)
        if (!is_blank(original_[i]) && original_[i] != '\r') return {begin, end};
    return {start, stop < original_.size() ? stop + 1 : stop};
}

std::pair<std::size_t, std::size_t> FileEdits::declaration_lines(std::size_t begin, std::size_t end) const {
    auto [from, to] = whole_lines(begin, end);
    const auto blank_line = [&](std::size_t start) {
        const auto stop = line_end(start);
        for (auto i = start; i < stop; ++i)
            if (!is_blank(original_[i]) && original_[i] != '\r') return false;
        return true;
    };
    while (from > 0) {
        const auto previous = line_start(from - 1);
        const auto indent = indent_of_line(previous).size();
        if (original_.compare(previous + indent, 2, "//") != 0) break;
        from = previous;
    }
    if (to < original_.size() && blank_line(to) && (from == 0 || blank_line(line_start(from - 1))))
        to = std::min(original_.size(), line_end(to) + 1);
    else if (to == original_.size() && from > 0 && blank_line(line_start(from - 1)))
        from = line_start(from - 1);  // the last declaration: the blank line above it goes with it
    return {from, to};
}

std::size_t FileEdits::past_semicolon(std::size_t end) const {
    auto i = end;
    while (i < original_.size() && is_blank(original_[i])) ++i;
    return i < original_.size() && original_[i] == ';' ? i + 1 : end;
}

std::size_t common_indent(std::string_view text, std::optional<std::size_t> first) {
    const auto lines = split_lines(text);
    std::size_t least = first.value_or(std::string_view::npos);
    for (std::size_t i = 1; i < lines.size(); ++i) {
        const auto n = indent_length(lines[i]);
        if (n < lines[i].size()) least = std::min(least, n);
    }
    return least == std::string_view::npos ? 0 : least;
}

std::string reindent(std::string_view text, std::size_t base, std::string_view target) {
    const auto lines = split_lines(text);
    std::string out;
    for (std::size_t i = 0; i < lines.size(); ++i) {
        const auto line = lines[i];
        const auto n = indent_length(line);
        if (i == 0) {
            out += line.substr(n);
            continue;
        }
        out += '\n';
        if (n == line.size()) continue;
        out += target;
        out += line.substr(std::min(n, base));
    }
    return out;
}

std::string apply_edits(std::string_view original, std::vector<TextEdit> edits) {
    std::ranges::sort(edits, [](const TextEdit& a, const TextEdit& b) { return a.begin < b.begin; });
    std::string out;
    std::size_t at = 0;
    for (const auto& e : edits) {
        if (e.begin < at) continue;
        out.append(original.substr(at, e.begin - at));
        out += e.text;
        at = e.end;
    }
    out.append(original.substr(at));
    return out;
}

}  // namespace flagctl
