// The TOML side of `flagctl retire`: the flag's table cut out of a registry or runtime file, and
// `requires` on it dropped where the kept value always satisfies it. Every other byte of the file,
// comments included, stays as it was.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "retire_edits.hpp"

namespace flagctl {

struct TomlNote {
    int line = 0;
    std::string note;
};

struct TomlRetire {
    std::vector<TextEdit> edits;
    std::vector<TomlNote> notes;  // requirements left for a person
    bool had_table = false;
};

// The edits that remove `flags."<flag>"` (with the comment lines right above it and the blank line
// after it) and the `requires` entries naming the flag that `keep_name` satisfies. Throws
// std::runtime_error when the text is not TOML.
TomlRetire retire_in_toml(const std::string& text, const std::string& path, const std::string& flag,
                          const std::string& keep_name);

}  // namespace flagctl
