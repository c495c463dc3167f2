// causality/xvm/errors.hpp — the cross-VM layer's one error type.
//
// XvmError is a causality::Error whose kind() says what went wrong (an unknown domain, a
// plan with a cycle, a replayed message, ...) and whose message names the domain, step,
// field or channel. retryable() is true for the kinds a coordinator may try again (a
// transient failure of a domain, a timeout); every other failure of a step is final and
// starts compensation.
#pragma once

#include <causality/error.hpp>

#include <cstdint>
#include <string>
#include <string_view>

namespace causality::xvm {

enum class XvmErrorKind : std::uint8_t {
    bad_config,              // adapter or plan configuration that does not describe one
    unknown_vm_type,         // no factory for the configured VM type
    incompatible_interface,  // a configuration that requires an interface version the factory does not offer
    unknown_domain,          // no adapter for the domain
    unknown_operation,       // the domain does not offer the operation
    missing_capability,      // the adapter lacks a policy the call needs (compilation, proofs, cross-VM)
    translation,             // a value that does not fit the target format
    invalid_plan,            // a cycle, a missing or duplicate step, a reference to a step that is not a dependency
    validation_failed,       // an effect refused by validation
    rejected,                // the domain refused the operation (insufficient funds, ...): final
    transient,               // the domain could not act now; retrying may succeed
    timeout,                 // the step ran past its deadline
    replayed_message,        // a cross-domain message whose nonce was consumed before
    out_of_order_message,    // a nonce ahead of the channel's next one
    forged_message,          // a message whose authentication tag does not match its contents
    proof_rejected,          // a proof that does not verify, or states something else than required
    journal,                 // a journal that cannot be read or does not hold what is asked
};

constexpr std::string_view to_string(XvmErrorKind k) noexcept {
    switch (k) {
        case XvmErrorKind::bad_config: return "bad configuration";
        case XvmErrorKind::unknown_vm_type: return "unknown VM type";
        case XvmErrorKind::incompatible_interface: return "incompatible interface";
        case XvmErrorKind::unknown_domain: return "unknown domain";
        case XvmErrorKind::unknown_operation: return "unknown operation";
        case XvmErrorKind::missing_capability: return "missing adapter capability";
        case XvmErrorKind::translation: return "translation";
        case XvmErrorKind::invalid_plan: return "invalid plan";
        case XvmErrorKind::validation_failed: return "validation failed";
        case XvmErrorKind::rejected: return "rejected";
        case XvmErrorKind::transient: return "transient failure";
        case XvmErrorKind::timeout: return "timeout";
        case XvmErrorKind::replayed_message: return "replayed message";
        case XvmErrorKind::out_of_order_message: return "out-of-order message";
        case XvmErrorKind::forged_message: return "forged message";
        case XvmErrorKind::proof_rejected: return "proof rejected";
        case XvmErrorKind::journal: return "journal";
    }
    return "?";
}

namespace detail {
constexpr ErrorCode xvm_error_code(XvmErrorKind k) noexcept {
    switch (k) {
        case XvmErrorKind::translation: return ErrorCode::out_of_range;
        case XvmErrorKind::forged_message:
        case XvmErrorKind::proof_rejected: return ErrorCode::malformed_input;
        case XvmErrorKind::journal: return ErrorCode::corrupted_data;
        default: return ErrorCode::invalid_argument;
    }
}
}  // namespace detail

class XvmError : public Error {
public:
    XvmError(XvmErrorKind kind, const std::string& what)
        : Error(detail::xvm_error_code(kind), "xvm: " + std::string(to_string(kind)) + ": " + what), kind_(kind) {}
    [[nodiscard]] XvmErrorKind kind() const noexcept { return kind_; }
    [[nodiscard]] bool retryable() const noexcept {
        return kind_ == XvmErrorKind::transient || kind_ == XvmErrorKind::timeout;
    }

private:
    XvmErrorKind kind_;
};

}  // namespace causality::xvm
