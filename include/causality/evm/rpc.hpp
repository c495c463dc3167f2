// causality/evm/rpc.hpp — JSON-RPC 2.0 over HTTP, through libcurl.
//
// RpcClient(url, options).call(method, params) posts {"jsonrpc": "2.0", "id", "method",
// "params"} and returns the reply's result. Everything that can go wrong is an EvmError:
//   transport           connection refused or reset, an HTTP status other than 200, a
//                       reply larger than options.max_reply_bytes
//   timeout             no complete reply within options.timeout
//   malformed_response  not JSON, not an object, not "jsonrpc": "2.0", another id, neither
//                       or both of result and error, an error that is not {code, message}
//   rpc                 the node's error, with its code and message (and data, as JSON)
//   reverted            an error whose data is revert data (code 3, or a message saying
//                       "revert"), with the decoded reason (abi::describe_revert)
// One libcurl handle (and its kept-alive connection) per client, used under a mutex, so a
// client may be shared between threads; calls are serialised. The URL may carry a key
// (an API token): it is never quoted in errors, only the method and host are.
#pragma once

#include <causality/evm/abi.hpp>

#include <curl/curl.h>

#include <atomic>
#include <chrono>
#include <memory>
#include <mutex>
#include <string>

namespace causality::evm {

using xvm::Json;

struct RpcOptions {
    std::chrono::milliseconds timeout{10'000};         // whole request
    std::chrono::milliseconds connect_timeout{2'000};
    std::size_t max_reply_bytes = std::size_t{64} << 20;
};

namespace detail {
inline void curl_global() {
    static const bool done = [] {
        curl_global_init(CURL_GLOBAL_DEFAULT);
        return true;
    }();
    (void)done;
}
// scheme://host[:port] of a URL, without user info, path or query.
inline std::string url_host(const std::string& url) {
    const auto scheme = url.find("://");
    std::size_t start = scheme == std::string::npos ? 0 : scheme + 3;
    std::size_t end = url.find_first_of("/?#", start);
    std::string host = url.substr(start, end == std::string::npos ? std::string::npos : end - start);
    if (const auto at = host.rfind('@'); at != std::string::npos) host = host.substr(at + 1);
    return (scheme == std::string::npos ? "" : url.substr(0, scheme + 3)) + host;
}
}  // namespace detail

class RpcClient {
public:
    explicit RpcClient(std::string url, RpcOptions options = {})
        : url_(std::move(url)), host_(detail::url_host(url_)), options_(options) {
        detail::curl_global();
        curl_.reset(curl_easy_init());
        if (!curl_) throw EvmError(EvmErrorKind::transport, "cannot create a libcurl handle");
    }

    [[nodiscard]] const std::string& host() const noexcept { return host_; }
    [[nodiscard]] const RpcOptions& options() const noexcept { return options_; }
    void set_timeout(std::chrono::milliseconds t) {
        std::lock_guard lock(mutex_);
        options_.timeout = t;
    }

    Json call(const std::string& method, Json params = Json::array()) {
        std::lock_guard lock(mutex_);
        const std::uint64_t id = ++next_id_;
        const std::string body = Json{{"jsonrpc", "2.0"}, {"id", id}, {"method", method}, {"params", std::move(params)}}.dump();
        const std::string reply = post(method, body);
        Json r = Json::parse(reply, nullptr, false);
        const std::string where = method + " at " + host_;
        if (r.is_discarded()) throw EvmError(EvmErrorKind::malformed_response, where + ": the reply is not JSON (" + excerpt(reply) + ")");
        if (!r.is_object()) throw EvmError(EvmErrorKind::malformed_response, where + ": the reply is not a JSON object");
        if (!r.contains("jsonrpc") || r["jsonrpc"] != "2.0")
            throw EvmError(EvmErrorKind::malformed_response, where + ": the reply is not JSON-RPC 2.0");
        if (!r.contains("id") || !r["id"].is_number_unsigned() || r["id"].get<std::uint64_t>() != id)
            throw EvmError(EvmErrorKind::malformed_response, where + ": the reply answers another request id");
        const bool has_result = r.contains("result"), has_error = r.contains("error");
        if (has_result == has_error)
            throw EvmError(EvmErrorKind::malformed_response, where + ": the reply has " + (has_result ? "both a result and an error" : "neither a result nor an error"));
        if (has_result) return std::move(r["result"]);
        const Json& e = r["error"];
        if (!e.is_object() || !e.contains("code") || !e["code"].is_number_integer() || !e.contains("message") || !e["message"].is_string())
            throw EvmError(EvmErrorKind::malformed_response, where + ": the error is not {code, message}");
        const std::int64_t code = e["code"].get<std::int64_t>();
        const std::string message = e["message"].get<std::string>();
        const std::string data = e.contains("data") ? e["data"].dump() : std::string();
        if (code == 3 || lowercase(message).find("revert") != std::string::npos) {
            Bytes revert;
            if (e.contains("data") && e["data"].is_string()) {
                try {
                    revert = bytes_from_hex(e["data"].get<std::string>(), "revert data", EvmErrorKind::malformed_response);
                } catch (const EvmError&) {
                    revert.clear();
                }
            }
            std::string reason = abi::describe_revert(revert);
            if (reason.empty()) {  // a node that put the reason in the message only
                const auto colon = message.find(": ");
                if (colon != std::string::npos) reason = message.substr(colon + 2);
            }
            throw EvmError(EvmErrorKind::reverted, where + ": execution reverted" + (reason.empty() ? "" : ": " + reason), code, reason,
                           to_hex(revert));
        }
        throw EvmError(EvmErrorKind::rpc, where + ": " + message + " (code " + std::to_string(code) + ")", code, message, data);
    }

private:
    struct CurlDeleter {
        void operator()(CURL* c) const noexcept { curl_easy_cleanup(c); }
    };
    struct Sink {
        std::string* out;
        std::size_t limit;
        bool overflow = false;
    };
    static std::size_t write(char* p, std::size_t size, std::size_t n, void* user) {
        auto* s = static_cast<Sink*>(user);
        const std::size_t len = size * n;
        if (s->out->size() + len > s->limit) {
            s->overflow = true;
            return 0;  // libcurl aborts the transfer
        }
        s->out->append(p, len);
        return len;
    }
    static std::string excerpt(const std::string& s) {
        std::string e;
        for (const char c : s.substr(0, 60)) e += (c >= 32 && c < 127) ? c : '?';
        return e + (s.size() > 60 ? "..." : "");
    }
    std::string post(const std::string& method, const std::string& body) {
        CURL* c = curl_.get();
        std::string reply;
        Sink sink{&reply, options_.max_reply_bytes};
        curl_slist* headers = curl_slist_append(nullptr, "Content-Type: application/json");
        struct Free {
            curl_slist* h;
            ~Free() { curl_slist_free_all(h); }
        } free_headers{headers};
        curl_easy_reset(c);
        curl_easy_setopt(c, CURLOPT_URL, url_.c_str());
        curl_easy_setopt(c, CURLOPT_HTTPHEADER, headers);
        curl_easy_setopt(c, CURLOPT_POST, 1L);
        curl_easy_setopt(c, CURLOPT_POSTFIELDS, body.c_str());
        curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE, static_cast<long>(body.size()));
        curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, &RpcClient::write);
        curl_easy_setopt(c, CURLOPT_WRITEDATA, &sink);
        curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, static_cast<long>(options_.timeout.count()));
        curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(options_.connect_timeout.count()));
        curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
        curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
        const CURLcode rc = curl_easy_perform(c);
        const std::string where = method + " at " + host_;
        if (sink.overflow)
            throw EvmError(EvmErrorKind::transport, where + ": the reply is larger than " + std::to_string(options_.max_reply_bytes) + " bytes");
        if (rc == CURLE_OPERATION_TIMEDOUT)
            throw EvmError(EvmErrorKind::timeout, where + ": no reply within " + std::to_string(options_.timeout.count()) + " ms");
        if (rc != CURLE_OK) throw EvmError(EvmErrorKind::transport, where + ": " + curl_easy_strerror(rc));
        long status = 0;
        curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
        if (status != 200) throw EvmError(EvmErrorKind::transport, where + ": HTTP status " + std::to_string(status));
        return reply;
    }

    std::string url_, host_;
    RpcOptions options_;
    std::unique_ptr<CURL, CurlDeleter> curl_;
    std::mutex mutex_;
    std::uint64_t next_id_ = 0;
};

}  // namespace causality::evm
