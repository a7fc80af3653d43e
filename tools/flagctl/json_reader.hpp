// A small strict JSON reader (RFC 8259) for the files flagctl reads that services write, such as
// usage files. Strict, because a file a program wrote and a person may have edited should be refused
// with its line and column rather than half understood: no comments, no trailing commas, no
// duplicate keys, UTF-8 only. Numbers keep their text; the caller says what kind of number it wants.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace flagctl::json {

// 1-based; columns count characters, not bytes.
struct Position {
    int line = 1;
    int column = 1;
};

struct Member;

class Value {
public:
    enum class Kind { null, boolean, number, string, array, object };

    Kind kind() const { return kind_; }
    Position position() const { return position_; }  // where the value starts

    bool is_null() const { return kind_ == Kind::null; }
    bool boolean() const { return boolean_; }
    // A string's content (unescaped, UTF-8), or a number's text as written.
    const std::string& text() const { return text_; }
    const std::vector<Value>& items() const { return items_; }
    const std::vector<Member>& members() const { return members_; }

    // The member called `key` of an object; nullptr when there is none or this is not an object.
    const Value* find(std::string_view key) const;
    // A number written as a whole number from 0 to 2^64 - 1 ("12", not "12.0" or "1e3").
    std::optional<std::uint64_t> whole_number() const;

private:
    friend class Parser;
    Kind kind_ = Kind::null;
    Position position_{};
    bool boolean_ = false;
    std::string text_{};
    // No initialisers here: Member is not complete yet, and a default member initialiser would need it.
    std::vector<Value> items_;
    std::vector<Member> members_;
};

struct Member {
    std::string key;
    Value value;
    Position key_position{};
};

// "a string", "a whole number": what a message says a value is.
std::string_view describe(Value::Kind kind);

struct ParseError {
    Position position{};
    std::string message{};
};

// What `parse` returns: the document, or where and why it is not JSON.
struct Parsed {
    std::optional<Value> value{};
    ParseError error{};  // meaningful only without a value
};

// Arrays and objects nested deeper than this are refused, so that no input exhausts the stack.
constexpr int max_depth = 64;

// One JSON value, with nothing but white space around it.
Parsed parse(std::string_view text);

}  // namespace flagctl::json
