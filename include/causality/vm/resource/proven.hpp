// causality/vm/resource/proven.hpp — proofs of resource operations and a ledger that
// accepts them: document 002's ZK interface over this zkVM.
//
//   auto p = prove_operation<SC>(vm, op, ledger.prepare(op.inputs, op.context));
//   ledger_apply_proof<SC>(ledger, vm, op.program, p);   // verify, then apply its effects
//
// prove_operation runs the operation under the prover (vm::prove) from the register file
// it is given and returns the proof's bytes with the openings of the resources it created
// (the statement shows only their commitments). verified_effects checks a proof against
// the program (its verifying key), the input root the caller expects, and the openings
// (each created resource's commitment is one the statement lists, and every listed
// commitment is opened once); the result is the Effects the ledger applies. A proof that
// does not verify is VmError(proof_rejected) with the verifier's reason; a run that cannot
// be proven (a fault, a non-zero exit, more outputs than the tables hold) is
// VmError(proof_generation) or the run's own error.
//
// The capabilities a proof states are the prover's token: the proof shows every operation
// was granted by one of them, not that they were issued. verified_effects does not know a
// registry; a verifier that does checks statement.resources->capabilities against it
// (CapabilityRegistry::validate at the statement's timestamp) or compares
// capability_root() with the token it issued. Ownership needs no such trust: a consume
// proves knowledge of the owner's nullifier key. Not shown either: that the prover holds
// the capabilities (nothing proves the holder's key) and that the stated timestamp is
// recent (the prover chooses it); a creation needs only a capability, so take proofs
// with creations only from provers you trust until both are proven (resource/README).
//
// The ledger learns a proven run's nullifiers, not which resources they spend (that is
// the point of nullifiers): a resource spent through a proof stays listed as live in the
// ledger's table, and its nullifier refuses every later spend (VmError(double_spend)).
#pragma once

#include <causality/error.hpp>
#include <causality/resource/errors.hpp>
#include <causality/resource/manager.hpp>
#include <causality/resource/registers.hpp>
#include <causality/vm/prove.hpp>
#include <causality/vm/resource/batch.hpp>
#include <causality/vm/resource/extension.hpp>
#include <causality/vm/resource/interfaces.hpp>

#include <cstdint>
#include <span>
#include <string>
#include <utility>
#include <vector>

namespace causality::resource {

// Proves `op` run from `file` (its inputs, input root and context; op.context replaces the
// file's). VmError(proof_generation) when the run cannot be proven, naming why; a guest
// fault is the run's VmError (vm_error_from).
template <class SC, class Vm>
OperationProof prove_operation(const Vm& vm, const Operation<typename Vm::field_type>& op, ResourceFile file,
                               vm::VmProveReport* report = nullptr, vm::VmProveOptions<SC> options = {}) {
    if (!op.memory_image.empty())
        throw VmError(VmErrorKind::proof_generation, op.name + ": an operation with a memory image cannot be proven "
                                                               "(the image is not part of the executable the verifier knows)");
    file.context() = op.context;
    if (op.memory) file.memory() = *op.memory;
    options.execution.resources = std::move(file);
    options.execution.max_cycles = op.max_cycles;
    ResourceOutputs outputs;
    options.resource_outputs = &outputs;
    vm::VmProof<SC> proof;
    try {
        proof = vm::prove<SC>(vm, op.program, op.input, std::move(options), report);
    } catch (const vm::GuestFault& f) {
        throw vm_error_from(f);
    } catch (const VmError&) {
        throw;
    } catch (const Error& e) {
        throw VmError(VmErrorKind::proof_generation, op.name + ": " + e.what());
    }
    if (!proof.statement.terminated || proof.statement.exit_code != 0)
        throw VmError(VmErrorKind::proof_generation,
                      op.name + ": the run " +
                          (proof.statement.terminated ? "exited with code " + std::to_string(proof.statement.exit_code)
                                                      : std::string("did not exit")) +
                          "; only successful operations are proven");
    return {op.name, proof.to_bytes(), std::move(outputs.created)};
}

// The effects a verified proof of `program` allows, given the openings of its created
// resources; `expected_root` is the input set the caller holds (the ledger's current root).
// A Batch's prover (Batch::prove_with) that proves each operation with configuration SC.
template <class SC, class Vm>
typename Batch<Vm>::Prover batch_prover(vm::VmProveOptions<SC> options = {}) {
    return [options](const Vm& vm, const Operation<typename Vm::field_type>& op, const ResourceFile& file) {
        return prove_operation<SC>(vm, op, file, nullptr, options);
    };
}

template <class SC, class Vm>
Effects verified_effects(const Vm& vm, const vm::Executable<typename Vm::field_type>& program, const OperationProof& p,
                         const Digest& expected_root) {
    vm::VmProof<SC> proof;
    try {
        proof = vm::VmProof<SC>::from_bytes(p.bytes);
    } catch (const Error& e) {
        throw VmError(VmErrorKind::proof_rejected, p.name + ": malformed proof: " + e.what());
    }
    const auto v = vm::verify<SC>(vm, program, proof);
    if (!v.ok()) throw VmError(VmErrorKind::proof_rejected, p.name + ": " + v.reason());
    const auto& s = proof.statement;
    if (!s.resources) throw VmError(VmErrorKind::proof_rejected, p.name + ": the proof states no resources");
    if (!s.terminated || s.exit_code != 0)
        throw VmError(VmErrorKind::proof_rejected, p.name + ": the proven run did not exit with code 0");
    if (s.resources->input_root != expected_root)
        throw VmError(VmErrorKind::proof_rejected, p.name + ": the proof is against input set " +
                                                       vm::digest_hex(s.resources->input_root).substr(0, 16) +
                                                       ", not the current " + vm::digest_hex(expected_root).substr(0, 16));
    if (p.created.size() != s.resources->commitments.size())
        throw VmError(VmErrorKind::proof_rejected, p.name + ": " + std::to_string(p.created.size()) + " openings for " +
                                                       std::to_string(s.resources->commitments.size()) + " commitments");
    for (std::size_t k = 0; k < p.created.size(); ++k)
        if (commitment(resource_id(p.created[k])) != s.resources->commitments[k])
            throw VmError(VmErrorKind::proof_rejected, p.name + ": opening " + std::to_string(k) + " (" +
                                                           resource_id(p.created[k]).hex().substr(0, 16) +
                                                           ") is not the resource of commitment " + std::to_string(k));
    return {s.resources->nullifiers, s.resources->commitments, p.created, {}};
}

// Verifies a proof against the ledger's current input set and applies its effects as one
// batch (VmError(double_spend) for a nullifier the ledger has seen: a proof applied twice,
// or two proofs spending one resource). Returns the batch number.
template <class SC, class Vm>
std::uint64_t ledger_apply_proof(ResourceManager& ledger, const Vm& vm, const vm::Executable<typename Vm::field_type>& program,
                                 const OperationProof& p) {
    const Effects e = verified_effects<SC>(vm, program, p, ledger.input_root());
    return ledger.apply(e, p.name);
}

// Document 002's ZK interface over this zkVM and a ledger (ZkInterface in interfaces.hpp):
// generate a proof of an operation against the ledger's current input set, verify one
// (the effects it allows), apply one. Proofs use configuration SC.
template <class Vm, class SC>
class ZkResourceVm {
public:
    using F = typename Vm::field_type;
    using operation_type = Operation<F>;
    static constexpr InterfaceVersion current{1, 0, 0};

    ZkResourceVm(ResourceManager& ledger, Vm vm = {}) : ledger_(&ledger), vm_(std::move(vm)) {}
    [[nodiscard]] InterfaceVersion version() const noexcept { return current; }

    // Proves `op` with its inputs loaded from the ledger (registers 0..) under its context.
    OperationProof generate_proof(const Operation<F>& op, vm::VmProveReport* report = nullptr) const {
        return prove_operation<SC>(vm_, op, ledger_->prepare(op.inputs, op.context, vm_.config().resource_registers), report);
    }
    // The effects a proof of `program` allows against the ledger's current input set;
    // VmError(proof_rejected) naming why not.
    [[nodiscard]] Effects verify_proof(const vm::Executable<F>& program, const OperationProof& p) const {
        return verified_effects<SC>(vm_, program, p, ledger_->input_root());
    }
    // Verifies, then applies the effects as one batch; returns the batch number.
    std::uint64_t apply_proof(const vm::Executable<F>& program, const OperationProof& p) {
        return ledger_apply_proof<SC>(*ledger_, vm_, program, p);
    }

private:
    ResourceManager* ledger_;
    Vm vm_;
};

}  // namespace causality::resource
