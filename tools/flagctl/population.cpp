#include "population.hpp"

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

std::vector<std::string> strings_of(const toml::node& operand) {
    std::vector<std::string> out;
    auto add = [&out](const toml::node& n) {
        if (const auto* s = n.as_string()) out.push_back(s->get());
        else if (const auto* i = n.as_integer()) out.push_back(std::to_string(i->get()));
    };
    if (const auto* array = operand.as_array())
        for (const auto& element : *array) add(element);
    else
        add(operand);
    return out;
}

// Values on both sides of one condition's test, so that the population exercises it either way.
std::vector<std::string> values_for(std::string_view op, const toml::node& operand) {
    std::vector<std::string> out;
    if (op == "in" || op == "not_in") return strings_of(operand);
    if (op == "starts_with")
        for (const auto& s : strings_of(operand)) out.push_back(s + "-x");
    if (op == "ends_with")
        for (const auto& s : strings_of(operand)) out.push_back("x-" + s);
    if (op == "contains")
        for (const auto& s : strings_of(operand)) out.push_back("x-" + s + "-x");
    if (op == "lt" || op == "lte" || op == "gt" || op == "gte") {
        if (const auto number = operand.value<double>())
            for (double v : {*number - 1, *number, *number + 1}) out.push_back(fmt::format("{}", v));
    }
    if (op.starts_with("semver_")) {
        if (const auto* version = operand.as_string()) out = {version->get(), "0.0.1", "99999.0.0"};
    }
    if (op == "before" || op == "after") {
        out = {"1970-01-01T00:00:00Z", "2999-12-31T00:00:00Z"};
        if (const auto* s = operand.as_string()) out.push_back(s->get());
    }
    return out;
}

}  // namespace

void Population::learn(const RuntimeText& text) {
    text.for_each_condition([this](const toml::table& condition) {
        const auto attr = condition["attr"].value<std::string>();
        if (!attr || *attr == "user") return;  // users are unique: see the class comment
        auto& values = vocabulary_[*attr];
        for (auto&& [key, operand] : condition)
            if (key.str() != "attr")
                for (auto& v : values_for(key.str(), operand)) values.insert(std::move(v));
    });
    for (const auto& entry : text.entries())
        if (const auto by = shape_of(*entry.table).bucket_by; by != "user") vocabulary_[by];
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
