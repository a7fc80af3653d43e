// How flagctl writes: compiler-style diagnostics, aligned tables for people, one JSON document for
// scripts. Every command's output goes through these, so all of them look and parse alike.
#pragma once

#include <cstdint>
#include <iosfwd>
#include <string>
#include <string_view>
#include <vector>

#include <flags/diagnostic.hpp>
#include <flags/registry_types.hpp>

#include "runtime/json_line.hpp"

namespace flagctl {

using flags::internal::JsonLine;
using flags::internal::json_quoted;

// A failure that ends a command with exit code 1 after its diagnostics are printed: as text on
// standard error, or as {"ok":false,"diagnostics":[...]} with --json.
struct Failure {
    std::vector<flags::Diagnostic> diagnostics;
};

// A Failure with one message of flagctl's own: "flagctl eval: error: unknown flag 'x'" and its hint.
Failure failure(std::string_view command, std::string message, std::string hint);

void print_diagnostics(std::ostream& out, const std::vector<flags::Diagnostic>& diagnostics);
std::string diagnostic_json(const flags::Diagnostic& diagnostic);
std::string diagnostics_json(const std::vector<flags::Diagnostic>& diagnostics);

// "[a,b]" from elements that are JSON already.
std::string json_array(const std::vector<std::string>& elements);

// A flag's value as JSON: true/false for a boolean flag, the variant's name as a string otherwise.
std::string value_json(const flags::FlagInfo& flag, flags::ValueIndex value);

// "2026-11-21"
std::string date_text(flags::Date date);

// A share in basis points (0..10000) as a percentage, as few digits as it needs: "25%", "12.5%", "0.01%".
std::string percent_text(unsigned basis_points);

// "1 rule", "3 rules"
std::string counted(std::size_t count, std::string_view noun);

// Columns padded to their widest cell, two spaces apart, no trailing blanks.
class Table {
public:
    explicit Table(std::vector<std::string> header) : rows_{std::move(header)} {}
    void add(std::vector<std::string> row) { rows_.push_back(std::move(row)); }
    void print(std::ostream& out) const;

private:
    std::vector<std::vector<std::string>> rows_;
};

}  // namespace flagctl
