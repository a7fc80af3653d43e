#include "usage_file.hpp"

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#include <fmt/format.h>

#include "output.hpp"
#include "runtime/timestamp.hpp"
#include "toml_input.hpp"

namespace flagctl {
namespace {

constexpr std::string_view flag_fields = "every entry of flags has flag, evaluations, last_evaluated and values";
constexpr std::string_view value_fields = "every entry of values has value, reason and count";

// Checks one file's JSON against the usage schema; the first problem ends the command.
class Checker {
public:
    explicit Checker(std::string file) : file_(std::move(file)) {}

    [[noreturn]] void fail(json::Position at, std::string message, std::string_view hint) const {
        throw Failure{{flags::Diagnostic{.file = file_,
                                         .line = at.line,
                                         .column = at.column,
                                         .message = std::move(message),
                                         .hint = std::string(hint)}}};
    }

    // The member `key` of `object` (called `where` in messages), which must be there.
    const json::Value& field(const json::Value& object, std::string_view where, std::string_view key,
                             std::string_view hint) const {
        const json::Value* found = object.find(key);
        if (found == nullptr) fail(object.position(), fmt::format("{} has no '{}'", where, key), hint);
        return *found;
    }

    void require(const json::Value& value, json::Value::Kind kind, std::string_view where, std::string_view key,
                 std::string_view hint) const {
        if (value.kind() != kind)
            fail(value.position(),
                 fmt::format("'{}' of {} is {}, not {}", key, where, json::describe(value.kind()), json::describe(kind)),
                 hint);
    }

    const std::string& string(const json::Value& object, std::string_view where, std::string_view key,
                              std::string_view hint) const {
        const auto& value = field(object, where, key, hint);
        require(value, json::Value::Kind::string, where, key, hint);
        return value.text();
    }

    std::uint64_t count(const json::Value& object, std::string_view where, std::string_view key,
                        std::string_view hint) const {
        const auto& value = field(object, where, key, hint);
        const auto number = value.whole_number();
        if (!number)
            fail(value.position(),
                 fmt::format("'{}' of {} is {}, not a count (a whole number from 0)", key, where,
                             value.kind() == json::Value::Kind::number ? value.text()
                                                                       : std::string(json::describe(value.kind()))),
                 hint);
        return *number;
    }

    // An RFC 3339 date-time, or null where `null_allowed`.
    std::string time(const json::Value& object, std::string_view where, std::string_view key, std::string_view hint,
                     bool null_allowed = false) const {
        const auto& value = field(object, where, key, hint);
        if (null_allowed && value.is_null()) return {};
        const bool is_string = value.kind() == json::Value::Kind::string;
        if (is_string && flags::internal::read_rfc3339(value.text()).problem == flags::internal::TimestampProblem::out_of_range)
            fail(value.position(),
                 fmt::format("'{}' of {} is out of the supported range (years 1678 to 2261): '{}'", key, where,
                             flags::internal::one_line(value.text())),
                 "write it as in 2026-11-21T08:00:00Z");
        if (!is_string || !flags::internal::parse_rfc3339(value.text()))
            fail(value.position(),
                 fmt::format("'{}' of {} is not an RFC 3339 date-time{}: {}", key, where, null_allowed ? " or null" : "",
                             value.kind() == json::Value::Kind::string ? "'" + flags::internal::one_line(value.text()) + "'"
                                                                       : std::string(json::describe(value.kind()))),
                 "write it as in 2026-11-21T08:00:00Z");
        return value.text();
    }

private:
    std::string file_;
};

// The usage file of the largest registry a header can hold is a few megabytes; past this, the path
// names something else.
constexpr std::size_t max_usage_file_bytes = 64u << 20;

std::string read_whole_file(const std::string& file) {
    std::error_code ec;
    if (std::filesystem::is_directory(file, ec))
        throw Failure{{flags::Diagnostic{.file = file,
                                         .message = "cannot read the usage file: it is a directory",
                                         .hint = "name the files in it: --usage DIR/*.json"}}};
    std::vector<flags::Diagnostic> diagnostics;
    flags::internal::Reporter reporter(diagnostics);
    auto text = flags::internal::read_text_file(file, file, reporter, max_usage_file_bytes);
    if (!text) throw Failure{diagnostics};
    return std::move(*text);
}

}  // namespace

std::string UsageFile::describe() const {
    const std::string period = fmt::format("from {} to {}", flags::internal::one_line(started_at), flags::internal::one_line(written_at));
    if (service.empty()) return fmt::format("{} {}", file, period);
    return fmt::format("{} {} ({})", flags::internal::one_line(service), period, file);
}

UsageFile read_usage_file(const std::string& file) {
    const std::string text = read_whole_file(file);
    const Checker check(file);
    const auto parsed = json::parse(text);
    if (!parsed.value)
        check.fail(parsed.error.position, "not JSON: " + parsed.error.message,
                   "a usage file is the JSON document a service's flagstone writes");
    const json::Value& root = *parsed.value;
    constexpr std::string_view root_hint = "a usage file is an object: {\"schema\": \"flagstone-usage/1\", \"service\": "
                                           "..., \"started_at\": ..., \"written_at\": ..., \"flags\": [...]}";
    if (root.kind() != json::Value::Kind::object)
        check.fail(root.position(), fmt::format("a usage file is an object, not {}", json::describe(root.kind())),
                   root_hint);

    const json::Value* schema = root.find("schema");
    if (schema == nullptr) check.fail(root.position(), "the file has no 'schema': it is not a usage file", root_hint);
    if (schema->kind() != json::Value::Kind::string || schema->text() != usage_schema)
        check.fail(schema->position(),
                   fmt::format("schema {} is not {}, the one this flagctl reads",
                               schema->kind() == json::Value::Kind::string ? "'" + flags::internal::one_line(schema->text()) + "'"
                                                                           : std::string(json::describe(schema->kind())),
                               usage_schema),
                   "read it with a flagctl as new as the flagstone of the service that wrote it");

    UsageFile usage{.file = file};
    usage.service = check.string(root, "the file", "service", root_hint);
    usage.started_at = check.time(root, "the file", "started_at", root_hint);
    usage.written_at = check.time(root, "the file", "written_at", root_hint);
    const auto& flags = check.field(root, "the file", "flags", root_hint);
    check.require(flags, json::Value::Kind::array, "the file", "flags", root_hint);

    std::map<std::string, int, std::less<>> lines;  // flag -> the line of its first entry
    for (std::size_t i = 0; i < flags.items().size(); ++i) {
        const auto& entry = flags.items()[i];
        const std::string where = fmt::format("flags[{}]", i);
        if (entry.kind() != json::Value::Kind::object)
            check.fail(entry.position(), fmt::format("{} is {}, not an object", where, json::describe(entry.kind())),
                       flag_fields);
        UsageFile::Flag flag{.name = check.string(entry, where, "flag", flag_fields),
                             .evaluations = check.count(entry, where, "evaluations", flag_fields),
                             .position = entry.position()};
        check.time(entry, where, "last_evaluated", flag_fields, true);
        const auto& values = check.field(entry, where, "values", flag_fields);
        check.require(values, json::Value::Kind::array, where, "values", flag_fields);
        for (std::size_t v = 0; v < values.items().size(); ++v) {
            const auto& value = values.items()[v];
            const std::string value_where = fmt::format("{}.values[{}]", where, v);
            if (value.kind() != json::Value::Kind::object)
                check.fail(value.position(),
                           fmt::format("{} is {}, not an object", value_where, json::describe(value.kind())),
                           value_fields);
            check.string(value, value_where, "value", value_fields);
            check.string(value, value_where, "reason", value_fields);
            check.count(value, value_where, "count", value_fields);
        }
        const auto [first, inserted] = lines.emplace(flag.name, entry.position().line);
        if (!inserted)
            check.fail(entry.position(),
                       fmt::format("flag '{}' is listed twice (first on line {})", flags::internal::one_line(flag.name), first->second),
                       "a service lists each of its flags once; was the file edited or joined from two?");
        usage.flags.push_back(std::move(flag));
    }
    return usage;
}

}  // namespace flagctl
