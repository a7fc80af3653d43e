#include "names.hpp"

#include "macro_names.hpp"

#include <algorithm>
#include <array>

namespace flags::registry {
namespace {

bool is_lower_or_digit(char c) noexcept { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); }

// Lowercase letters and digits in words joined by single hyphens. A doubled, leading or trailing
// hyphen would give an identifier with "__" or a stray "_", which C++ reserves or reads badly.
bool is_kebab(std::string_view s) noexcept {
    if (s.empty() || s.front() == '-' || s.back() == '-') return false;
    char previous = 0;
    for (char c : s) {
        if (c == '-' && previous == '-') return false;
        if (c != '-' && !is_lower_or_digit(c)) return false;
        previous = c;
    }
    return true;
}

std::string dashes_to_underscores(std::string_view s) {
    std::string out(s);
    std::replace(out.begin(), out.end(), '-', '_');
    std::replace(out.begin(), out.end(), '.', '_');
    return out;
}

}  // namespace

std::optional<FlagType> parse_flag_type(std::string_view type) noexcept {
    for (FlagType t : {FlagType::release, FlagType::experiment, FlagType::ops, FlagType::permission})
        if (to_string(t) == type) return t;
    return std::nullopt;
}

std::string flag_name_problem(std::string_view name) {
    const auto dot = name.find('.');
    if (dot == std::string_view::npos)
        return "is not of the form <type>.<kebab-name>";
    const auto type = name.substr(0, dot);
    const auto rest = name.substr(dot + 1);
    if (!parse_flag_type(type))
        return "has unknown type '" + std::string(type) + "'";
    if (!is_kebab(rest))
        return "has '" + std::string(rest) +
               "' after the type, which is not kebab-case: use lowercase letters and digits joined by single hyphens";
    return {};
}

std::string flag_identifier(std::string_view name) { return dashes_to_underscores(name); }

std::string variant_type_name(std::string_view name) {
    const auto dot = name.find('.');
    std::string out;
    bool upper = true;
    for (char c : name.substr(dot == std::string_view::npos ? 0 : dot + 1)) {
        if (c == '-') {
            upper = true;
            continue;
        }
        out += upper && c >= 'a' && c <= 'z' ? static_cast<char>(c - 'a' + 'A') : c;
        upper = false;
    }
    return out;
}

std::string variant_name_problem(std::string_view variant) {
    if (variant.empty() || variant.front() < 'a' || variant.front() > 'z' || !is_kebab(variant))
        return "must start with a lowercase letter and use only lowercase letters, digits and single hyphens";
    const auto identifier = variant_identifier(variant);
    if (is_cpp_keyword(identifier))
        return "is a C++ keyword and cannot be an enumerator";
    if (auto macro = macro_problem(identifier); !macro.empty())
        return macro + " and cannot be an enumerator";
    return {};
}

std::string variant_identifier(std::string_view variant) { return dashes_to_underscores(variant); }

bool is_cpp_keyword(std::string_view word) noexcept {
    static constexpr std::array<std::string_view, 97> keywords = {
        "alignas", "alignof", "and", "and_eq", "asm", "auto", "bitand", "bitor", "bool", "break",
        "case", "catch", "char", "char8_t", "char16_t", "char32_t", "class", "compl", "concept",
        "const", "consteval", "constexpr", "constinit", "const_cast", "continue", "co_await",
        "co_return", "co_yield", "decltype", "default", "delete", "do", "double", "dynamic_cast",
        "else", "enum", "explicit", "export", "extern", "false", "float", "for", "friend", "goto",
        "if", "inline", "int", "long", "mutable", "namespace", "new", "noexcept", "not", "not_eq",
        "nullptr", "operator", "or", "or_eq", "private", "protected", "public", "register",
        "reinterpret_cast", "requires", "return", "short", "signed", "sizeof", "static",
        "static_assert", "static_cast", "struct", "switch", "template", "this", "thread_local",
        "throw", "true", "try", "typedef", "typeid", "typename", "union", "unsigned", "using",
        "virtual", "void", "volatile", "wchar_t", "while", "xor", "xor_eq", "final", "override",
        "import", "module", "transaction_safe"};
    return std::find(keywords.begin(), keywords.end(), word) != keywords.end();
}

}  // namespace flags::registry
