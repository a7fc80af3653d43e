#include "macro_names.hpp"

#include <algorithm>
#include <iterator>

namespace flags::registry {
namespace {

// Lowercase macros of <cassert>, <cerrno>, <csetjmp>, <csignal>, <cstdarg>, <cstddef>, <cstdio>,
// <cmath>, <cstdlib>, <cstring> and <ctime> as glibc defines them in C++ (which defines _GNU_SOURCE),
// function-like ones included: a name that is a macro is a trap wherever it is later written.
// tests/flagc/macro_names.py checks this list against what the compiler defines.
constexpr std::string_view library_macros[] = {
    "alloca", "assert", "assert_perror", "be16toh", "be32toh", "be64toh", "complex", "errno", "htobe16",
    "htobe32", "htobe64", "htole16", "htole32", "htole64", "imaginary", "issubnormal", "le16toh", "le32toh",
    "le64toh", "math_errhandling", "noreturn", "offsetof", "pthread_cleanup_pop", "pthread_cleanup_pop_restore_np",
    "pthread_cleanup_push", "pthread_cleanup_push_defer_np", "sa_handler", "sa_sigaction", "sched_priority",
    "setjmp", "si_addr", "si_addr_lsb", "si_arch", "si_band", "si_call_addr", "si_fd", "si_int", "si_lower",
    "si_overrun", "si_pid", "si_pkey", "si_ptr", "si_status", "si_stime", "si_syscall", "si_timerid", "si_uid",
    "si_upper", "si_utime", "si_value", "sigev_notify_attributes", "sigev_notify_function", "sigmask",
    "sigsetjmp", "stderr", "stdin", "stdout", "strdupa", "strndupa", "timeradd", "timerclear", "timercmp",
    "timerisset", "timersub", "va_arg", "va_copy", "va_end", "va_start", "getc", "putc", "getchar", "putchar",
    "isgreater", "isless", "isunordered", "fpclassify", "isfinite", "isinf", "isnan", "signbit",
};

// Lowercase macros of the POSIX and Linux headers a service commonly includes beside the standard ones
// (<sys/stat.h>, <netdb.h>, <netinet/in.h>, <net/if.h>, <ifaddrs.h>, <dirent.h>, <sys/sysmacros.h>).
constexpr std::string_view system_macros[] = {
    "d_fileno", "h_addr", "h_errno", "ifa_broadaddr", "ifa_dstaddr", "ifc_buf", "ifc_req", "ifr_addr",
    "ifr_bandwidth", "ifr_broadaddr", "ifr_data", "ifr_dstaddr", "ifr_flags", "ifr_hwaddr", "ifr_ifindex",
    "ifr_map", "ifr_metric", "ifr_mtu", "ifr_name", "ifr_netmask", "ifr_newname", "ifr_qlen", "ifr_slave",
    "major", "makedev", "minor", "s6_addr", "s6_addr16", "s6_addr32", "st_atime", "st_ctime", "st_mtime",
};

// What GCC and Clang predefine in the GNU dialects (-std=gnu++20, their default) for the system they
// target, in the traditional spelling without underscores.
constexpr std::string_view gnu_dialect_macros[] = {
    "linux", "unix", "i386", "sun", "sparc", "vax", "mips", "m68k", "mc68000", "mc68020", "hppa", "sgi",
    "gcos", "pyr", "tahoe", "ns32000", "bsd4_2", "bsd4_3",
};

template <std::size_t N>
bool listed(const std::string_view (&list)[N], std::string_view name) {
    return std::find(std::begin(list), std::end(list), name) != std::end(list);
}

bool is_upper(char c) noexcept { return c >= 'A' && c <= 'Z'; }
bool is_lower(char c) noexcept { return c >= 'a' && c <= 'z'; }

// <cinttypes>' PRId64, SCNxPTR, ...: the only standard macros in mixed case.
bool is_format_macro(std::string_view name) {
    return (name.starts_with("PRI") || name.starts_with("SCN")) && name.size() > 3 &&
           std::string_view("diouxX").find(name[3]) != std::string_view::npos;
}

}  // namespace

std::string macro_problem(std::string_view identifier) {
    if (listed(library_macros, identifier)) return "is a macro of the C and C++ standard library headers";
    if (listed(system_macros, identifier)) return "is a macro of the POSIX system headers";
    if (listed(gnu_dialect_macros, identifier)) return "is a macro the GNU dialects predefine (-std=gnu++20)";
    if (!identifier.empty() && is_upper(identifier.front()) && std::none_of(identifier.begin(), identifier.end(), is_lower))
        return "is all capitals, as the macros of the C library are (EOF, NULL, E2BIG, SIGINT)";
    if (is_format_macro(identifier)) return "is a format macro of <cinttypes>";
    return {};
}

}  // namespace flags::registry
