#include "json_reader.hpp"

#include <algorithm>
#include <charconv>
#include <unordered_set>

#include <fmt/format.h>

namespace flagctl::json {

const Value* Value::find(std::string_view key) const {
    const auto found = std::ranges::find(members_, key, &Member::key);
    return found == members_.end() ? nullptr : &found->value;
}

std::optional<std::uint64_t> Value::whole_number() const {
    if (kind_ != Kind::number || text_.find_first_of("-.eE") != std::string::npos) return std::nullopt;
    std::uint64_t number = 0;
    const auto [end, error] = std::from_chars(text_.data(), text_.data() + text_.size(), number);
    if (error != std::errc{} || end != text_.data() + text_.size()) return std::nullopt;  // past 2^64 - 1
    return number;
}

std::string_view describe(Value::Kind kind) {
    switch (kind) {
    case Value::Kind::null: return "null";
    case Value::Kind::boolean: return "true or false";
    case Value::Kind::number: return "a number";
    case Value::Kind::string: return "a string";
    case Value::Kind::array: return "an array";
    case Value::Kind::object: return "an object";
    }
    return "?";
}

namespace {

struct Stop {
    ParseError error;
};

bool is_digit(char c) { return c >= '0' && c <= '9'; }

int hex_digit(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

void append_utf8(std::string& out, std::uint32_t code_point) {
    if (code_point < 0x80) {
        out += static_cast<char>(code_point);
    } else if (code_point < 0x800) {
        out += static_cast<char>(0xC0 | (code_point >> 6));
        out += static_cast<char>(0x80 | (code_point & 0x3F));
    } else if (code_point < 0x10000) {
        out += static_cast<char>(0xE0 | (code_point >> 12));
        out += static_cast<char>(0x80 | ((code_point >> 6) & 0x3F));
        out += static_cast<char>(0x80 | (code_point & 0x3F));
    } else {
        out += static_cast<char>(0xF0 | (code_point >> 18));
        out += static_cast<char>(0x80 | ((code_point >> 12) & 0x3F));
        out += static_cast<char>(0x80 | ((code_point >> 6) & 0x3F));
        out += static_cast<char>(0x80 | (code_point & 0x3F));
    }
}

// The length of the well-formed UTF-8 sequence at the start of `text` (which starts with a byte of
// 0x80 or more), or 0: no overlong forms, no surrogates, nothing past U+10FFFF (RFC 3629).
std::size_t utf8_sequence(std::string_view text) {
    const auto byte = [&](std::size_t i) { return static_cast<unsigned char>(text[i]); };
    const unsigned char lead = byte(0);
    std::size_t length = 0;
    unsigned char low = 0x80, high = 0xBF;  // the range of the second byte
    if (lead >= 0xC2 && lead <= 0xDF) length = 2;
    else if (lead == 0xE0) length = 3, low = 0xA0;
    else if (lead == 0xED) length = 3, high = 0x9F;
    else if (lead >= 0xE1 && lead <= 0xEF) length = 3;
    else if (lead == 0xF0) length = 4, low = 0x90;
    else if (lead == 0xF4) length = 4, high = 0x8F;
    else if (lead >= 0xF1 && lead <= 0xF3) length = 4;
    else return 0;
    if (text.size() < length || byte(1) < low || byte(1) > high) return 0;
    for (std::size_t i = 2; i < length; ++i)
        if (byte(i) < 0x80 || byte(i) > 0xBF) return 0;
    return length;
}

// Text of the file as a message quotes it: anything but printable ASCII as \xNN, so that a message
// stays one line of plain text whatever the file holds.
std::string shown(std::string_view text) {
    std::string out;
    for (const unsigned char c : text) {
        if (c >= 0x20 && c < 0x7F) out += static_cast<char>(c);
        else out += fmt::format("\\x{:02x}", c);
    }
    return out;
}

}  // namespace

// Recursive descent over the text, tracking the line and column of every value for messages.
class Parser {
public:
    explicit Parser(std::string_view text) : text_(text) {}

    Value document() {
        skip_space();
        Value root = value(0);
        skip_space();
        if (!at_end()) fail(fmt::format("unexpected {} after the JSON value", found()));
        return root;
    }

private:
    std::string_view text_;
    std::size_t at_ = 0;
    Position position_{};

    bool at_end() const { return at_ >= text_.size(); }
    char peek() const { return text_[at_]; }

    // Moves past `count` bytes; a column is a character, so UTF-8 continuation bytes do not count.
    void advance(std::size_t count = 1) {
        for (; count > 0 && !at_end(); --count, ++at_) {
            const auto c = static_cast<unsigned char>(text_[at_]);
            if (c == '\n') {
                ++position_.line;
                position_.column = 1;
            } else if ((c & 0xC0) != 0x80) {
                ++position_.column;
            }
        }
    }

    [[noreturn]] void fail(std::string message) const { fail_at(position_, std::move(message)); }
    [[noreturn]] static void fail_at(Position where, std::string message) {
        throw Stop{ParseError{where, std::move(message)}};
    }

    // What is at the current position, for "expected ..., found ..." messages.
    std::string found() const {
        if (at_end()) return "end of file";
        const auto c = static_cast<unsigned char>(peek());
        if (c >= 0x20 && c < 0x7F) return fmt::format("'{}'", static_cast<char>(c));
        if (c == '\n') return "end of line";
        return fmt::format("byte 0x{:02X}", c);
    }

    void skip_space() {
        while (!at_end() && (peek() == ' ' || peek() == '\t' || peek() == '\n' || peek() == '\r')) advance();
    }

    void expect(char c, std::string_view after) {
        if (at_end() || peek() != c) fail(fmt::format("expected '{}' {}, found {}", c, after, found()));
        advance();
    }

    Value value(int depth) {
        if (at_end()) fail("expected a value, found end of file");
        Value v;
        v.position_ = position_;
        switch (peek()) {
        case '{': object(v, depth + 1); break;
        case '[': array(v, depth + 1); break;
        case '"':
            v.kind_ = Value::Kind::string;
            v.text_ = string();
            break;
        case 't': word("true", v, Value::Kind::boolean, true); break;
        case 'f': word("false", v, Value::Kind::boolean, false); break;
        case 'n': word("null", v, Value::Kind::null, false); break;
        default:
            if (peek() == '-' || is_digit(peek())) {
                v.kind_ = Value::Kind::number;
                v.text_ = number();
                break;
            }
            fail(fmt::format("expected a value, found {}", found()));
        }
        return v;
    }

    void word(std::string_view spelled, Value& v, Value::Kind kind, bool boolean) {
        const auto rest = text_.substr(at_);
        const auto length = std::min(rest.find_first_of(" \t\r\n,:[]{}\""), rest.size());
        if (rest.substr(0, length) != spelled)
            fail(fmt::format("expected a value, found '{}'", shown(rest.substr(0, std::min<std::size_t>(length, 20)))));
        advance(spelled.size());
        v.kind_ = kind;
        v.boolean_ = boolean;
    }

    void object(Value& v, int depth) {
        v.kind_ = Value::Kind::object;
        std::unordered_set<std::string> keys;  // a set, so that a large object costs no quadratic time
        elements('}', "a member of an object", depth, [&] {
            if (at_end() || peek() != '"') fail(fmt::format("expected a key in quotes, found {}", found()));
            const Position key_position = position_;
            std::string key = string();
            if (!keys.insert(key).second) fail_at(key_position, fmt::format("duplicate key '{}'", shown(key)));
            skip_space();
            expect(':', "after a key");
            skip_space();
            v.members_.push_back(Member{std::move(key), value(depth), key_position});
        });
    }

    void array(Value& v, int depth) {
        v.kind_ = Value::Kind::array;
        elements(']', "an element of an array", depth, [&] { v.items_.push_back(value(depth)); });
    }

    // What objects and arrays share: the opening bracket, then `element` parsed at each element's
    // start, separated by commas, up to `close`; none at all is allowed, a trailing comma is not.
    template <class Element>
    void elements(char close, std::string_view what, int depth, Element&& element) {
        if (depth > max_depth) fail(fmt::format("arrays and objects nested more than {} deep", max_depth));
        advance();  // the opening bracket
        skip_space();
        if (!at_end() && peek() == close) {
            advance();
            return;
        }
        while (true) {
            skip_space();
            element();
            skip_space();
            if (at_end() || peek() != ',') break;
            advance();
        }
        expect(close, fmt::format("or ',' after {}", what));
    }

    // -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?, kept as written.
    std::string number() {
        const Position start = position_;
        const std::size_t begin = at_;
        const auto digits = [&](std::string_view where) {
            if (at_end() || !is_digit(peek())) fail(fmt::format("expected a digit {}, found {}", where, found()));
            while (!at_end() && is_digit(peek())) advance();
        };
        if (peek() == '-') advance();
        if (!at_end() && peek() == '0') {
            advance();
            if (!at_end() && is_digit(peek())) fail_at(start, "a number does not start with 0 unless it is 0");
        } else {
            digits("in a number");
        }
        if (!at_end() && peek() == '.') {
            advance();
            digits("after the decimal point");
        }
        if (!at_end() && (peek() == 'e' || peek() == 'E')) {
            advance();
            if (!at_end() && (peek() == '+' || peek() == '-')) advance();
            digits("in the exponent");
        }
        return std::string(text_.substr(begin, at_ - begin));
    }

    std::uint32_t hex4() {
        std::uint32_t unit = 0;
        for (int i = 0; i < 4; ++i) {
            const int d = at_end() ? -1 : hex_digit(peek());
            if (d < 0) fail(fmt::format("expected a hex digit in a \\u escape, found {}", found()));
            unit = unit * 16 + static_cast<std::uint32_t>(d);
            advance();
        }
        return unit;
    }

    std::string string() {
        const Position start = position_;
        advance();  // "
        std::string out;
        while (true) {
            if (at_end()) fail_at(start, "a string is not closed: '\"' is missing");
            const auto c = static_cast<unsigned char>(peek());
            if (c == '"') {
                advance();
                return out;
            }
            if (c < 0x20)
                fail(c == '\n' ? std::string("a string is not closed on its line: '\"' is missing")
                               : fmt::format("control character 0x{:02X} in a string: write it as \\u{:04X}", c, c));
            if (c >= 0x80) {
                const std::size_t length = utf8_sequence(text_.substr(at_));
                if (length == 0) fail("invalid UTF-8 in a string");
                out += text_.substr(at_, length);
                advance(length);
                continue;
            }
            if (c != '\\') {
                out += static_cast<char>(c);
                advance();
                continue;
            }
            const Position escape = position_;
            advance();  // backslash
            if (at_end()) continue;  // reported as an unclosed string
            const char e = peek();
            advance();
            switch (e) {
            case '"': out += '"'; break;
            case '\\': out += '\\'; break;
            case '/': out += '/'; break;
            case 'b': out += '\b'; break;
            case 'f': out += '\f'; break;
            case 'n': out += '\n'; break;
            case 'r': out += '\r'; break;
            case 't': out += '\t'; break;
            case 'u': {
                std::uint32_t code_point = hex4();
                if (code_point >= 0xDC00 && code_point <= 0xDFFF)
                    fail_at(escape, fmt::format("\\u{:04X} is half a surrogate pair, without its first half", code_point));
                if (code_point >= 0xD800 && code_point <= 0xDBFF) {
                    if (text_.substr(at_, 2) != "\\u")
                        fail_at(escape, fmt::format("\\u{:04X} is half a surrogate pair, without its second half", code_point));
                    advance(2);
                    const std::uint32_t low = hex4();
                    if (low < 0xDC00 || low > 0xDFFF)
                        fail_at(escape, fmt::format("\\u{:04X} is half a surrogate pair, without its second half", code_point));
                    code_point = 0x10000 + ((code_point - 0xD800) << 10) + (low - 0xDC00);
                }
                append_utf8(out, code_point);
                break;
            }
            default:
                fail_at(escape, (static_cast<unsigned char>(e) >= 0x20 && static_cast<unsigned char>(e) < 0x7F)
                                    ? fmt::format("unknown escape '\\{}' in a string", e)
                                    : std::string("unknown escape in a string"));
            }
        }
    }
};

Parsed parse(std::string_view text) {
    try {
        return Parsed{.value = Parser(text).document()};
    } catch (const Stop& stop) {
        return Parsed{.value = std::nullopt, .error = stop.error};
    }
}

}  // namespace flagctl::json
