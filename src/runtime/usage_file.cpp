#include "usage_file.hpp"

#include "json_line.hpp"

namespace flags::internal {

std::string render_usage_file(std::string_view service, std::chrono::system_clock::time_point started_at,
                              const std::vector<FlagUsage>& usage, const std::vector<EvaluationCount>& counts) {
    // Both lists are in registry order, so each flag's counts are the next run of `counts`.
    auto count = counts.begin();
    std::string flags = "[";
    for (const auto& flag : usage) {
        std::string values = "[";
        for (; count != counts.end() && count->flag == flag.flag; ++count) {
            const auto& c = *count;
            if (values.size() > 1) values += ",";
            values += JsonLine{}.field("value", c.value).field("reason", to_string(c.reason)).field("count", c.count).str();
        }
        values += "]";
        JsonLine entry;
        entry.field("flag", flag.flag).field("evaluations", flag.evaluations);
        if (flag.last_evaluated)
            entry.field("last_evaluated", utc_timestamp(*flag.last_evaluated));
        else
            entry.raw("last_evaluated", "null");
        entry.raw("values", values);
        if (flags.size() > 1) flags += ",\n  ";
        flags += entry.str();
    }
    flags += "]";
    return JsonLine{}
               .field("schema", usage_schema)
               .field("service", service)
               .field("started_at", utc_timestamp(started_at))
               .field("written_at", utc_timestamp())
               .raw("flags", flags)
               .str() +
           "\n";
}

}  // namespace flags::internal
