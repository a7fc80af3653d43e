// Readers stay correct while another thread publishes snapshots. Run under ThreadSanitizer by
// `tools/dev test --sanitize=thread`.
#define BOOST_TEST_MODULE concurrency
#include <boost/test/unit_test.hpp>

#include <atomic>
#include <string>
#include <thread>
#include <vector>

#include <flags/flags.hpp>
#include <flags/detail/runtime_access.hpp>

using flags::Flag;

namespace {

// Two states that differ in both flags, so a reader can tell a mixed view from a consistent one.
const std::string state_a = "schema = 1\n[flags.\"release.new-checkout\"]\nvalue = true\n"
                            "[flags.\"experiment.button-color\"]\nsplit = { green = 100 }\n";
const std::string state_b = "schema = 1\n[flags.\"release.new-checkout\"]\nvalue = false\n"
                            "[flags.\"experiment.button-color\"]\nsplit = { red = 100 }\n";

}  // namespace

BOOST_AUTO_TEST_SUITE(concurrency)

BOOST_AUTO_TEST_CASE(two_readers_during_ten_thousand_publishes) {
    auto& core = flags::internal::core_of(flags::process_runtime());
    BOOST_REQUIRE(core.load_text(state_a, "a.toml").published);

    std::atomic<bool> done{false};
    std::atomic<long> mixed{0}, invalid{0}, backwards{0}, reads{0};
    auto reader = [&](std::string user) {
        const flags::Context ctx{.user = user};
        std::uint64_t last_generation = 0;
        long local_reads = 0;
        while (!done.load(std::memory_order_relaxed)) {
            // Unpinned reads: each must be a value some published snapshot serves.
            const auto color = flags::variant<Flag::experiment_button_color>(ctx);
            if (color != flags::variants::ButtonColor::green && color != flags::variants::ButtonColor::red) ++invalid;
            // A pinned view: both flags from one snapshot, and generations never go back.
            const auto view = flags::pin();
            const bool on = view.enabled<Flag::release_new_checkout>(ctx);
            const auto pinned_color = view.variant<Flag::experiment_button_color>(ctx);
            if (on != (pinned_color == flags::variants::ButtonColor::green)) ++mixed;
            if (view.generation() < last_generation) ++backwards;
            last_generation = view.generation();
            ++local_reads;
        }
        reads += local_reads;
    };
    std::thread first(reader, "u-1"), second(reader, "u-2");

    for (int i = 0; i < 10'000; ++i) {
        // A trailing comment makes each publish new content, so each is a new generation.
        const auto& body = i % 2 ? state_a : state_b;
        BOOST_REQUIRE(core.load_text(body + "# " + std::to_string(i) + "\n", "runtime.toml").published);
    }
    done = true;
    first.join();
    second.join();

    BOOST_TEST(mixed.load() == 0);
    BOOST_TEST(invalid.load() == 0);
    BOOST_TEST(backwards.load() == 0);
    BOOST_TEST(reads.load() > 0);
    BOOST_TEST(core.generation() == 10'001u);
}

BOOST_AUTO_TEST_SUITE_END()
