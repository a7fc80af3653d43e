// The Prometheus text exposition, parsed for tests: every sample is `name{labels} value` with a
// number, and comes after the `# TYPE` line of its family, whose type is gauge or counter.
#pragma once

#include <limits>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <vector>

namespace flags_test {

struct Exposition {
    std::map<std::string, double> samples;  // by series: name{labels} as written
    std::vector<std::string> problems;      // each line that breaks the format, and why

    // A series' value, or NaN when it is missing, so that any comparison with it fails.
    double sample(const std::string& series) const {
        const auto found = samples.find(series);
        return found == samples.end() ? std::numeric_limits<double>::quiet_NaN() : found->second;
    }
};

inline Exposition parse_exposition(const std::string& text) {
    Exposition out;
    std::set<std::string> typed;
    std::istringstream lines(text);
    for (std::string line; std::getline(lines, line);) {
        if (line.starts_with("# HELP ")) continue;
        if (line.starts_with("# TYPE ")) {
            std::istringstream words(line.substr(7));
            std::string name, type;
            words >> name >> type;
            if (type != "gauge" && type != "counter") out.problems.push_back("not a gauge or counter: " + line);
            typed.insert(name);
            continue;
        }
        const auto space = line.rfind(' ');
        if (space == std::string::npos) {
            out.problems.push_back("not a sample: " + line);
            continue;
        }
        const auto series = line.substr(0, space);
        if (!typed.contains(series.substr(0, series.find('{')))) out.problems.push_back("sample before its # TYPE: " + line);
        std::size_t used = 0;
        try {
            out.samples[series] = std::stod(line.substr(space + 1), &used);
        } catch (const std::exception&) {
        }
        if (used == 0 || used != line.size() - space - 1) out.problems.push_back("not a number: " + line);
    }
    return out;
}

}  // namespace flags_test
