// causality/evm/errors.hpp — the EVM client's one error type.
//
// EvmError is an xvm::XvmError (so that a coordinator retries what may succeed later and
// compensates the rest) whose evm_kind() says what went wrong on the EVM side:
//   transport           the node could not be reached or the connection broke  -> transient
//   timeout             no answer, or no receipt / finality, before the deadline -> timeout
//   rpc                 the node answered a JSON-RPC error (code(), the node's message) -> rejected
//   malformed_response  a reply that is not JSON-RPC 2.0 or not the shape asked for -> transient
//   reverted            the EVM reverted (reason(): Error(string), a Panic, a custom error) -> rejected
//   reorg               a block this step relied on left the chain, and the step could not
//                       be put back (its nonce was taken by another transaction) -> rejected
//   bad_input           a value that cannot be encoded (ABI, RLP, hex, an address) -> translation
//   key                 a private key that cannot be read or is not a valid scalar -> bad_config
// Messages name the method, the field or the value; never a private key.
#pragma once

#include <causality/xvm/errors.hpp>

#include <cstdint>
#include <string>
#include <string_view>

namespace causality::evm {

enum class EvmErrorKind : std::uint8_t { transport, timeout, rpc, malformed_response, reverted, reorg, bad_input, key };

constexpr std::string_view to_string(EvmErrorKind k) noexcept {
    switch (k) {
        case EvmErrorKind::transport: return "transport";
        case EvmErrorKind::timeout: return "timeout";
        case EvmErrorKind::rpc: return "rpc error";
        case EvmErrorKind::malformed_response: return "malformed response";
        case EvmErrorKind::reverted: return "reverted";
        case EvmErrorKind::reorg: return "reorg";
        case EvmErrorKind::bad_input: return "bad input";
        case EvmErrorKind::key: return "key";
    }
    return "?";
}

constexpr xvm::XvmErrorKind xvm_kind(EvmErrorKind k) noexcept {
    switch (k) {
        case EvmErrorKind::transport:
        case EvmErrorKind::malformed_response: return xvm::XvmErrorKind::transient;
        case EvmErrorKind::timeout: return xvm::XvmErrorKind::timeout;
        case EvmErrorKind::bad_input: return xvm::XvmErrorKind::translation;
        case EvmErrorKind::key: return xvm::XvmErrorKind::bad_config;
        case EvmErrorKind::rpc:
        case EvmErrorKind::reverted:
        case EvmErrorKind::reorg: return xvm::XvmErrorKind::rejected;
    }
    return xvm::XvmErrorKind::rejected;
}

class EvmError : public xvm::XvmError {
public:
    EvmError(EvmErrorKind kind, const std::string& what, std::int64_t code = 0, std::string reason = {}, std::string data = {})
        : xvm::XvmError(xvm_kind(kind), "evm " + std::string(to_string(kind)) + ": " + what),
          kind_(kind),
          code_(code),
          reason_(std::move(reason)),
          data_(std::move(data)) {}
    [[nodiscard]] EvmErrorKind evm_kind() const noexcept { return kind_; }
    // The JSON-RPC error code (rpc, reverted), else 0.
    [[nodiscard]] std::int64_t code() const noexcept { return code_; }
    // reverted: the decoded reason ("insufficient balance", "panic 0x12 (division by
    // zero)", "Insufficient(3, 5)"), or "" when the revert carried no data.
    [[nodiscard]] const std::string& reason() const noexcept { return reason_; }
    // reverted: the revert data as 0x hex; rpc: the error's data member, as JSON text.
    [[nodiscard]] const std::string& data() const noexcept { return data_; }

private:
    EvmErrorKind kind_;
    std::int64_t code_;
    std::string reason_, data_;
};

}  // namespace causality::evm
