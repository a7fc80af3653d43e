#include "population.hpp"

#include <charconv>

#include <fmt/format.h>

namespace flagctl {
namespace {

// splitmix64: tiny, and fixed by its definition, unlike the standard library's distributions.
class Random {
public:
    explicit Random(std::uint64_t seed) : state_(seed) {}
    std::uint64_t next() {
        std::uint64_t z = (state_ += 0x9e3779b97f4a7c15ULL);
        z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
        z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
        return z ^ (z >> 31);
    }
    std::size_t below(std::size_t n) { return static_cast<std::size_t>(next() % n); }

private:
    std::uint64_t state_;
};

// Values on both sides of one condition's test, so that the population exercises it either way.
// `operand` is the condition's values as the loader described them: strings, and numbers as text.
std::vector<std::string> values_for(std::string_view op, const std::vector<std::string>& operand) {
    std::vector<std::string> out;
    if (op == "in" || op == "not_in") return operand;
    if (op == "starts_with")
        for (const auto& s : operand) out.push_back(s + "-x");
    if (op == "ends_with")
        for (const auto& s : operand) out.push_back("x-" + s);
    if (op == "contains")
        for (const auto& s : operand) out.push_back("x-" + s + "-x");
    double number = 0;
    if ((op == "lt" || op == "lte" || op == "gt" || op == "gte") && operand.size() == 1 &&
        std::from_chars(operand[0].data(), operand[0].data() + operand[0].size(), number).ec == std::errc{})
        for (double v : {number - 1, number, number + 1}) out.push_back(fmt::format("{}", v));
    if (op.starts_with("semver_") && operand.size() == 1) out = {operand[0], "0.0.1", "99999.0.0"};
    if (op == "before" || op == "after") {
        out = {"1970-01-01T00:00:00Z", "2999-12-31T00:00:00Z"};
        out.insert(out.end(), operand.begin(), operand.end());
    }
    return out;
}

}  // namespace

void Population::learn(const flags::internal::SourceMap& described) {
    for (const auto& condition : described.conditions()) {
        // A segment condition tests no attribute; users are unique: see the class comment.
        if (condition.attribute.empty() || condition.attribute == "user") continue;
        auto& values = vocabulary_[condition.attribute];
        for (auto& v : values_for(condition.op, condition.values)) values.insert(std::move(v));
    }
    for (const auto& entry : described.entries())
        if (entry.bucket_by != "user") vocabulary_[entry.bucket_by];
}

void Population::generate(std::size_t size, std::uint64_t seed) {
    Random random(seed);
    std::vector<std::pair<std::string, std::vector<std::string>>> choices;
    for (const auto& [attr, values] : vocabulary_) choices.emplace_back(attr, std::vector(values.begin(), values.end()));
    members_.clear();
    members_.reserve(size);
    for (std::size_t i = 0; i < size; ++i) {
        Member m{.user = fmt::format("user-{}", i), .tenant = {}, .attributes = {}};
        for (const auto& [attr, values] : choices) {
            // One choice per mentioned value, one for a value of its own, one for none.
            const std::size_t choice = random.below(values.size() + 2);
            std::string value;
            if (choice < values.size()) value = values[choice];
            else if (choice == values.size()) value = fmt::format("{}-{}", attr, i);
            else continue;
            if (attr == "tenant") m.tenant = std::move(value);
            else m.attributes.emplace_back(attr, std::move(value));
        }
        members_.push_back(std::move(m));
    }
}

flags::Context Population::context(std::size_t member) const {
    const auto& m = members_[member];
    flags::Context ctx{.user = m.user, .tenant = m.tenant, .attributes = {}};
    for (const auto& [name, value] : m.attributes) ctx.attributes.set(name, value);
    return ctx;
}

}  // namespace flagctl
