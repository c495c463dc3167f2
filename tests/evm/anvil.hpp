// A local Ethereum node for the tests: anvil (package.json pins it; CMake passes its path
// as CAUSALITY_ANVIL) started on 127.0.0.1 on a free port, ready once eth_chainId answers,
// stopped (SIGTERM, then SIGKILL) when the object goes. restart() stops it and starts it
// again on the same port with the same arguments (with --state FILE, anvil writes its
// chain when it stops and reads it back when it starts).
#pragma once

#include <causality/evm/client.hpp>

#include <chrono>
#include <csignal>
#include <cstdio>
#include <exception>
#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include <fcntl.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

namespace evmtest {

// Anvil's first default accounts (from its fixed test mnemonic): published keys.
inline constexpr const char* dev_key0 = "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80";
inline constexpr const char* dev_address0 = "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266";
inline constexpr const char* dev_key1 = "0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d";
inline constexpr const char* dev_address1 = "0x70997970C51812dc3A010C7d01b50e0d17dc79C8";
inline constexpr const char* dev_key2 = "0x5de4111afa1a4b94908f83103eb1f1706367c2e68ca870fc3fb9a804cdab365a";

// A port for a test's node: below the kernel's ephemeral range (32768-60999), so that no
// other test's connection or bind(0) is handed it, derived from the process id (so that
// concurrent tests start on different ports) and free when chosen. A node restarted on
// its port then finds it free unless another test chose the very same one.
inline bool port_free(int port) {
    const int s = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    a.sin_port = htons(static_cast<std::uint16_t>(port));
    const bool ok = ::bind(s, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0;
    ::close(s);
    return ok;
}
inline int free_port() {
    static int attempt = 0;
    for (int k = 0; k < 2000; ++k) {
        const int port = 12000 + static_cast<int>((static_cast<unsigned>(::getpid()) * 7919u + static_cast<unsigned>(attempt++) * 104729u) % 20000u);
        if (port_free(port)) return port;
    }
    throw std::runtime_error("no free port for a test node in 12000-31999");
}

// A thread for a test's background work (mining, reorgs, restarts): an exception in it is
// kept and rethrown by join() instead of ending the process; the destructor joins.
class Background {
public:
    template <class Fn>
    explicit Background(Fn fn)
        : thread_([this, fn = std::move(fn)]() mutable {
              try {
                  fn();
              } catch (...) {
                  error_ = std::current_exception();
              }
          }) {}
    Background(const Background&) = delete;
    Background& operator=(const Background&) = delete;
    ~Background() {
        if (thread_.joinable()) thread_.join();
    }
    void join() {
        if (thread_.joinable()) thread_.join();
        if (error_) std::rethrow_exception(std::exchange(error_, nullptr));
    }

private:
    std::exception_ptr error_;
    std::thread thread_;
};

inline std::string contract_artifact(const std::string& name) { return std::string(CAUSALITY_CONTRACTS_DIR) + "/" + name + ".json"; }

class Anvil {
public:
    // extra: more anvil arguments ("--block-time", "0.1", "--no-mining", "--state", FILE ...)
    explicit Anvil(std::vector<std::string> extra = {}) : port_(free_port()), extra_(std::move(extra)) { start(); }
    ~Anvil() { stop(); }
    Anvil(const Anvil&) = delete;
    Anvil& operator=(const Anvil&) = delete;

    [[nodiscard]] std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }
    [[nodiscard]] int port() const noexcept { return port_; }
    [[nodiscard]] bool running() const noexcept { return pid_ > 0; }

    void start() {
        if (pid_ > 0) return;
        std::vector<std::string> args = {CAUSALITY_ANVIL, "--host", "127.0.0.1", "--port", std::to_string(port_), "--silent"};
        args.insert(args.end(), extra_.begin(), extra_.end());
        pid_ = ::fork();
        if (pid_ < 0) throw std::runtime_error("fork failed");
        if (pid_ == 0) {
            const int devnull = ::open("/dev/null", O_RDWR);
            ::dup2(devnull, 1);
            ::dup2(devnull, 2);
            std::vector<char*> argv;
            for (auto& a : args) argv.push_back(a.data());
            argv.push_back(nullptr);
            ::execv(argv[0], argv.data());
            ::_exit(127);
        }
        causality::evm::RpcClient probe(url(), {std::chrono::milliseconds(1000), std::chrono::milliseconds(200)});
        const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(30);
        while (std::chrono::steady_clock::now() < until) {
            int status = 0;
            if (::waitpid(pid_, &status, WNOHANG) == pid_) {
                pid_ = -1;
                throw std::runtime_error("anvil exited while starting (" + std::string(CAUSALITY_ANVIL) + ")");
            }
            try {
                (void)probe.call("eth_chainId");
                // Answered: make sure it is our node, not another one on this port (ours would
                // have failed to bind and be exiting).
                std::this_thread::sleep_for(std::chrono::milliseconds(100));
                if (::waitpid(pid_, &status, WNOHANG) == pid_) {
                    pid_ = -1;
                    throw std::runtime_error("anvil could not take port " + std::to_string(port_) + " (another node answers there)");
                }
                return;
            } catch (const causality::evm::EvmError&) {
                std::this_thread::sleep_for(std::chrono::milliseconds(50));
            }
        }
        stop();
        throw std::runtime_error("anvil did not answer eth_chainId within 30 s");
    }
    void stop() {
        if (pid_ <= 0) return;
        ::kill(pid_, SIGTERM);
        const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(10);
        int status = 0;
        while (::waitpid(pid_, &status, WNOHANG) != pid_) {
            if (std::chrono::steady_clock::now() > until) {
                ::kill(pid_, SIGKILL);
                ::waitpid(pid_, &status, 0);
                break;
            }
            std::this_thread::sleep_for(std::chrono::milliseconds(20));
        }
        pid_ = -1;
    }
    void restart() {
        stop();
        start();
    }

private:
    int port_;
    std::vector<std::string> extra_;
    pid_t pid_ = -1;
};

}  // namespace evmtest
