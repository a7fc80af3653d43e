// Soak: two reader threads evaluate without pause while a writer delivers valid and invalid runtime
// files through the delivery patterns of config management, for a while.
//
//   flagstone-soak [SECONDS]       (tools/dev soak runs 30 s; the test suite runs a short pass)
//
// The file sits under a release layout, so that whole ancestors are replaced too:
//   <dir>/srv/current -> releases/rN,  <dir>/srv/releases/rN/etc/  a Kubernetes-style volume
//   (etc/flags.toml -> ..data/flags.toml, ..data -> ..vK), watched as <dir>/srv/current/etc/flags.toml.
//
// It fails if a reader ever sees a snapshot made from a partial or invalid file, if the runtime does
// not end on the last valid file, or if descriptors or memory grow.
#include <fcntl.h>
#include <stdio.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include <flags/flags.hpp>

namespace {

namespace fs = std::filesystem;
using flags::variants::ButtonColor;
using flags::Flag;

const char* color_names[] = {"blue", "green", "red"};

// Every valid file turns both flags at its end on, so a reader that sees either off has been served
// a file cut short.
std::string valid_file(int color, int serial) {
    return "schema = 1\n# serial " + std::to_string(serial) + "\n[flags.\"experiment.button-color\"]\nvalue = \"" +
           color_names[color] + "\"\n[flags.\"release.new-checkout\"]\nvalue = true\n[flags.\"ops.kill-switch-payments\"]\nvalue = true\n";
}

void write_in_place(const fs::path& path, const std::string& text, bool pause_midway) {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    const auto half = text.size() / 2;
    out << text.substr(0, half) << std::flush;
    if (pause_midway) std::this_thread::sleep_for(std::chrono::milliseconds(40));
    out << text.substr(half);
}

void write_renamed(const fs::path& path, const std::string& text) {
    const auto temporary = path.parent_path() / ".incoming.tmp";
    std::ofstream(temporary, std::ios::binary) << text;
    fs::rename(temporary, path);
}

// A Kubernetes-style volume in `etc`: a versioned directory holding the file, `..data` pointing at
// it, and flags.toml a symlink through `..data`.
void make_volume(const fs::path& etc, int version, const std::string& text) {
    const std::string data = "..v" + std::to_string(version);
    fs::create_directories(etc / data);
    std::ofstream(etc / data / "flags.toml", std::ios::binary) << text;
    fs::create_directory_symlink(data, etc / "..data");
    fs::create_symlink("..data/flags.toml", etc / "flags.toml");
}

// A whole release tree under `srv`: releases/r<version>/etc, and `current` pointing at it.
void make_release_tree(const fs::path& srv, int version, const std::string& text) {
    const auto release = "releases/r" + std::to_string(version);
    make_volume(srv / release / "etc", version, text);
    fs::create_directory_symlink(release, srv / "current");
}

// Replaces an ancestor of the file whole, in the three ways a deploy does.
void replace_ancestor(const fs::path& dir, int kind, int version, const std::string& text) {
    const auto srv = dir / "srv";
    switch (kind) {
    case 0: {  // the parent, renamed away and a new one renamed in
        const auto release = fs::canonical(srv / "current");
        make_volume(release / "etc.new", version, text);
        fs::rename(release / "etc", release / "etc.old");
        fs::rename(release / "etc.new", release / "etc");
        fs::remove_all(release / "etc.old");
        break;
    }
    case 1: {  // the grandparent, a symlink retargeted to a new release
        const auto old = fs::canonical(srv / "current");
        const auto release = "releases/r" + std::to_string(version);
        make_volume(srv / release / "etc", version, text);
        fs::create_directory_symlink(release, srv / "current.tmp");
        fs::rename(srv / "current.tmp", srv / "current");
        fs::remove_all(old);
        break;
    }
    default:  // the great-grandparent, exchanged with a new tree in one renameat2
        make_release_tree(dir / "srv.new", version, text);
        if (::renameat2(AT_FDCWD, (dir / "srv.new").c_str(), AT_FDCWD, srv.c_str(), RENAME_EXCHANGE) != 0)
            std::perror("soak: renameat2");
        fs::remove_all(dir / "srv.new");
    }
}

long resident_kib() {
    std::ifstream statm("/proc/self/statm");
    long pages = 0, resident = 0;
    statm >> pages >> resident;
    return resident * (sysconf(_SC_PAGESIZE) / 1024);
}

int open_descriptors() {
    int count = 0;
    for ([[maybe_unused]] const auto& e : fs::directory_iterator("/proc/self/fd")) ++count;
    return count;
}

}  // namespace

int main(int argc, char** argv) {
    const int seconds = argc > 1 ? std::atoi(argv[1]) : 30;
    std::string pattern = (fs::temp_directory_path() / "flagstone-soak-XXXXXX").string();
    if (!::mkdtemp(pattern.data())) return 2;
    const fs::path dir = pattern;
    make_release_tree(dir / "srv", 0, valid_file(0, 0));
    const auto file = dir / "srv" / "current" / "etc" / "flags.toml";

    flags::Runtime runtime(file);
    if (!runtime.start({.quiet_period = std::chrono::milliseconds(10), .log = [](std::string_view) {}}).ok()) return 2;

    std::atomic<bool> done{false};
    std::atomic<long> reads{0}, partial{0}, out_of_range{0};
    auto reader = [&](int id) {
        const std::string user = "reader-" + std::to_string(id);
        long local = 0;
        while (!done.load(std::memory_order_relaxed)) {
            const auto view = runtime.pin();
            if (!view.enabled<Flag::release_new_checkout>({.user = user}) || !view.enabled<Flag::ops_kill_switch_payments>({}))
                ++partial;
            if (static_cast<int>(runtime.variant<Flag::experiment_button_color>({.user = user})) > 2) ++out_of_range;
            ++local;
        }
        reads += local;
    };
    std::thread first(reader, 1), second(reader, 2);

    std::mt19937 random(42);
    int last_valid = 0, serial = 0, version = 0;
    long deliveries = 0, invalid_deliveries = 0;
    long rss_after_warmup = 0;
    int fds_after_warmup = 0;
    const auto start = std::chrono::steady_clock::now();
    const auto end = start + std::chrono::seconds(seconds);
    while (std::chrono::steady_clock::now() < end) {
        if (!rss_after_warmup && std::chrono::steady_clock::now() - start > std::chrono::seconds(seconds) / 5) {
            rss_after_warmup = resident_kib();
            fds_after_warmup = open_descriptors();
        }
        const int color = static_cast<int>(random() % 3);
        const bool invalid = random() % 5 == 0;
        const std::string text = invalid ? "schema = 1\n[flags.\"release.new-checkout\"]\nrollout = 250\n" : valid_file(color, ++serial);
        const auto target = fs::canonical(file);  // the file behind the symlinks
        switch (random() % 9) {
        case 0: write_renamed(target, text); break;                            // mv, rsync, install
        case 1: write_in_place(target, text, false); break;                    // cp, shell >
        case 2: write_in_place(target, text, true); break;                     // a writer pausing mid-file
        case 3: {                                                              // vim: rename away, write anew
            fs::rename(target, target.string() + "~");
            std::ofstream(target, std::ios::binary) << text;
            fs::remove(target.string() + "~");
            break;
        }
        case 4: {                                                              // the kubelet's atomic writer
            const auto etc = fs::canonical(file.parent_path());
            const auto next = etc / ("..v" + std::to_string(++version));
            fs::create_directory(next);
            std::ofstream(next / "flags.toml", std::ios::binary) << text;
            fs::create_directory_symlink(next.filename(), etc / "..data_tmp");
            fs::rename(etc / "..data_tmp", etc / "..data");
            fs::remove_all(target.parent_path());
            break;
        }
        case 5:                                                                // an ancestor replaced whole
        case 6:
        case 7: replace_ancestor(dir, static_cast<int>(random() % 3), ++version, text); break;
        default:                                                               // delete, then recreate
            fs::remove(target);
            std::this_thread::sleep_for(std::chrono::milliseconds(20));
            std::ofstream(target, std::ios::binary) << text;
        }
        ++deliveries;
        if (invalid) ++invalid_deliveries;
        else last_valid = color;
        std::this_thread::sleep_for(std::chrono::milliseconds(random() % 30));
    }

    // The last delivery may have been invalid: the runtime must end on the last valid one, and a
    // final valid delivery must be picked up.
    write_renamed(fs::canonical(file), valid_file(last_valid, ++serial));
    const auto settle_until = std::chrono::steady_clock::now() + std::chrono::seconds(5);
    while (std::chrono::steady_clock::now() < settle_until &&
           static_cast<int>(runtime.variant<Flag::experiment_button_color>({})) != last_valid)
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    done = true;
    first.join();
    second.join();

    const bool final_ok = static_cast<int>(runtime.variant<Flag::experiment_button_color>({})) == last_valid;
    const long rss_growth = resident_kib() - rss_after_warmup;
    const int fd_growth = open_descriptors() - fds_after_warmup;
    const auto status = runtime.status();
    std::printf("soak: %d s, %ld deliveries (%ld invalid), generation %llu, %ld reads\n", seconds, deliveries,
                invalid_deliveries, static_cast<unsigned long long>(status.generation), reads.load());
    std::printf("soak: partial snapshots seen %ld, values out of range %ld, final state %s\n", partial.load(),
                out_of_range.load(), final_ok ? "correct" : "WRONG");
    std::printf("soak: descriptors %+d, resident memory %+ld KiB since warm-up\n", fd_growth, rss_growth);
    runtime.stop();
    fs::remove_all(dir);

    // Memory may move by allocator noise; a leak per delivery would show as megabytes. Under a
    // sanitizer, resident memory measures its quarantine and shadow instead (LeakSanitizer checks
    // leaks at exit there), so the criterion applies to plain builds only.
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
    constexpr bool measure_memory = false;
#else
    constexpr bool measure_memory = true;
#endif
    const bool memory_ok = !measure_memory || rss_growth < 8 * 1024;
    const bool ok = partial == 0 && out_of_range == 0 && final_ok && fd_growth <= 0 && memory_ok && reads > 0;
    std::printf("soak: %s\n", ok ? "passed" : "FAILED");
    return ok ? 0 : 1;
}
