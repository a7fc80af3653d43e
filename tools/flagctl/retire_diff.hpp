// A unified diff of one file, as `diff -u` and `git apply` read it, for `flagctl retire --dry-run`.
#pragma once

#include <string>
#include <string_view>

namespace flagctl {

// "--- a/<path>\n+++ b/<path>\n@@ ... @@" hunks with three lines of context; empty when equal.
std::string unified_diff(std::string_view path, std::string_view before, std::string_view after);

}  // namespace flagctl
