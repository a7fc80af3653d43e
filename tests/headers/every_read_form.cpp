// Every public header and every read form, compiled by a compiler other than the build's (clang when
// the build uses GCC): the headers are C++20, not one compiler's dialect of it.
#include <flags/flags.hpp>
#include <flags/read.hpp>
#include <flags/runtime.hpp>
#include <flags/testing.hpp>

namespace {

int reads(const flags::Context& ctx) {
    using flags::Flag;
    flags::Runtime runtime("flags.toml");
    const auto view = flags::pin();
    int seen = 0;
    seen += flags::enabled<Flag::release_new_checkout>(ctx);
    seen += flags::enabled<"release.new-checkout">(ctx);
    seen += runtime.enabled<Flag::release_new_checkout>(ctx);
    seen += view.enabled<"release.new-checkout">(ctx);
    seen += flags::detail<Flag::release_new_checkout>(ctx).value;
    seen += runtime.pin().detail<"release.new-checkout">(ctx).value;
    return seen;
}

}  // namespace

int main() {
    flags::Context ctx;
    ctx.user = "user-1";
    return reads(ctx) >= 0 ? 0 : 1;
}
