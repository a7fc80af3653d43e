// A minimal HTTP/1.0 endpoint for Prometheus scrapes, on plain POSIX sockets. Copy it into a service
// that has no HTTP server; the choices it makes, and why, are in the comments.
//
// Its rule: whatever a client does (connects and says nothing, sends garbage, leaves halfway, never
// reads the answer) costs the host at most one connection's deadline on this thread, and never a
// signal, a crash or a blocked caller.
#include "metrics_endpoint.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <climits>
#include <string_view>
#include <system_error>
#include <utility>

namespace demo {
namespace {

using Clock = std::chrono::steady_clock;

// One deadline for a whole exchange. A scrape over loopback takes well under a millisecond, so this
// is generous, and it bounds how long a stuck client can make the next scrape wait.
constexpr auto exchange_deadline = std::chrono::seconds(2);

// A scraper's request is a few hundred bytes; anything longer is not a scraper.
constexpr std::size_t max_request = 8192;

[[noreturn]] void fail(const char* what) { throw std::system_error(errno, std::generic_category(), what); }

void close_fd(int& fd) {
    if (fd >= 0) ::close(fd);
    fd = -1;
}

// HTTP/1.0 with Content-Length and "Connection: close": one request per connection, so the client
// needs no keep-alive handling from us, and knows the body is complete either way.
std::string response(std::string_view status, std::string_view content_type, std::string_view body) {
    std::string out = "HTTP/1.0 ";
    out += status;
    out += "\r\nContent-Type: ";
    out += content_type;
    out += "\r\nContent-Length: " + std::to_string(body.size());
    out += "\r\nConnection: close\r\n\r\n";
    out += body;
    return out;
}

// The answer to a request, from its request line ("GET /metrics HTTP/1.1").
std::string answer_to(std::string_view request, const MetricsEndpoint::Body& body) {
    const auto line = request.substr(0, request.find_first_of("\r\n"));
    const auto method = line.substr(0, line.find(' '));
    auto target = line.substr(method.size() < line.size() ? method.size() + 1 : line.size());
    target = target.substr(0, target.find(' '));
    const auto path = target.substr(0, target.find('?'));  // a query string does not change what is served

    if (method != "GET" || path != "/metrics") return response("404 Not Found", "text/plain; charset=utf-8", "not found\n");
    try {
        // The exposition format's own media type: Prometheus parses the body by it.
        return response("200 OK", "text/plain; version=0.0.4; charset=utf-8", body());
    } catch (...) {  // the callback is the host's code: its failure fails this scrape, not the process
        return response("500 Internal Server Error", "text/plain; charset=utf-8", "metrics unavailable\n");
    }
}

}  // namespace

MetricsEndpoint::MetricsEndpoint(std::uint16_t port, Body body) : body_(std::move(body)) {
    try {
        // SOCK_CLOEXEC: a child the host starts must not inherit the socket and keep the port open.
        // SOCK_NONBLOCK: poll() can report a connection that is gone by the time accept() runs; a
        // blocking accept() would then wait for the next client, and stop() with it.
        listener_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
        if (listener_ < 0) fail("socket");
        // A restarted host binds its fixed port again while the last run's connections are still
        // in TIME_WAIT, instead of failing with "address in use" for a minute.
        const int on = 1;
        if (::setsockopt(listener_, SOL_SOCKET, SO_REUSEADDR, &on, sizeof on) != 0) fail("setsockopt");

        // Loopback only: flag state is internal. To be scraped from another host, bind a routable
        // address deliberately, where a firewall decides who may connect.
        sockaddr_in address{};
        address.sin_family = AF_INET;
        address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        address.sin_port = htons(port);
        if (::bind(listener_, reinterpret_cast<const sockaddr*>(&address), sizeof address) != 0) fail("bind");
        if (::listen(listener_, 16) != 0) fail("listen");
        socklen_t length = sizeof address;  // port 0: ask the kernel which port it picked
        if (::getsockname(listener_, reinterpret_cast<sockaddr*>(&address), &length) != 0) fail("getsockname");
        port_ = ntohs(address.sin_port);

        // The self-pipe: the thread waits in poll() on its sockets and on this pipe, so stop()
        // wakes it at once, whatever it is waiting for, without closing a descriptor under it.
        int wake[2];
        if (::pipe2(wake, O_CLOEXEC) != 0) fail("pipe2");
        wake_read_ = wake[0];
        wake_write_ = wake[1];

        thread_ = std::thread([this] { serve(); });
    } catch (...) {
        close_fd(listener_);
        close_fd(wake_read_);
        close_fd(wake_write_);
        throw;
    }
}

MetricsEndpoint::~MetricsEndpoint() { stop(); }

void MetricsEndpoint::stop() {
    if (!thread_.joinable()) return;
    // The byte is never read: the pipe stays readable, so every later poll() returns at once too.
    const char byte = 0;
    [[maybe_unused]] const auto written = ::write(wake_write_, &byte, 1);
    thread_.join();
    close_fd(listener_);
    close_fd(wake_read_);
    close_fd(wake_write_);
}

// Waits until fd is ready for events. False when the deadline passes or stop() was called: the
// caller then gives up. time_point::max() waits without a deadline.
bool MetricsEndpoint::wait_for(int fd, short events, Clock::time_point deadline) const {
    for (;;) {
        int timeout_ms = -1;
        if (deadline != Clock::time_point::max()) {
            const auto left = std::chrono::ceil<std::chrono::milliseconds>(deadline - Clock::now()).count();
            if (left <= 0) return false;
            timeout_ms = static_cast<int>(std::min<decltype(left)>(left, INT_MAX));
        }
        pollfd fds[] = {{fd, events, 0}, {wake_read_, POLLIN, 0}};  // poll() skips an fd of -1
        const int ready = ::poll(fds, 2, timeout_ms);
        if (ready < 0 && errno == EINTR) continue;  // a signal the host handles: wait again
        // Readiness includes an error or hang-up on fd: the recv() or send() that follows reports it.
        return ready > 0 && fds[1].revents == 0;
    }
}

// One connection at a time on this one thread: scrapes come every few seconds and are answered in
// microseconds, so concurrency would add code and nothing else. The deadline bounds the wait.
void MetricsEndpoint::serve() {
    while (wait_for(listener_, POLLIN, Clock::time_point::max())) {
        // Non-blocking, so a client that stops reading or writing cannot block send() or recv():
        // every wait goes through wait_for() and its deadline.
        const int client = ::accept4(listener_, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (client >= 0) {
            answer(client);
            ::close(client);
        } else if (errno != EAGAIN && errno != EWOULDBLOCK && errno != ECONNABORTED && errno != EINTR) {
            // Out of descriptors or memory: the connection stays queued and poll() would report it
            // again at once, so pause instead of spinning.
            wait_for(-1, 0, Clock::now() + std::chrono::milliseconds(100));
        }
    }
}

void MetricsEndpoint::answer(int client) {
    const auto deadline = Clock::now() + exchange_deadline;
    char buffer[1024];

    // Read up to the blank line that ends the headers, however many reads it takes. Only the request
    // line matters, but closing a socket with unread input makes the kernel reset the connection,
    // which can destroy the response before the client has read it.
    std::string request;
    while (request.find("\r\n\r\n") == std::string::npos && request.find("\n\n") == std::string::npos) {
        if (request.size() > max_request || !wait_for(client, POLLIN, deadline)) return;
        const ssize_t n = ::recv(client, buffer, sizeof buffer, 0);
        if (n > 0) {
            request.append(buffer, static_cast<std::size_t>(n));
        } else if (n == 0) {  // the client closed its side: answer what it sent, if anything
            if (request.empty()) return;
            break;
        } else if (errno != EINTR && errno != EAGAIN && errno != EWOULDBLOCK) {
            return;  // reset by the client
        }
    }

    const std::string out = answer_to(request, body_);
    for (std::size_t sent = 0; sent < out.size();) {
        if (!wait_for(client, POLLOUT, deadline)) return;
        // MSG_NOSIGNAL: sending to a client that has gone away raises SIGPIPE, whose default action
        // kills the whole process. With the flag, send() fails with EPIPE and only this exchange ends.
        const ssize_t n = ::send(client, out.data() + sent, out.size() - sent, MSG_NOSIGNAL);
        if (n >= 0)
            sent += static_cast<std::size_t>(n);  // a short write: send the rest when there is room
        else if (errno != EINTR && errno != EAGAIN && errno != EWOULDBLOCK)
            return;  // EPIPE, ECONNRESET: the client left
    }

    // Tell the client the response is complete, then discard whatever it still sends until it
    // closes, for the same reason as above: a close with unread input would reset the connection.
    ::shutdown(client, SHUT_WR);
    while (wait_for(client, POLLIN, deadline) && ::recv(client, buffer, sizeof buffer, 0) > 0) {
    }
}

}  // namespace demo
