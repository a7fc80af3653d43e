// Kubernetes ConfigMap volumes, for real: the kubelet's `..data` layout on a read-only bind mount,
// as a pod sees it, with directories left at mode 0777. The program runs itself again in a private
// mount namespace (`unshare -m`; as another user than root, in a user namespace too), so that its
// mounts vanish with it. Where unshare cannot make the namespace, it reports itself skipped (77).
#define BOOST_TEST_MODULE mounts
#define BOOST_TEST_NO_MAIN
#include <boost/test/data/monomorphic.hpp>
#include <boost/test/data/test_case.hpp>
#include <boost/test/unit_test.hpp>

#include <sys/statvfs.h>
#include <sys/wait.h>

#include <cstdio>

#include "reload_support.hpp"

using namespace reload_test;

namespace {

constexpr const char* in_namespace_variable = "FLAGSTONE_IN_MOUNT_NAMESPACE";

// What the kubelet's atomic writer leaves in a volume: a timestamped directory holding the files,
// `..data` pointing at it, and each key a symlink through `..data`. This kubelet leaves both
// directories writable by everyone; only the read-only mount keeps them from being written.
struct ConfigMapVolume {
    ConfigMapVolume() {
        fs::create_directories(volume);
        publish("..2026_11_30_10_00_00.000000001", "green");
        fs::create_symlink("..data/flags.toml", volume / "flags.toml");
        fs::permissions(volume, fs::perms(0777));
        fs::create_directory(mount);
        shell(scratch.path, "mount --bind volume mnt && mount -o remount,bind,ro mnt");
        struct statvfs info{};
        BOOST_REQUIRE(::statvfs(mount.c_str(), &info) == 0 && (info.f_flag & ST_RDONLY));
    }
    ~ConfigMapVolume() { std::system(("umount '" + mount.string() + "'").c_str()); }

    // A new timestamped directory, then `..data` swapped to it in one rename, as the kubelet does.
    void publish(const std::string& timestamp, std::string_view color) {
        const auto dir = volume / timestamp;
        fs::create_directory(dir);
        write_file(dir / "flags.toml", content(color));
        fs::permissions(dir, fs::perms(0777));
        if (!fs::is_symlink(volume / "..data")) {
            fs::create_directory_symlink(timestamp, volume / "..data");
            return;
        }
        const auto old = fs::read_symlink(volume / "..data");
        shell(volume, "ln -s " + timestamp + " ..data_tmp && mv -T ..data_tmp ..data && rm -rf " + old.string());
    }

    Scratch scratch;
    fs::path volume = scratch.path / "volume";  // where the kubelet writes
    fs::path mount = scratch.path / "mnt";      // what the pod reads: the same tree, read-only
};

}  // namespace

BOOST_AUTO_TEST_SUITE(mounts)

// Mounted as a directory or read through the key's path, the volume loads under the default
// permission policy, and the kubelet's `..data` swap is served.
BOOST_DATA_TEST_CASE(a_configmap_on_a_read_only_mount_loads_at_mode_0777,
                     boost::unit_test::data::make({"", "flags.toml"}), key) {
    ConfigMapVolume v;
    WatchedRuntime runtime(v.mount / key);
    BOOST_TEST(runtime.start_report.ok());
    BOOST_TEST((runtime.color() == ButtonColor::green));
    v.publish("..2026_11_30_10_05_00.000000002", "red");
    BOOST_TEST(runtime.wait_for_color(ButtonColor::red));
    v.publish("..2026_11_30_10_10_00.000000003", "blue");
    BOOST_TEST(runtime.wait_for_color(ButtonColor::blue));
    BOOST_TEST(runtime.runtime().status().mechanism == flags::WatchMechanism::inotify);
    runtime.check_all_complete();
}

// The same tree where it can be written: the policy still refuses it.
BOOST_AUTO_TEST_CASE(the_same_tree_on_a_writable_filesystem_is_refused) {
    ConfigMapVolume v;
    WatchedRuntime file(v.volume / "flags.toml");
    BOOST_TEST(!file.start_report.ok());
    BOOST_REQUIRE(!file.start_report.load.diagnostics.empty());
    BOOST_TEST(file.start_report.load.diagnostics.front().message ==
               "cannot read the runtime file: directory " + v.volume.string() + " is writable by other users (mode 0777)");
    WatchedRuntime directory(v.volume);
    BOOST_REQUIRE(!directory.start_report.load.diagnostics.empty());
    BOOST_TEST(directory.start_report.load.diagnostics.front().message ==
               "cannot read the runtime directory: directory " + v.volume.string() +
                   " is writable by other users (mode 0777)");
    BOOST_TEST((file.color() == ButtonColor::blue));  // the registry default
}

// A file system mounted over a directory on the path raises no inotify event: the watcher finds the
// directory's identity changed, serves what the mount shows, and serves the old one once it is gone.
BOOST_AUTO_TEST_CASE(a_mount_over_an_ancestor_is_served) {
    Scratch scratch;
    fs::create_directories(scratch.path / "app" / "conf");
    write_file(scratch.path / "app" / "conf" / "flags.toml", content("green"));
    fs::create_directories(scratch.path / "release" / "conf");
    write_file(scratch.path / "release" / "conf" / "flags.toml", content("red"));
    WatchedRuntime runtime(scratch.path / "app" / "conf" / "flags.toml");
    BOOST_REQUIRE(runtime.color() == ButtonColor::green);

    shell(scratch.path, "mount --bind release app");
    BOOST_TEST(runtime.wait_for_color(ButtonColor::red));
    deliver_by_rename(scratch.path / "app" / "conf" / "flags.toml", content("blue"));  // watched in the mount
    BOOST_TEST(runtime.wait_for_color(ButtonColor::blue));
    shell(scratch.path, "umount app");
    BOOST_TEST(runtime.wait_for_color(ButtonColor::green));
    BOOST_TEST(runtime.runtime().status().mechanism == flags::WatchMechanism::inotify);
}

BOOST_AUTO_TEST_SUITE_END()

int main(int argc, char** argv) {
    if (std::getenv(in_namespace_variable)) return boost::unit_test::unit_test_main(&init_unit_test, argc, argv);
    const std::string unshare = ::geteuid() == 0 ? "unshare -m --propagation private" : "unshare -r -m --propagation private";
    if (std::system((unshare + " true 2>/dev/null").c_str()) != 0) {
        std::printf("skipped: `%s` cannot make a private mount namespace here\n", unshare.c_str());
        return 77;
    }
    std::string command = std::string(in_namespace_variable) + "=1 " + unshare + " '" +
                          fs::read_symlink("/proc/self/exe").string() + "'";
    for (int i = 1; i < argc; ++i) command += " '" + std::string(argv[i]) + "'";
    const int status = std::system(command.c_str());
    return WIFEXITED(status) ? WEXITSTATUS(status) : 1;
}
