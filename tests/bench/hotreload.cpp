// The hot-reload benchmarks (issue B, item 8). Each section prints its progress on stderr and the
// whole run prints one JSON object on stdout for report.py:
//
//   reload   parse + validate + compile + publish of a 10, 1,000 and 10,000-flag file, with the
//            share of the TOML parse and of the compile, and the heap the 10,000-flag state keeps
//   reader   a reader's per-check latency while another thread reloads as fast as it can, and idle
//   rename   delivery-to-reader latency through the watcher (rename, close-write, hard link, ..data
//            swap, grandparent exchange), inotify and polling
//   fleet    32 processes watching one ConfigMap-style directory: time until all serve the new
//            generation after the kubelet's ..data swap
//
// Nothing here asserts a time. What is checked, and counted in "failures", is function: every load
// publishes, readers never see a wrong answer while reloads run, and every process of the fleet
// ends up serving each new generation.
#include <fcntl.h>
#include <malloc.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cmath>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <deque>
#include <filesystem>
#include <fstream>
#include <optional>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include <fmt/format.h>
#include <toml++/toml.h>
#include <flags/detail/runtime_access.hpp>

#include "alloc_counter.hpp"
#include "programs.hpp"
#include "runtime/runtime_loader.hpp"
#include "runtime/snapshot.hpp"
#include "scenario.hpp"

extern char** environ;

namespace bench {
namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;
using flags::Flag;

double ms_since(Clock::time_point start) { return std::chrono::duration<double, std::milli>(Clock::now() - start).count(); }

// The calling thread's CPU time: on a machine whose cores are shared, the wall clock also counts the
// time a part waited for a core, which the part did not cost.
double thread_cpu_ms() {
    timespec ts{};
    ::clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return static_cast<double>(ts.tv_sec) * 1e3 + static_cast<double>(ts.tv_nsec) / 1e6;
}

// Order statistics of a sample; `p` in [0, 1], nearest rank.
double percentile(std::vector<double> v, double p) {
    if (v.empty()) return 0;
    std::sort(v.begin(), v.end());
    const auto rank = static_cast<std::size_t>(std::max(0.0, std::ceil(p * static_cast<double>(v.size())) - 1));
    return v[std::min(rank, v.size() - 1)];
}

std::string stats_json(const std::vector<double>& v) {
    if (v.empty()) return "{\"count\": 0}";
    return fmt::format(R"({{"count": {}, "min": {:.4f}, "median": {:.4f}, "p99": {:.4f}, "max": {:.4f}}})", v.size(),
                       percentile(v, 0), percentile(v, 0.5), percentile(v, 0.99), percentile(v, 1));
}

struct Settings {
    std::vector<std::pair<std::size_t, int>> reload_sizes;  // flags, repetitions
    double reader_seconds = 1.0;
    int rename_trials = 200;
    int poll_interval_ms = 100;
    int fleet_processes = 32;
    int fleet_rounds = 10;
    std::string fleet_watcher;
    std::string sections;  // empty: all
};

std::atomic<int> failures{0};  // the reloading writer thread reports too
void fail(const std::string& what) {
    ++failures;
    std::fprintf(stderr, "hotreload: FAILED: %s\n", what.c_str());
}

// A scratch directory, removed at the end.
struct Scratch {
    fs::path path;
    Scratch() {
        std::string pattern = (fs::temp_directory_path() / "flagstone-bench-XXXXXX").string();
        if (!::mkdtemp(pattern.data())) throw std::runtime_error("mkdtemp failed");
        path = pattern;
    }
    ~Scratch() {
        std::error_code ec;
        fs::remove_all(path, ec);
    }
};

void write_file(const fs::path& path, std::string_view text) {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out << text;
    if (!out) throw std::runtime_error("cannot write " + path.string());
}

// --- reload cost ----------------------------------------------------------------------------------

// A registry of `n` flags made at run time, as flagctl makes one: every eighth flag is an
// experiment with three variants, the others release, ops and permission flags in turn.
class SizedRegistry {
public:
    explicit SizedRegistry(std::size_t n) {
        static constexpr std::string_view variants[] = {"control", "treatment-a", "treatment-b"};
        static constexpr flags::FlagType kinds[] = {flags::FlagType::release, flags::FlagType::ops,
                                                    flags::FlagType::permission};
        for (std::size_t i = 0; i < n; ++i) {
            const auto type = i % 8 == 7 ? flags::FlagType::experiment : kinds[i % 3];
            names_.push_back(fmt::format("{}.flag-{:05}", flags::to_string(type), i));
            identifiers_.push_back(fmt::format("{}_flag_{:05}", flags::to_string(type), i));
        }
        for (std::size_t i = 0; i < n; ++i) {
            const auto type = i % 8 == 7 ? flags::FlagType::experiment : kinds[i % 3];
            infos_.push_back(flags::FlagInfo{.name = names_[i],
                                             .identifier = identifiers_[i],
                                             .type = type,
                                             .description = "benchmark flag",
                                             .owner = "bench",
                                             .created = {},
                                             .retire_by = std::nullopt,
                                             .review_by = std::nullopt,
                                             .ticket = {},
                                             .variants = type == flags::FlagType::experiment
                                                             ? std::span<const std::string_view>(variants)
                                                             : std::span<const std::string_view>()});
        }
    }
    flags::RegistryView view() const { return {.flags = infos_, .source = "bench registry"}; }
    const std::string& name(std::size_t i) const { return names_[i]; }

private:
    std::deque<std::string> names_, identifiers_;  // a deque: growing it moves no string the views see
    std::vector<flags::FlagInfo> infos_;
};

// A runtime file with an entry for every flag, in the mix a service with many flags has: plain
// values, rollouts, kills, flags with two targeting rules, and splits. `revision` goes in a
// comment, so that each repetition is new content and publishes.
std::string sized_runtime(const SizedRegistry& registry, std::size_t n, int revision) {
    std::string out = fmt::format("schema = 1\n# revision {}\n\n[segments]\n"
                                  "beta = [{{ attr = \"tenant\", in = [\"acme\", \"globex\", \"initech\"] }}]\n",
                                  revision);
    for (std::size_t i = 0; i < n; ++i) {
        out += fmt::format("\n[flags.\"{}\"]\n", registry.name(i));
        switch (i % 8) {
        case 0: case 1: case 2: out += i % 2 ? "value = true\n" : "value = false\n"; break;
        case 3: case 4: out += fmt::format("rollout = {}\nsince = 2026-11-10\n", static_cast<double>(i * 37 % 10000) / 100); break;
        case 5:
            out += "value = false\nrules = [\n"
                   "  { when = [{ segment = \"beta\" }], value = true },\n"
                   "  { when = [{ attr = \"plan\", in = [\"growth\", \"scale\"] }, { attr = \"app_version\", semver_gte = \"2.3.0\" }], rollout = 50 },\n"
                   "]\n";
            break;
        case 6: out += "off = true\n"; break;
        default: out += "split = { control = 50, treatment-a = 25, treatment-b = 25 }\nsalt = \"q4\"\n"; break;
        }
    }
    return out;
}

std::string bench_reload(const Settings& settings) {
    std::string rows;
    for (const auto& [n, repetitions] : settings.reload_sizes) {
        SizedRegistry registry(n);
        std::vector<double> load_ms, parse_ms, compile_ms, lookup_ms, load_cpu_ms, parse_cpu_ms;
        // Each repetition's load over its own parse, timed moments apart: a burst of other work on the
        // machine then disturbs both sides of one ratio, where medians taken apart may catch it once.
        std::vector<double> paired_cpu_ratio;
        std::int64_t retained = 0, retained_mallinfo = 0;
        std::size_t file_bytes = 0;
        {
            flags::internal::RuntimeCore core(registry.view());
            for (int r = 0; r < repetitions; ++r) {
                const std::string text = sized_runtime(registry, n, r);
                file_bytes = text.size();

                // The parts, each on its own: the TOML parse, then parse + validate + compile. Each timed
                // part starts from a consolidated heap (malloc_trim, untimed), so that none is charged
                // with the deferred freeing of the tree the part before it dropped.
                ::malloc_trim(0);
                auto cpu_start = thread_cpu_ms();
                auto start = Clock::now();
                try {
                    const auto parsed = toml::parse(std::string_view(text), std::string("flags.toml"));
                    if (parsed.empty()) fail("the generated runtime file parses empty");
                } catch (const std::exception& e) {
                    fail(fmt::format("the generated runtime file does not parse: {}", e.what()));
                }
                parse_ms.push_back(ms_since(start));
                parse_cpu_ms.push_back(thread_cpu_ms() - cpu_start);
                ::malloc_trim(0);
                start = Clock::now();
                {
                    std::vector<flags::Diagnostic> diagnostics;
                    const std::vector<flags::internal::RuntimeSource> sources{{.display = "flags.toml", .text = text}};
                    if (!flags::internal::compile_runtime(registry.view(), sources, diagnostics))
                        fail(fmt::format("the {}-flag runtime file does not compile", n));
                }
                compile_ms.push_back(ms_since(start));

                // What the loader's name lookups cost: RegistryView::find, a linear scan, once per
                // entry of the file. Measured apart because it grows with the square of the flags.
                start = Clock::now();
                int found = 0;
                for (std::size_t i = 0; i < n; ++i) found += registry.view().find(registry.name(i)) >= 0;
                lookup_ms.push_back(ms_since(start));
                if (found != static_cast<int>(n)) fail("a registry name is not found");

                // The whole load, as a reload does it: parse, validate, compile, publish.
                ::malloc_trim(0);
                const auto live_before = thread_live_bytes();
                const auto mallinfo_before = static_cast<std::int64_t>(mallinfo2().uordblks);
                cpu_start = thread_cpu_ms();
                start = Clock::now();
                const auto report = core.load_text(text, "flags.toml");
                load_ms.push_back(ms_since(start));
                load_cpu_ms.push_back(thread_cpu_ms() - cpu_start);
                if (parse_cpu_ms.back() > 0) paired_cpu_ratio.push_back(load_cpu_ms.back() / parse_cpu_ms.back());
                if (r == 0) {
                    retained = thread_live_bytes() - live_before;
                    retained_mallinfo = static_cast<std::int64_t>(mallinfo2().uordblks) - mallinfo_before;
                }
                if (!report.ok() || !report.published || report.generation != static_cast<std::uint64_t>(r + 1))
                    fail(fmt::format("load {} of the {}-flag file did not publish generation {}", r, n, r + 1));
            }
            // The answers are the file's: a spot check of a value, a kill and a split.
            const flags::Context ctx{.user = "u-1"};
            if (n > 7 && (core.evaluate(1, ctx).value != 1 || core.evaluate(6, ctx).reason != flags::Reason::DISABLED ||
                          core.evaluate(7, ctx).reason != flags::Reason::SPLIT))
                fail(fmt::format("the {}-flag snapshot serves wrong values", n));
        }
        std::fprintf(stderr,
                     "hotreload: reload of %zu flags: median %.3f ms (parse %.3f ms, parse+compile %.3f ms, name lookups "
                     "%.3f ms), keeps %lld bytes\n",
                     n, percentile(load_ms, 0.5), percentile(parse_ms, 0.5), percentile(compile_ms, 0.5),
                     percentile(lookup_ms, 0.5), static_cast<long long>(retained));
        rows += fmt::format(
            R"({}{{"flags": {}, "file_bytes": {}, "load_ms": {}, "parse_ms": {}, "load_cpu_ms": {}, "parse_cpu_ms": {}, "compile_ms": {}, "lookup_ms": {}, "paired_cpu_ratio": {}, "retained_bytes": {}, "retained_bytes_mallinfo": {}}})",
            rows.empty() ? "" : ", ", n, file_bytes, stats_json(load_ms), stats_json(parse_ms), stats_json(load_cpu_ms),
            stats_json(parse_cpu_ms), stats_json(compile_ms), stats_json(lookup_ms), stats_json(paired_cpu_ratio), retained,
            retained_mallinfo);
    }
    return fmt::format(R"({{"flag_program_bytes": {}, "sizes": [{}]}})", sizeof(flags::internal::FlagProgram), rows);
}

// --- a file of unknown names ---------------------------------------------------------------------

// 20,000 entries for flags a 1,000-flag registry lacks, each of the length of its names (so that every
// one is a candidate for "did you mean"), against parsing the same file: what the names cost a load.
std::string bench_unknown_names(const Settings& settings) {
    constexpr std::size_t registered = 1'000, unknown = 20'000;
    const int repetitions = settings.reload_sizes.empty() ? 1 : settings.reload_sizes.front().second;
    SizedRegistry registry(registered);
    std::string text = "schema = 1\n";
    for (std::size_t i = 0; i < unknown; ++i) text += fmt::format("[flags.\"release.zzzz-{:05}\"]\nvalue = true\n", i);
    std::vector<double> parse_ms, load_ms;
    flags::internal::RuntimeCore core(registry.view());
    for (int r = 0; r < repetitions; ++r) {
        auto start = Clock::now();
        if (toml::parse(std::string_view(text), std::string("flags.toml")).empty()) fail("the unknown-names file parses empty");
        parse_ms.push_back(ms_since(start));
        start = Clock::now();
        const auto report = core.load_text(text, "flags.toml");
        load_ms.push_back(ms_since(start));
        if (!report.ok() || report.diagnostics.size() != 21)
            fail(fmt::format("the unknown-names file gave {} diagnostics, not 20 names and a count",
                             report.diagnostics.size()));
    }
    std::fprintf(stderr, "hotreload: %zu unknown names against %zu flags: load median %.3f ms, parse %.3f ms\n", unknown,
                 registered, percentile(load_ms, 0.5), percentile(parse_ms, 0.5));
    return fmt::format(R"({{"flags": {}, "unknown": {}, "file_bytes": {}, "load_ms": {}, "parse_ms": {}}})", registered,
                       unknown, text.size(), stats_json(load_ms), stats_json(parse_ms));
}

// --- reader latency under continuous reloads ----------------------------------------------------

// Numbered across phases, as loading content identical to the serving one publishes nothing.
long reload_revision = 0;

// One reader thread checks flag F in batches of 32 and records each batch's time per check; a
// writer, when `reloading`, loads the file again and again (each time with a new revision number in
// a comment, so that every load publishes while the answers stay the same). Returns the phase's JSON.
template <Flag F>
std::string reader_phase(const char* label, bool reloading, double seconds) {
    constexpr int batch = 32;
    const auto& pop = population();
    // The right answers, computed before timing so that checking them costs the loop one load.
    std::vector<char> expected(Population::size);
    for (std::size_t k = 0; k < Population::size; ++k)
        expected[k] = F == Flag::release_new_checkout ? expected_rollout(pop.people[k]) : true;
    std::atomic<bool> stop{false};
    std::atomic<long> reloads{0};
    std::thread writer;
    if (reloading) {
        writer = std::thread([&] {
            while (!stop.load(std::memory_order_relaxed)) {
                const auto text = fmt::format("{}\n# revision {}\n", runtime_text, ++reload_revision);
                if (!flags::internal::core_of(flags::process_runtime()).load_text(text, "bench.toml").published)
                    fail("a continuous reload did not publish");
                reloads.fetch_add(1, std::memory_order_relaxed);
            }
        });
    }
    std::vector<double> per_check;
    per_check.reserve(1 << 20);
    long wrong = 0, checks = 0;
    const auto begin = Clock::now();
    const auto end = begin + std::chrono::duration<double>(seconds);
    std::size_t i = 0;
    for (auto now = begin; now < end;) {
        for (int k = 0; k < batch; ++k, ++i) {
            const std::size_t who = i & (Population::size - 1);
            wrong += flags::enabled<F>(pop.contexts[who]) != static_cast<bool>(expected[who]);
        }
        const auto after = Clock::now();
        per_check.push_back(std::chrono::duration<double, std::nano>(after - now).count() / batch);
        checks += batch;
        now = after;
    }
    const double elapsed = ms_since(begin) / 1000;
    stop = true;
    if (writer.joinable()) writer.join();
    if (wrong) fail(fmt::format("{} of {} checks answered wrong while reloading", wrong, checks));
    std::fprintf(stderr, "hotreload: reader %s: median %.1f ns/check, p99 %.1f, %ld reloads/s\n", label,
                 percentile(per_check, 0.5), percentile(per_check, 0.99),
                 static_cast<long>(static_cast<double>(reloads.load()) / elapsed));
    return fmt::format(R"({{"case": "{}", "reloading": {}, "checks_per_second": {:.0f}, "reloads_per_second": {:.0f}, "ns_per_check": {}}})",
                       label, reloading ? "true" : "false", static_cast<double>(checks) / elapsed,
                       static_cast<double>(reloads.load()) / elapsed, stats_json(per_check));
}

std::string bench_reader(const Settings& settings) {
    load_flagstone();
    std::vector<std::string> phases = {
        reader_phase<Flag::release_new_checkout>("rollout, idle", false, settings.reader_seconds),
        reader_phase<Flag::release_new_checkout>("rollout, reloading", true, settings.reader_seconds),
        reader_phase<Flag::ops_kill_switch_payments>("static, idle", false, settings.reader_seconds),
        reader_phase<Flag::ops_kill_switch_payments>("static, reloading", true, settings.reader_seconds),
    };
    std::string out = "[";
    for (std::size_t i = 0; i < phases.size(); ++i) out += (i ? ", " : "") + phases[i];
    return out + "]";
}

// --- rename-to-reader latency ---------------------------------------------------------------------

std::string kill_switch_file(bool on, int trial) {
    return fmt::format("schema = 1\n# trial {}\n[flags.\"ops.kill-switch-payments\"]\nvalue = {}\n", trial, on);
}

// How a trial puts the new file in place; the clock starts at the step that completes it.
enum class Delivery {
    rename,        // a temporary beside the file renamed over it (mv, rsync, Ansible)
    close_write,   // the file truncated, written and closed in place (cp, shell `>`); from the close
    hard_link,     // the old name removed, then a staged file linked under it; from the link
    data_swap,     // a Kubernetes volume's ..data symlink renamed over, the old version then removed
    grandparent,   // a new release directory exchanged with the file's grandparent (renameat2)
};
constexpr const char* delivery_names[] = {"rename", "close-write", "hard link", "..data swap", "grandparent exchange"};

// Where a trial's files are. `file` is the watched path; the rest is what the delivery needs.
struct DeliveryLayout {
    DeliveryLayout(const fs::path& root, Delivery delivery) : root(root), delivery(delivery) {
        switch (delivery) {
        case Delivery::grandparent: file = root / "current" / "etc" / "flags.toml"; break;
        case Delivery::data_swap: file = root / "flags.toml"; break;
        default: file = root / "flags.toml"; break;
        }
    }
    void create(std::string_view text) {
        if (delivery == Delivery::data_swap) {
            fs::create_directory(root / version(-1));
            write_file(root / version(-1) / "flags.toml", text);
            fs::create_directory_symlink(version(-1), root / "..data");
            fs::create_symlink("..data/flags.toml", file);
            return;
        }
        fs::create_directories(file.parent_path());
        write_file(file, text);
        if (delivery == Delivery::hard_link) fs::create_directory(root / "staging");
    }
    // Prepares trial `trial` with `text`, then returns the step that puts it in place.
    template <class Timed>
    void deliver(int trial, std::string_view text, Timed&& timed) {
        switch (delivery) {
        case Delivery::rename: {
            write_file(root / ".flags.toml.new", text);
            timed([&] { fs::rename(root / ".flags.toml.new", file); });
            break;
        }
        case Delivery::close_write: {
            const int fd = ::open(file.c_str(), O_WRONLY | O_TRUNC | O_CLOEXEC);
            if (fd < 0 || ::write(fd, text.data(), text.size()) != static_cast<ssize_t>(text.size()))
                fail(fmt::format("close-write: cannot write {}: {}", file.string(), std::strerror(errno)));
            timed([&] { ::close(fd); });
            break;
        }
        case Delivery::hard_link: {
            const auto staged = root / "staging" / fmt::format("flags-{}.toml", trial);
            write_file(staged, text);
            fs::remove(file);
            timed([&] { fs::create_hard_link(staged, file); });
            break;
        }
        case Delivery::data_swap: {
            fs::create_directory(root / version(trial));
            write_file(root / version(trial) / "flags.toml", text);
            fs::create_directory_symlink(version(trial), root / "..data_tmp");
            timed([&] {
                fs::rename(root / "..data_tmp", root / "..data");
                fs::remove_all(root / version(trial - 1));  // as the kubelet does, right after the swap
            });
            break;
        }
        case Delivery::grandparent: {
            fs::create_directories(root / "next" / "etc");
            write_file(root / "next" / "etc" / "flags.toml", text);
            timed([&] {
                if (::renameat2(AT_FDCWD, (root / "next").c_str(), AT_FDCWD, (root / "current").c_str(),
                                RENAME_EXCHANGE) != 0)
                    fail(fmt::format("renameat2: {}", std::strerror(errno)));
            });
            break;
        }
        }
    }
    // After the new value is served: what the delivery leaves behind goes.
    void tidy(int trial) {
        if (delivery == Delivery::grandparent) fs::remove_all(root / "next");  // the release swapped out
        if (delivery == Delivery::hard_link) fs::remove(root / "staging" / fmt::format("flags-{}.toml", trial - 1));
    }

    fs::path root;
    Delivery delivery;
    fs::path file;

private:
    static std::string version(int trial) { return fmt::format("..2026_11_30_10_00_00.{:09}", trial + 1); }
};

// Puts a new file in place, the way `delivery` says, then reads until the new value is served. The
// time taken is until the publication, as the runtime's change listener sees it on the watcher's
// thread right after it (from then on every reader is served the new value), so that what the writer
// does after the step that completes the file (the kubelet's removal of the old version) does not count;
// the reader checks that the value served is the new one. Between trials the writer waits 5 ms, so that
// each delivery is its own change rather than a burst the watcher coalesces, plus a random part of a
// poll interval: a polling watcher's phase would otherwise lock to the trials' rhythm and show the same
// point of its cycle every time, rather than the spread a deploy at any moment meets.
std::string delivery_latency(const char* label, flags::RuntimeOptions options, int trials, Delivery delivery) {
    std::mt19937 random(42);  // seeded: the same delays on every run
    std::uniform_int_distribution<long> jitter_us(0, std::chrono::microseconds(options.poll_interval).count() - 1);
    Scratch scratch;
    DeliveryLayout layout(scratch.path, delivery);
    layout.create(kill_switch_file(false, -1));
    options.log = [](std::string_view) {};
    flags::Runtime runtime(layout.file);
    std::atomic<Clock::rep> published{0};  // the first publication since the trial began, 0: none yet
    runtime.on_change([&](std::uint64_t) {
        Clock::rep none = 0;
        published.compare_exchange_strong(none, Clock::now().time_since_epoch().count());
    });
    if (!runtime.start(options).ok()) {
        fail(fmt::format("{}: the runtime does not start", label));
        return "{}";
    }
    const flags::Context ctx{.user = "u-1"};
    std::vector<double> latency;
    for (int trial = 0; trial < trials; ++trial) {
        const bool want = trial % 2 == 0;
        Clock::time_point start;
        layout.deliver(trial, kill_switch_file(want, trial), [&](auto&& step) {
            published = 0;
            start = Clock::now();
            step();
        });
        bool seen = false;
        while (!(seen = runtime.enabled<Flag::ops_kill_switch_payments>(ctx) == want) &&
               Clock::now() - start < std::chrono::seconds(10))
            std::this_thread::sleep_for(std::chrono::microseconds(50));
        if (!seen) {
            fail(fmt::format("{}: trial {} was not served within 10 s", label, trial));
            break;
        }
        // The listener runs right after the publication, which a reader may see first.
        while (published == 0 && Clock::now() - start < std::chrono::seconds(10))
            std::this_thread::sleep_for(std::chrono::microseconds(50));
        if (published == 0) {
            fail(fmt::format("{}: trial {} is served but its publication was not seen", label, trial));
            break;
        }
        latency.push_back(std::chrono::duration<double, std::milli>(Clock::duration(published.load()) -
                                                                    start.time_since_epoch())
                              .count());
        layout.tidy(trial);
        std::this_thread::sleep_for(std::chrono::milliseconds(5) +
                                    (options.force_polling ? std::chrono::microseconds(jitter_us(random))
                                                           : std::chrono::microseconds(0)));
    }
    const auto mechanism = runtime.status().mechanism;
    runtime.stop();
    std::fprintf(stderr, "hotreload: %s to reader, %s: median %.2f ms, p99 %.2f ms\n",
                 delivery_names[static_cast<int>(delivery)], label, percentile(latency, 0.5), percentile(latency, 0.99));
    return fmt::format(
        R"({{"case": "{}", "delivery": "{}", "mechanism": "{}", "quiet_period_ms": {}, "poll_interval_ms": {}, "latency_ms": {}}})",
        label, delivery_names[static_cast<int>(delivery)], flags::to_string(mechanism), options.quiet_period.count(),
        options.force_polling ? options.poll_interval.count() : 0, stats_json(latency));
}

std::string bench_rename(const Settings& settings) {
    const flags::RuntimeOptions defaults{};
    flags::RuntimeOptions no_quiet{};
    no_quiet.quiet_period = std::chrono::milliseconds(0);
    flags::RuntimeOptions polling{};
    polling.force_polling = true;
    polling.poll_interval = std::chrono::milliseconds(settings.poll_interval_ms);
    const int n = settings.rename_trials;
    // One after the other: the order of a function's arguments' evaluation is unspecified.
    std::vector<std::string> rows;
    rows.push_back(delivery_latency("inotify", defaults, n, Delivery::rename));
    rows.push_back(delivery_latency("inotify", defaults, n, Delivery::close_write));
    rows.push_back(delivery_latency("inotify", defaults, n, Delivery::hard_link));
    rows.push_back(delivery_latency("inotify", defaults, n, Delivery::data_swap));
    rows.push_back(delivery_latency("inotify", defaults, n, Delivery::grandparent));
    rows.push_back(delivery_latency("inotify, quiet_period 0", no_quiet, n, Delivery::rename));
    rows.push_back(delivery_latency("polling", polling, n, Delivery::rename));
    rows.push_back(delivery_latency("polling", polling, n, Delivery::grandparent));
    std::string out = "[";
    for (std::size_t i = 0; i < rows.size(); ++i) out += (i ? ", " : "") + rows[i];
    return out + "]";
}

// --- the fleet ------------------------------------------------------------------------------------

// A fleet-watcher process: its stdin (closing it stops the process) and its stdout, read by line.
struct Member {
    pid_t pid = -1;
    int to_child = -1;
    int from_child = -1;
    std::string pending;
    bool ready = false;  // its watcher is armed
    std::uint64_t serving = 0;
    double served_at_ms = 0;  // steady clock, ms
    bool wrong_value = false;
};

Member spawn_watcher(const std::string& program, const fs::path& file) {
    int in[2], out[2];
    if (::pipe2(in, O_CLOEXEC) != 0 || ::pipe2(out, O_CLOEXEC) != 0) throw std::runtime_error("pipe failed");
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, in[0], 0);
    posix_spawn_file_actions_adddup2(&actions, out[1], 1);
    std::string path = file.string();
    std::string name = program;
    char* argv[] = {name.data(), path.data(), nullptr};
    Member m;
    const int error = ::posix_spawn(&m.pid, program.c_str(), &actions, nullptr, argv, environ);
    posix_spawn_file_actions_destroy(&actions);
    ::close(in[0]);
    ::close(out[1]);
    if (error != 0) {
        ::close(in[1]);
        ::close(out[0]);
        throw std::runtime_error(fmt::format("cannot start {}: {}", program, std::strerror(error)));
    }
    m.to_child = in[1];
    m.from_child = out[0];
    return m;
}

// Reads what the members have printed until `done()` or the deadline; each line is
// "ready <generation>" or "serving <generation> <variant> <steady clock ns>".
template <class Done>
bool pump(std::vector<Member>& fleet, std::string_view want_variant, Clock::time_point deadline, Done&& done) {
    std::vector<pollfd> fds(fleet.size());
    while (!done()) {
        const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
        if (left <= 0) return false;
        for (std::size_t i = 0; i < fleet.size(); ++i) fds[i] = {fleet[i].from_child, POLLIN, 0};
        if (::poll(fds.data(), fds.size(), static_cast<int>(left)) < 0 && errno != EINTR) return false;
        for (std::size_t i = 0; i < fleet.size(); ++i) {
            if (!(fds[i].revents & (POLLIN | POLLHUP))) continue;
            char buffer[4096];
            const ssize_t n = ::read(fleet[i].from_child, buffer, sizeof buffer);
            if (n <= 0) return false;  // a member died
            fleet[i].pending.append(buffer, static_cast<std::size_t>(n));
            for (std::size_t eol; (eol = fleet[i].pending.find('\n')) != std::string::npos;) {
                const std::string line = fleet[i].pending.substr(0, eol);
                fleet[i].pending.erase(0, eol + 1);
                unsigned long long generation = 0;
                long long ns = 0;
                char variant[32] = {};
                if (std::sscanf(line.c_str(), "ready %llu", &generation) == 1) {
                    fleet[i].ready = true;
                    fleet[i].serving = generation;
                } else if (std::sscanf(line.c_str(), "serving %llu %31s %lld", &generation, variant, &ns) == 3) {
                    fleet[i].serving = generation;
                    fleet[i].served_at_ms = static_cast<double>(ns) / 1e6;
                    fleet[i].wrong_value = !want_variant.empty() && variant != want_variant;
                }
            }
        }
    }
    return true;
}

// The kubelet's atomic writer: the watched flags.toml is a symlink to ..data/flags.toml, ..data a
// symlink to a timestamped directory. An update writes a new directory, points ..data_tmp at it,
// renames ..data_tmp over ..data (the moment the update happens), then removes the old directory.
std::string bench_fleet(const Settings& settings) {
    Scratch scratch;
    const auto volume = scratch.path;
    const auto content = [](std::string_view variant, int round) {
        return fmt::format("schema = 1\n# round {}\n[flags.\"experiment.button-color\"]\nvalue = \"{}\"\n", round, variant);
    };
    const auto version_dir = [](int round) { return fmt::format("..2026_11_21_10_{:02}_00.{:09}", round + 1, round + 1); };
    fs::create_directory(volume / version_dir(-1));
    write_file(volume / version_dir(-1) / "flags.toml", content("blue", -1));
    fs::create_directory_symlink(version_dir(-1), volume / "..data");
    fs::create_symlink("..data/flags.toml", volume / "flags.toml");

    std::vector<Member> fleet;
    std::vector<double> all_served, each_served;
    const auto finish = [&] {
        for (auto& m : fleet) ::close(m.to_child);  // end of input: each member stops its runtime and exits
        for (auto& m : fleet) {
            int status = 0;
            const auto deadline = Clock::now() + std::chrono::seconds(10);
            while (::waitpid(m.pid, &status, WNOHANG) == 0) {
                if (Clock::now() > deadline) {
                    ::kill(m.pid, SIGKILL);
                    ::waitpid(m.pid, &status, 0);
                    fail("a fleet member did not exit when its input closed");
                    break;
                }
                std::this_thread::sleep_for(std::chrono::milliseconds(5));
            }
            ::close(m.from_child);
        }
    };
    try {
        for (int i = 0; i < settings.fleet_processes; ++i)
            fleet.push_back(spawn_watcher(settings.fleet_watcher, volume / "flags.toml"));
    } catch (const std::exception& e) {
        fail(e.what());
        finish();
        return "{}";
    }
    const auto all_at = [&](std::uint64_t generation) {
        return [&fleet, generation] {
            return std::all_of(fleet.begin(), fleet.end(), [&](const Member& m) { return m.serving >= generation; });
        };
    };
    // "ready", not the first "serving": a member serves generation 1 before its watcher is armed.
    const auto all_ready = [&] { return std::all_of(fleet.begin(), fleet.end(), [](const Member& m) { return m.ready; }); };
    if (!pump(fleet, "", Clock::now() + std::chrono::seconds(30), all_ready)) {
        fail("the fleet did not start");
        finish();
        return "{}";
    }
    static constexpr std::string_view variants[] = {"green", "red", "blue"};
    for (int round = 0; round < settings.fleet_rounds; ++round) {
        const auto variant = variants[round % 3];
        const std::uint64_t generation = static_cast<std::uint64_t>(round) + 2;
        fs::create_directory(volume / version_dir(round));
        write_file(volume / version_dir(round) / "flags.toml", content(variant, round));
        fs::create_directory_symlink(version_dir(round), volume / "..data_tmp");
        const double swapped_at = std::chrono::duration<double, std::milli>(Clock::now().time_since_epoch()).count();
        fs::rename(volume / "..data_tmp", volume / "..data");
        fs::remove_all(volume / version_dir(round - 1));
        if (!pump(fleet, variant, Clock::now() + std::chrono::seconds(30), all_at(generation))) {
            fail(fmt::format("round {}: not every process served generation {} within 30 s", round, generation));
            break;
        }
        double last = 0;
        for (const auto& m : fleet) {
            if (m.wrong_value || m.serving != generation)
                fail(fmt::format("round {}: a process serves generation {} with the wrong value", round, m.serving));
            last = std::max(last, m.served_at_ms - swapped_at);
            each_served.push_back(m.served_at_ms - swapped_at);
        }
        all_served.push_back(last);
        std::fprintf(stderr, "hotreload: fleet round %d: all %d processes serve generation %llu after %.2f ms\n", round,
                     settings.fleet_processes, static_cast<unsigned long long>(generation), last);
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    finish();
    return fmt::format(R"({{"processes": {}, "rounds": {}, "all_serving_ms": {}, "each_serving_ms": {}}})",
                       settings.fleet_processes, all_served.size(), stats_json(all_served), stats_json(each_served));
}

}  // namespace

int run_hotreload(int argc, char** argv) {
    Settings settings;
    settings.reload_sizes = {{10, 20}, {1000, 11}, {10000, 9}};
    for (int i = 0; i < argc; ++i) {
        const std::string_view arg = argv[i];
        if (arg == "--quick") {
            settings.reload_sizes = {{10, 10}, {1000, 5}, {10000, 5}};
            settings.reader_seconds = 0.5;
            settings.rename_trials = 50;
            settings.fleet_rounds = 5;
        } else if (arg == "--smoke") {  // proves each part runs and works; measures nothing worth reading
            settings.reload_sizes = {{10, 2}, {1000, 2}, {10000, 1}};
            settings.reader_seconds = 0.1;
            settings.rename_trials = 4;
            settings.poll_interval_ms = 20;
            settings.fleet_processes = 4;
            settings.fleet_rounds = 2;
        } else if (arg == "--only" && i + 1 < argc) {  // e.g. --only reload,fleet
            settings.sections = argv[++i];
        } else if (arg == "--fleet-watcher" && i + 1 < argc) {
            settings.fleet_watcher = argv[++i];
        } else {
            std::fprintf(stderr, "flagstone-bench hotreload: unknown option %s\n", argv[i]);
            return 2;
        }
    }
    if (settings.fleet_watcher.empty()) {  // by default, the one built beside this program
        std::error_code ec;
        settings.fleet_watcher = (fs::read_symlink("/proc/self/exe", ec).parent_path() / "fleet-watcher").string();
    }
    const auto wanted = [&](std::string_view section) {
        return settings.sections.empty() || settings.sections.find(section) != std::string::npos;
    };
    const auto reload = wanted("reload") ? bench_reload(settings) : "{}";
    const auto unknown_names = wanted("unknown") ? bench_unknown_names(settings) : "{}";
    const auto reader = wanted("reader") ? bench_reader(settings) : "[]";
    const auto rename = wanted("rename") ? bench_rename(settings) : "[]";
    const auto fleet = wanted("fleet") ? bench_fleet(settings) : "{}";
    std::printf(R"({"reload": %s, "unknown_names": %s, "reader": %s, "rename": %s, "fleet": %s, "failures": %d})"
                "\n",
                reload.c_str(), unknown_names.c_str(), reader.c_str(), rename.c_str(), fleet.c_str(), failures.load());
    return failures == 0 ? 0 : 1;
}

}  // namespace bench
