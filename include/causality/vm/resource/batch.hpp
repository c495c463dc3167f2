// causality/vm/resource/batch.hpp — batches of resource operations in one transaction
// context (document 003): each operation runs a program on the VM against the ledger as
// the batch has left it so far; commit applies every successful operation's effects
// (nullifiers, commitments, resources) to the ResourceManager in one SQLite transaction;
// rollback (or a batch that is dropped, or a process that dies) leaves the ledger exactly
// as before.
//
// Inside a batch, a resource created by an earlier operation can be consumed by a later
// one (its commitment is in the batch's pending input set, whose root the later run is
// given), and a resource consumed by an earlier one cannot be used again (VmError
// invalid_resource_state), nor can a nullifier be published twice (double_spend).
//
// The ledger may not change while a batch is open (commit refuses: roll back and run the
// batch again). Modes: fail_fast stops at the first failed operation and the batch can only be rolled
// back (commit refuses with VmError(execution_failed) naming the operation);
// commit_partial drops a failed operation's effects and goes on.
//
// Retries (document 004's error recovery): an operation with attempts > 1 whose run
// stops at its cycle budget is restored from the machine checkpoint taken before it
// started and run again with twice the budget; a fault is deterministic and not retried.
#pragma once

#include <causality/error.hpp>
#include <causality/resource/errors.hpp>
#include <causality/resource/manager.hpp>
#include <causality/resource/memory.hpp>
#include <causality/resource/registers.hpp>
#include <causality/vm/machine.hpp>
#include <causality/vm/resource/extension.hpp>

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <span>
#include <string>
#include <vector>

namespace causality::resource {

enum class BatchMode : std::uint8_t { fail_fast, commit_partial };

template <class F>
struct Operation {
    std::string name{};
    vm::Executable<F> program{};
    std::vector<std::uint8_t> input{};
    std::vector<ResourceId> inputs{};  // loaded into registers 0.. in this order
    ExecutionContext context{};
    std::uint64_t max_cycles = std::uint64_t{1} << 24;
    unsigned attempts = 1;
    // Resource-mapped memory the run starts with: its segments (enforced for resource
    // operations) and bytes written at their addresses before the run.
    std::optional<MemorySegments> memory{};
    std::map<std::uint32_t, std::vector<std::uint8_t>> memory_image{};
};

// A proof of one operation and what the ledger needs from the prover besides it
// (vm/resource/proven.hpp makes and checks them).
struct OperationProof {
    std::string name;
    std::vector<std::uint8_t> bytes;  // vm::VmProof bytes (vm/prove.hpp)
    std::vector<Resource> created;    // the resources whose commitments the proof publishes, in order
};

struct OperationOutcome {
    std::string name;
    bool ok = false;
    std::optional<VmError> error;
    std::uint32_t exit_code = 0;
    std::uint64_t cycles = 0;
    unsigned attempts = 0;
    ResourceOutputs outputs;
    std::vector<std::uint32_t> public_values;
    std::string output;
    std::optional<OperationProof> proof;  // with a prover (Batch::prove_with)
};

struct BatchResult {
    std::vector<OperationOutcome> operations;
    bool committed = false;
    std::uint64_t batch = 0;  // the ledger's batch number when committed
    [[nodiscard]] std::size_t succeeded() const noexcept {
        std::size_t n = 0;
        for (const auto& o : operations) n += o.ok ? 1 : 0;
        return n;
    }
};

template <class Vm>
class Batch {
public:
    using F = typename Vm::field_type;

    Batch(ResourceManager& ledger, BatchMode mode, std::string label = "batch", Vm vm = {})
        : ledger_(&ledger), mode_(mode), label_(std::move(label)), vm_(std::move(vm)),
          tree_(MerkleTree::overlay(ledger.tree())), base_leaves_(ledger.leaf_count()),
          base_batches_(ledger.batch_count()) {}

    [[nodiscard]] BatchMode mode() const noexcept { return mode_; }
    [[nodiscard]] bool open() const noexcept { return open_; }
    [[nodiscard]] const std::vector<OperationOutcome>& outcomes() const noexcept { return outcomes_; }
    // The input set as the batch has left it so far.
    [[nodiscard]] Digest pending_root() const { return tree_.root(); }

    // Proves every operation that succeeds from here on, from the register file it ran
    // with (vm/resource/proven.hpp's batch_prover); a failed proof fails the operation.
    using Prover = std::function<OperationProof(const Vm&, const Operation<F>&, const ResourceFile&)>;
    void prove_with(Prover p) { prover_ = std::move(p); }

    // Runs one operation in the batch's context; its outcome says whether it succeeded.
    // Error(invalid_argument) when the batch is closed or has failed in fail_fast mode.
    const OperationOutcome& execute(const Operation<F>& op) {
        if (!open_) throw Error(ErrorCode::invalid_argument, "batch '" + label_ + "' is closed");
        if (mode_ == BatchMode::fail_fast && failed_)
            throw Error(ErrorCode::invalid_argument, "batch '" + label_ + "' failed at operation '" + *failed_ +
                                                         "' (fail-fast): roll it back");
        OperationOutcome out;
        out.name = op.name;
        try {
            run(op, out);
            out.ok = true;
        } catch (const VmError& e) {
            out.error = e;
        } catch (const vm::GuestFault& f) {
            out.error = vm_error_from(f);
        } catch (const Error& e) {
            out.error = VmError(VmErrorKind::execution_failed, op.name + ": " + e.what());
        }
        if (!out.ok && !failed_) failed_ = op.name;
        outcomes_.push_back(std::move(out));
        return outcomes_.back();
    }

    // Applies the effects of every successful operation in one transaction.
    BatchResult commit() {
        if (!open_) throw Error(ErrorCode::invalid_argument, "batch '" + label_ + "' is closed");
        if (mode_ == BatchMode::fail_fast && failed_)
            throw VmError(VmErrorKind::execution_failed,
                          "batch '" + label_ + "' cannot commit: operation '" + *failed_ + "' failed (fail-fast)");
        if (ledger_->leaf_count() != base_leaves_ || ledger_->batch_count() != base_batches_)
            throw VmError(VmErrorKind::invalid_transition, "batch '" + label_ +
                                                               "' cannot commit: the ledger changed since it began (" +
                                                               std::to_string(ledger_->batch_count() - base_batches_) +
                                                               " batch(es) applied meanwhile); roll it back and run it again");
        BatchResult r;
        r.batch = effects_.empty() ? 0 : ledger_->apply(std::span<const Effects>(effects_), label_);
        r.committed = true;
        r.operations = std::move(outcomes_);
        open_ = false;
        return r;
    }
    // Drops the batch: the ledger is untouched.
    BatchResult rollback() {
        BatchResult r;
        r.operations = std::move(outcomes_);
        open_ = false;
        effects_.clear();
        return r;
    }

private:
    void run(const Operation<F>& op, OperationOutcome& out) {
        ResourceFile file(vm_.config().resource_registers);
        file.set_input_root(tree_.root(), tree_.depth());
        for (std::uint32_t k = 0; k < op.inputs.size(); ++k) {
            const ResourceId& id = op.inputs[k];
            if (consumed_.count(id) != 0)
                throw VmError(VmErrorKind::invalid_resource_state,
                              op.name + ": resource " + id.hex() + " was consumed by an earlier operation of the batch");
            if (const auto it = created_.find(id); it != created_.end()) {
                file.load_input(k, it->second.first, tree_.path(it->second.second));
                continue;
            }
            const StoredResource s = ledger_->require(id);
            if (s.state != LedgerState::live)
                throw VmError(VmErrorKind::invalid_resource_state, op.name + ": resource " + id.hex() +
                                                                       " was consumed in batch " +
                                                                       std::to_string(*s.consumed_batch));
            file.load_input(k, s.resource, tree_.path(s.leaf));
        }
        file.context() = op.context;
        if (op.memory) file.memory() = *op.memory;
        std::optional<ResourceFile> proven_from;
        if (prover_) proven_from = file;

        vm::Machine<Vm> m(vm_);
        m.initialize(op.program, op.input);
        for (const auto& [address, bytes] : op.memory_image) {
            file.memory().check(address, static_cast<std::uint32_t>(bytes.size()), MemoryRight::read);
            m.write_memory(address, bytes);
        }
        m.resources() = std::move(file);
        std::optional<typename vm::Machine<Vm>::Checkpoint> start;
        if (op.attempts > 1) start = m.checkpoint();  // only a retried operation needs one
        std::uint64_t budget = op.max_cycles;
        vm::RunResult rr{};
        for (unsigned attempt = 1;; ++attempt) {
            out.attempts = attempt;
            m.set_max_cycles(budget);
            rr = m.start();
            if (rr.reason != vm::StopReason::cycle_limit || attempt >= std::max(1u, op.attempts)) break;
            m.restore(*start);
            budget = budget > std::numeric_limits<std::uint64_t>::max() / 2 ? budget : budget * 2;
        }
        out.cycles = m.cycles();
        out.exit_code = m.exit_code();
        out.public_values = m.public_values();
        out.output = m.io().output;
        if (rr.reason == vm::StopReason::cycle_limit)
            throw VmError(VmErrorKind::timeout, op.name + ": stopped at its budget of " + std::to_string(budget) +
                                                    " cycles after " + std::to_string(out.attempts) + " attempt(s)");
        if (rr.reason != vm::StopReason::exited)
            throw VmError(VmErrorKind::execution_failed, op.name + ": stopped (" + std::string(vm::to_string(rr.reason)) +
                                                             ") at pc " + vm::hex32(rr.pc));
        if (m.exit_code() != 0)
            throw VmError(VmErrorKind::execution_failed, op.name + ": exited with code " + std::to_string(m.exit_code()));
        out.outputs = m.resources().outputs();
        if (prover_) {
            out.proof = prover_(vm_, op, *proven_from);
            if (out.proof->created != out.outputs.created)
                throw VmError(VmErrorKind::proof_generation, op.name + ": the proven run created other resources than the run");
        }

        // The effects against the ledger and the batch so far; then they join the batch.
        const Effects e = Effects::of(out.outputs);
        for (const auto& nf : e.nullifiers)
            if (nullifiers_.count(nf) != 0 || ledger_->nullified(nf))
                throw VmError(VmErrorKind::double_spend, op.name + ": nullifier " + vm::digest_hex(nf) + " was seen before");
        for (const auto& nf : e.nullifiers) nullifiers_.insert(nf);
        for (const auto& id : e.consumed) consumed_.insert(id);
        for (std::size_t k = 0; k < e.commitments.size(); ++k) {
            const std::uint64_t leaf = tree_.append(e.commitments[k]);
            created_.emplace(resource_id(e.created[k]), std::pair{e.created[k], leaf});
        }
        effects_.push_back(e);
    }

    ResourceManager* ledger_;
    BatchMode mode_;
    std::string label_;
    Vm vm_;
    MerkleTree tree_;  // the ledger's input set with this batch's commitments appended
    std::uint64_t base_leaves_, base_batches_;
    bool open_ = true;
    std::optional<std::string> failed_;
    std::vector<OperationOutcome> outcomes_;
    std::vector<Effects> effects_;
    std::set<Digest> nullifiers_;
    std::set<ResourceId> consumed_;
    std::map<ResourceId, std::pair<Resource, std::uint64_t>> created_;
    Prover prover_;
};

// Runs `ops` as one batch: fail_fast rolls everything back at the first failure;
// commit_partial commits the operations that succeeded.
template <class Vm>
BatchResult run_batch(ResourceManager& ledger, std::span<const Operation<typename Vm::field_type>> ops, BatchMode mode,
                      const std::string& label = "batch", const Vm& vm = {}) {
    Batch<Vm> b(ledger, mode, label, vm);
    for (const auto& op : ops) {
        if (!b.execute(op).ok && mode == BatchMode::fail_fast) return b.rollback();
    }
    return b.commit();
}

}  // namespace causality::resource
