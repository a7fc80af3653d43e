// A hidden directory (a build's output, say): not searched, so this does not count as reading the flag.
constexpr auto beta = flags::Flag::permission_beta_api;
