// A fake JSON-RPC server on loopback for the client's robustness tests: every request is
// answered by `respond(request body) -> raw bytes after the HTTP status line's decision`,
// given as a Reply (status, body, or raw bytes to write instead of an HTTP response, or a
// delay, or closing without a word). One connection at a time, "Connection: close".
#pragma once

#include <atomic>
#include <chrono>
#include <functional>
#include <stdexcept>
#include <string>
#include <thread>

#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

namespace evmtest {

struct Reply {
    Reply() = default;
    Reply(int status_, std::string body_, std::string raw_ = {}) : status(status_), body(std::move(body_)), raw(std::move(raw_)) {}
    int status = 200;
    std::string body;
    std::string raw;       // when set: written as is, no HTTP framing
    bool hang_up = false;  // close without answering
    std::chrono::milliseconds delay{0};
};

class FakeRpcServer {
public:
    using Responder = std::function<Reply(const std::string& request_body)>;

    explicit FakeRpcServer(Responder r) : respond_(std::move(r)) {
        fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
        int one = 1;
        ::setsockopt(fd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
        sockaddr_in a{};
        a.sin_family = AF_INET;
        a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        if (::bind(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0 || ::listen(fd_, 16) != 0)
            throw std::runtime_error("fake rpc: cannot listen");
        socklen_t len = sizeof a;
        ::getsockname(fd_, reinterpret_cast<sockaddr*>(&a), &len);
        port_ = ntohs(a.sin_port);
        thread_ = std::thread([this] { serve(); });
    }
    ~FakeRpcServer() {
        stop_ = true;
        thread_.join();
        ::close(fd_);
    }
    [[nodiscard]] std::string url() const { return "http://127.0.0.1:" + std::to_string(port_) + "/"; }
    [[nodiscard]] int requests() const noexcept { return requests_.load(); }

private:
    void serve() {
        while (!stop_) {
            pollfd p{fd_, POLLIN, 0};
            if (::poll(&p, 1, 50) <= 0) continue;
            const int c = ::accept(fd_, nullptr, nullptr);
            if (c < 0) continue;
            handle(c);
            ::close(c);
        }
    }
    void handle(int c) {
        std::string in;
        char buf[4096];
        std::size_t body_at = std::string::npos, length = 0;
        const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(5);
        while (std::chrono::steady_clock::now() < until) {
            pollfd p{c, POLLIN, 0};
            if (::poll(&p, 1, 50) <= 0) continue;
            const ssize_t n = ::recv(c, buf, sizeof buf, 0);
            if (n <= 0) return;
            in.append(buf, static_cast<std::size_t>(n));
            if (body_at == std::string::npos) {
                const auto h = in.find("\r\n\r\n");
                if (h == std::string::npos) continue;
                body_at = h + 4;
                std::string headers = in.substr(0, h);
                for (auto& ch : headers) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
                const auto cl = headers.find("content-length:");
                if (cl != std::string::npos) length = std::stoul(headers.substr(cl + 15));
            }
            if (in.size() >= body_at + length) break;
        }
        if (body_at == std::string::npos) return;
        ++requests_;
        const Reply r = respond_(in.substr(body_at, length));
        if (r.delay.count()) std::this_thread::sleep_for(r.delay);
        if (r.hang_up) return;
        std::string out = r.raw;
        if (out.empty())
            out = "HTTP/1.1 " + std::to_string(r.status) + " X\r\nContent-Type: application/json\r\nContent-Length: " +
                  std::to_string(r.body.size()) + "\r\nConnection: close\r\n\r\n" + r.body;
        std::size_t sent = 0;
        while (sent < out.size()) {
            const ssize_t n = ::send(c, out.data() + sent, out.size() - sent, MSG_NOSIGNAL);
            if (n <= 0) return;
            sent += static_cast<std::size_t>(n);
        }
    }

    Responder respond_;
    int fd_ = -1, port_ = 0;
    std::atomic<bool> stop_{false};
    std::atomic<int> requests_{0};
    std::thread thread_;
};

}  // namespace evmtest
