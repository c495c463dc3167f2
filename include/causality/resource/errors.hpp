// causality/resource/errors.hpp — the VM interfaces' one error family (document 002's
// categories): VmError is a causality::Error whose category() and kind() say what went
// wrong and whose message names the object and the place (a register, a capability id, a
// pc, an interface).
#pragma once

#include <causality/error.hpp>

#include <cstdint>
#include <string>
#include <string_view>

namespace causality::resource {

enum class VmErrorCategory : std::uint8_t { capability, memory, resource, execution, cross_domain, zk, lifecycle, debug };

enum class VmErrorKind : std::uint8_t {
    // capability
    insufficient_capabilities,  // no capability of the context grants the right
    capability_expired,
    capability_revoked,
    invalid_delegation,  // a child with rights or an expiry its parent does not have, or no delegate right
    unknown_capability,
    not_authorized,  // revoking or delegating as someone who may not
    // memory
    memory_access_violation,  // a segment read or written without the right, or outside it
    unknown_segment,
    out_of_memory,
    // resource
    resource_not_found,
    invalid_resource_state,  // consumed twice, read after consumption, created over a live register
    double_spend,            // a nullifier the store has seen before
    not_in_input_set,        // a consumed input whose path does not lead to the input root
    not_owner,               // a nullifier key whose owner is not the resource's
    // execution
    execution_failed,  // a guest fault or a non-zero exit
    timeout,
    // cross-domain
    domain_access,
    // zk
    proof_generation,
    proof_rejected,
    // lifecycle
    incompatible_interface,
    invalid_transition,
    unknown_instance,
    // debug
    debug_failed,
};

constexpr VmErrorCategory category_of(VmErrorKind k) noexcept {
    switch (k) {
        case VmErrorKind::insufficient_capabilities:
        case VmErrorKind::capability_expired:
        case VmErrorKind::capability_revoked:
        case VmErrorKind::invalid_delegation:
        case VmErrorKind::unknown_capability:
        case VmErrorKind::not_authorized: return VmErrorCategory::capability;
        case VmErrorKind::memory_access_violation:
        case VmErrorKind::unknown_segment:
        case VmErrorKind::out_of_memory: return VmErrorCategory::memory;
        case VmErrorKind::resource_not_found:
        case VmErrorKind::invalid_resource_state:
        case VmErrorKind::double_spend:
        case VmErrorKind::not_in_input_set:
        case VmErrorKind::not_owner: return VmErrorCategory::resource;
        case VmErrorKind::execution_failed:
        case VmErrorKind::timeout: return VmErrorCategory::execution;
        case VmErrorKind::domain_access: return VmErrorCategory::cross_domain;
        case VmErrorKind::proof_generation:
        case VmErrorKind::proof_rejected: return VmErrorCategory::zk;
        case VmErrorKind::incompatible_interface:
        case VmErrorKind::invalid_transition:
        case VmErrorKind::unknown_instance: return VmErrorCategory::lifecycle;
        case VmErrorKind::debug_failed: return VmErrorCategory::debug;
    }
    return VmErrorCategory::execution;
}

constexpr std::string_view to_string(VmErrorCategory c) noexcept {
    switch (c) {
        case VmErrorCategory::capability: return "capability";
        case VmErrorCategory::memory: return "memory";
        case VmErrorCategory::resource: return "resource";
        case VmErrorCategory::execution: return "execution";
        case VmErrorCategory::cross_domain: return "cross-domain";
        case VmErrorCategory::zk: return "zk";
        case VmErrorCategory::lifecycle: return "lifecycle";
        case VmErrorCategory::debug: return "debug";
    }
    return "?";
}
constexpr std::string_view to_string(VmErrorKind k) noexcept {
    switch (k) {
        case VmErrorKind::insufficient_capabilities: return "insufficient capabilities";
        case VmErrorKind::capability_expired: return "capability expired";
        case VmErrorKind::capability_revoked: return "capability revoked";
        case VmErrorKind::invalid_delegation: return "invalid delegation";
        case VmErrorKind::unknown_capability: return "unknown capability";
        case VmErrorKind::not_authorized: return "not authorized";
        case VmErrorKind::memory_access_violation: return "memory access violation";
        case VmErrorKind::unknown_segment: return "unknown segment";
        case VmErrorKind::out_of_memory: return "out of memory";
        case VmErrorKind::resource_not_found: return "resource not found";
        case VmErrorKind::invalid_resource_state: return "invalid resource state";
        case VmErrorKind::double_spend: return "double spend";
        case VmErrorKind::not_in_input_set: return "not in the input set";
        case VmErrorKind::not_owner: return "not the owner";
        case VmErrorKind::execution_failed: return "execution failed";
        case VmErrorKind::timeout: return "timeout";
        case VmErrorKind::domain_access: return "domain access";
        case VmErrorKind::proof_generation: return "proof generation";
        case VmErrorKind::proof_rejected: return "proof rejected";
        case VmErrorKind::incompatible_interface: return "incompatible interface";
        case VmErrorKind::invalid_transition: return "invalid lifecycle transition";
        case VmErrorKind::unknown_instance: return "unknown instance";
        case VmErrorKind::debug_failed: return "debug";
    }
    return "?";
}

namespace detail {
constexpr ErrorCode vm_error_code(VmErrorKind k) noexcept {
    switch (category_of(k)) {
        case VmErrorCategory::memory: return ErrorCode::out_of_range;
        case VmErrorCategory::zk: return k == VmErrorKind::proof_rejected ? ErrorCode::malformed_input : ErrorCode::invalid_argument;
        default: return ErrorCode::invalid_argument;
    }
}
}  // namespace detail

class VmError : public Error {
public:
    VmError(VmErrorKind kind, const std::string& what)
        : Error(detail::vm_error_code(kind),
                std::string(to_string(category_of(kind))) + " error: " + std::string(to_string(kind)) + ": " + what),
          kind_(kind) {}
    [[nodiscard]] VmErrorKind kind() const noexcept { return kind_; }
    [[nodiscard]] VmErrorCategory category() const noexcept { return category_of(kind_); }

private:
    VmErrorKind kind_;
};

}  // namespace causality::resource
