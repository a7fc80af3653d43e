// Prints flags::bucket for each SALT<TAB>KEY line of stdin, one bucket per line, so that
// crosscheck.py can compare the C++ function with tools/bucket.py on the same bytes.
#include <iostream>
#include <string>
#include <string_view>

#include <flags/bucketing.hpp>

int main() {
    // The bytes go to the hash untouched: no locale, no newline translation beyond the '\n' that
    // ends a line, because an analyst's script must see exactly what the service hashes.
    std::ios::sync_with_stdio(false);
    std::string line;
    std::string out;
    for (long number = 1; std::getline(std::cin, line); ++number) {
        const auto tab = line.find('\t');
        if (tab == std::string::npos) {
            std::cerr << "line " << number << ": expected SALT<TAB>KEY\n";
            return 1;
        }
        const std::string_view text(line);
        out += std::to_string(flags::bucket(text.substr(0, tab), text.substr(tab + 1)));
        out += '\n';
    }
    std::cout << out;
    return std::cout.good() ? 0 : 1;
}
