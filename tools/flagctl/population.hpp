// A synthetic population of contexts, for previewing what a runtime file change does to users.
#pragma once

#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <vector>

#include <flags/context.hpp>

#include "runtime/compiled_source.hpp"

namespace flagctl {

// Each synthetic user has a unique id (user-0, user-1, ...). Every other attribute the files test or
// bucket by (tenant included) takes, with equal chance, one of the values the files mention, a value
// of its own that they do not mention, or no value. The same seed gives the same population on every
// machine.
class Population {
public:
    // Learns the attributes and values a file's conditions and bucket_by keys mention.
    void learn(const flags::internal::SourceMap& described);
    void generate(std::size_t size, std::uint64_t seed);

    std::size_t size() const { return members_.size(); }
    // Views strings this population owns.
    flags::Context context(std::size_t member) const;

private:
    struct Member {
        std::string user, tenant;
        std::vector<std::pair<std::string, std::string>> attributes;
    };
    // Attribute -> values that make its conditions go either way (for gt = 5: 4, 5 and 6).
    std::map<std::string, std::set<std::string>> vocabulary_;
    std::vector<Member> members_;
};

}  // namespace flagctl
