// flagctl's strict JSON reader: what it accepts and what it yields, and every refusal with its exact
// line, column and message, since those are what a person with a broken usage file reads.
#define BOOST_TEST_MODULE json_reader
#include <boost/test/data/test_case.hpp>
#include <boost/test/unit_test.hpp>

#include <cstdint>
#include <limits>
#include <ostream>
#include <string>
#include <vector>

#include "json_reader.hpp"

namespace {

using flagctl::json::parse;
using flagctl::json::Value;
using Kind = flagctl::json::Value::Kind;

Value parsed(std::string_view text) {
    auto result = parse(text);
    BOOST_TEST_INFO("error at " << result.error.position.line << ":" << result.error.position.column << ": "
                                << result.error.message);
    BOOST_REQUIRE(result.value.has_value());
    return std::move(*result.value);
}

struct Refused {
    std::string name;
    std::string text;
    int line, column;
    std::string message;
};
std::ostream& operator<<(std::ostream& out, const Refused& c) { return out << c.name; }

const std::vector<Refused> refused = {
    {"empty", "", 1, 1, "expected a value, found end of file"},
    {"blank", " \n  ", 2, 3, "expected a value, found end of file"},
    {"trailing comma in an object", R"({"a": 1,})", 1, 9, "expected a key in quotes, found '}'"},
    {"trailing comma in an array", "[1,]", 1, 4, "expected a value, found ']'"},
    {"missing comma", "[1 2]", 1, 4, "expected ']' or ',' after an element of an array, found '2'"},
    {"missing colon", R"({"a" 1})", 1, 6, "expected ':' after a key, found '1'"},
    {"unclosed object", R"({"a": 1)", 1, 8, "expected '}' or ',' after a member of an object, found end of file"},
    {"unquoted key", "{a: 1}", 1, 2, "expected a key in quotes, found 'a'"},
    {"single quotes", "['a']", 1, 2, "expected a value, found '''"},
    {"duplicate key", R"({"a": 1, "a": 2})", 1, 10, "duplicate key 'a'"},
    {"leading zero", "[01]", 1, 2, "a number does not start with 0 unless it is 0"},
    {"nothing after the point", "1.", 1, 3, "expected a digit after the decimal point, found end of file"},
    {"nothing after the exponent", "1e+", 1, 4, "expected a digit in the exponent, found end of file"},
    {"a lone minus", "-", 1, 2, "expected a digit in a number, found end of file"},
    {"a leading point", ".5", 1, 1, "expected a value, found '.'"},
    {"a leading plus", "+1", 1, 1, "expected a value, found '+'"},
    {"NaN", "NaN", 1, 1, "expected a value, found 'N'"},
    {"a misspelt word", "[tru]", 1, 2, "expected a value, found 'tru'"},
    {"a longer word", "nullx", 1, 1, "expected a value, found 'nullx'"},
    {"a word in capitals", "True", 1, 1, "expected a value, found 'T'"},
    {"an unclosed string", R"(["abc)", 1, 2, "a string is not closed: '\"' is missing"},
    {"a string across lines", "\"a\nb\"", 1, 3, "a string is not closed on its line: '\"' is missing"},
    {"a control character", "\"a\x01\"", 1, 3, "control character 0x01 in a string: write it as \\u0001"},
    {"a tab", "\"\t\"", 1, 2, "control character 0x09 in a string: write it as \\u0009"},
    {"an unknown escape", R"("a\q")", 1, 3, "unknown escape '\\q' in a string"},
    {"a short \\u escape", R"("\u12G4")", 1, 6, "expected a hex digit in a \\u escape, found 'G'"},
    {"a second half alone", R"("\uDC00")", 1, 2, "\\uDC00 is half a surrogate pair, without its first half"},
    {"a first half alone", R"("\uD800")", 1, 2, "\\uD800 is half a surrogate pair, without its second half"},
    {"a first half and no second", R"("x\ud800\u0041")", 1, 3, "\\uD800 is half a surrogate pair, without its second half"},
    {"a byte that is not UTF-8", "\"\xff\"", 1, 2, "invalid UTF-8 in a string"},
    {"an overlong form", "\"\xc0\xaf\"", 1, 2, "invalid UTF-8 in a string"},
    {"an encoded surrogate", "\"\xed\xa0\x80\"", 1, 2, "invalid UTF-8 in a string"},
    {"past U+10FFFF", "\"\xf4\x90\x80\x80\"", 1, 2, "invalid UTF-8 in a string"},
    {"a cut sequence", "\"\xe2\x82\"", 1, 2, "invalid UTF-8 in a string"},
    {"text after the value", "{} x", 1, 4, "unexpected 'x' after the JSON value"},
    {"two values", "{}\n{}", 2, 1, "unexpected '{' after the JSON value"},
    {"a comment", "// usage\n{}", 1, 1, "expected a value, found '/'"},
    {"a byte order mark", "\xef\xbb\xbf{}", 1, 1, "expected a value, found byte 0xEF"},
    {"a line further down", "[1,\n  2,\n  ?]", 3, 3, "expected a value, found '?'"},
    {"columns count characters", "{\"\xc3\xa9\": x}", 1, 7, "expected a value, found 'x'"},
    {"too deep", std::string(65, '['), 1, 65, "arrays and objects nested more than 64 deep"},
};

}  // namespace

BOOST_AUTO_TEST_SUITE(json_reader)

BOOST_DATA_TEST_CASE(refuses_with_position_and_message, boost::unit_test::data::make(refused), c) {
    const auto result = parse(c.text);
    BOOST_TEST(!result.value.has_value());
    BOOST_TEST(result.error.message == c.message);
    BOOST_TEST(result.error.position.line == c.line);
    BOOST_TEST(result.error.position.column == c.column);
}

BOOST_AUTO_TEST_CASE(reads_every_kind_of_value) {
    const Value root = parsed(R"( {"n": [0, -12, 3.25, 1e3, -0.5E-2], "o": {"t": true, "f": false, "z": null},
                                  "s": "text", "e": [], "eo": {}} )");
    BOOST_TEST((root.kind() == Kind::object));
    BOOST_TEST(root.members().size() == 5u);
    BOOST_TEST(root.members()[0].key == "n");  // in the file's order
    const auto& numbers = root.find("n")->items();
    BOOST_TEST(numbers.size() == 5u);
    for (const auto& n : numbers) BOOST_TEST((n.kind() == Kind::number));
    BOOST_TEST(numbers[2].text() == "3.25");
    BOOST_TEST(numbers[4].text() == "-0.5E-2");
    const Value* o = root.find("o");
    BOOST_TEST((o->find("t")->kind() == Kind::boolean));
    BOOST_TEST(o->find("t")->boolean());
    BOOST_TEST(!o->find("f")->boolean());
    BOOST_TEST(o->find("z")->is_null());
    BOOST_TEST(root.find("s")->text() == "text");
    BOOST_TEST(root.find("e")->items().empty());
    BOOST_TEST(root.find("eo")->members().empty());
    BOOST_TEST(root.find("missing") == nullptr);
    BOOST_TEST(root.find("s")->find("s") == nullptr, "a string has no members");
}

BOOST_AUTO_TEST_CASE(unescapes_strings_to_utf8) {
    BOOST_TEST(parsed(R"("\"\\\/\b\f\n\r\t")").text() == "\"\\/\b\f\n\r\t");
    BOOST_TEST(parsed(R"("\u0041\u00e9\u20AC\ud83d\ude00")").text() == "A\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80");
    BOOST_TEST(parsed("\"\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80\"").text() == "\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80");
    BOOST_TEST(parsed(R"("\u0000")").text() == std::string(1, '\0'));
    BOOST_TEST(parsed("\"\x7f\"").text() == "\x7f", "DEL is not a control character to JSON");
}

BOOST_AUTO_TEST_CASE(whole_numbers) {
    BOOST_TEST(*parsed("0").whole_number() == 0u);
    BOOST_TEST(*parsed("1234").whole_number() == 1234u);
    BOOST_TEST(*parsed("18446744073709551615").whole_number() == std::numeric_limits<std::uint64_t>::max());
    for (const char* text : {"18446744073709551616", "-1", "1.0", "1e3", "\"12\"", "null", "[1]"}) {
        BOOST_TEST_INFO(text);
        BOOST_TEST(!parsed(text).whole_number().has_value());
    }
}

BOOST_AUTO_TEST_CASE(positions_of_values_and_keys) {
    const Value root = parsed("{\n  \"a\": [1,\n        \"\xc3\xa9\", true],\n\t\"b\": null\n}");
    BOOST_TEST(root.position().line == 1);
    BOOST_TEST(root.position().column == 1);
    const auto& a = root.members()[0];
    BOOST_TEST(a.key_position.line == 2);
    BOOST_TEST(a.key_position.column == 3);
    BOOST_TEST(a.value.position().column == 8);
    BOOST_TEST(a.value.items()[1].position().line == 3);
    BOOST_TEST(a.value.items()[1].position().column == 9);
    BOOST_TEST(a.value.items()[2].position().column == 14, "after a two-byte character, one column further");
    BOOST_TEST(root.members()[1].key_position.line == 4);
    BOOST_TEST(root.members()[1].key_position.column == 2);
}

BOOST_AUTO_TEST_CASE(nests_up_to_the_limit) {
    const int depth = flagctl::json::max_depth;
    BOOST_TEST(parse(std::string(depth, '[') + std::string(depth, ']')).value.has_value());
    BOOST_TEST(parse(std::string(depth - 1, '[') + "{\"a\": 1}" + std::string(depth - 1, ']')).value.has_value());
    BOOST_TEST(!parse(std::string(depth, '[') + "{}" + std::string(depth, ']')).value.has_value());
}

BOOST_AUTO_TEST_CASE(describes_kinds_for_messages) {
    BOOST_TEST(flagctl::json::describe(Kind::string) == "a string");
    BOOST_TEST(flagctl::json::describe(Kind::object) == "an object");
    BOOST_TEST(flagctl::json::describe(Kind::boolean) == "true or false");
}

BOOST_AUTO_TEST_SUITE_END()
