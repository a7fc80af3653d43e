// Internal: not part of flagstone's API; nothing here is promised to stay from one release to the next.
//
// The durations, clocks and time points a registry's dates need (std::chrono::sys_days), without the
// rest of <chrono>: since C++20, libstdc++'s <chrono> brings <sstream> and the locales along for
// formatting and parsing, which would cost every file that reads a flag more than everything else it
// includes. libstdc++ declares the types themselves in <bits/chrono.h>; elsewhere <chrono> it is.
#pragma once

#include <version>  // defines __GLIBCXX__ under libstdc++

#if defined(__GLIBCXX__) && __has_include(<bits/chrono.h>)
#include <bits/chrono.h>
#else
#include <chrono>
#endif
