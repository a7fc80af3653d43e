// A minimal HTTP endpoint for Prometheus scrapes: `GET /metrics` answers 200 with the text a callback
// returns, anything else 404. It exists to show how a host serves flags::metrics_text() when it has
// no HTTP server of its own; a service that already has one adds a /metrics route to it instead.
//
//   demo::MetricsEndpoint endpoint{9464, [] { return flags::metrics_text(); }};
//   // curl http://127.0.0.1:9464/metrics
//
// It listens on 127.0.0.1 only, answers one connection at a time on one background thread, and is
// stopped (the thread joined, every descriptor closed) by stop() or the destructor.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <string>
#include <thread>

namespace demo {

class MetricsEndpoint {
public:
    using Body = std::function<std::string()>;

    // Listens on 127.0.0.1:port (0: a free port the kernel picks; port() tells which) and starts the
    // thread. Throws std::system_error if the port cannot be had, for instance when it is in use.
    MetricsEndpoint(std::uint16_t port, Body body);
    ~MetricsEndpoint();

    MetricsEndpoint(const MetricsEndpoint&) = delete;
    MetricsEndpoint& operator=(const MetricsEndpoint&) = delete;

    std::uint16_t port() const { return port_; }

    // Returns once the thread has finished, interrupting a connection in progress. Call it from one
    // thread; calling it again does nothing.
    void stop();

private:
    void serve();
    void answer(int client);
    bool wait_for(int fd, short events, std::chrono::steady_clock::time_point deadline) const;

    Body body_;
    int listener_ = -1;
    int wake_read_ = -1, wake_write_ = -1;  // stop() writes a byte here to wake the thread
    std::uint16_t port_ = 0;
    std::thread thread_;
};

}  // namespace demo
