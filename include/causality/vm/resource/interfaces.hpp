// causality/vm/resource/interfaces.hpp — document 002's VM interfaces as C++ concepts,
// each with an InterfaceVersion, and NativeResourceVm<Vm>: their implementation over this
// zkVM (ext::ResourceRegisters), the ResourceManager ledger and batches.
//
//   ResourceVmInterface          create / read / update / delete / transfer a resource
//   OperationInterface           execute one operation, a batch, verify one without effects
//   MemoryInterface              resource-mapped memory: allocate with rights, free, read, write
//   EffectInterface              register a handler per effect type, handle, validate
//   LifecycleInterface           initialize / start / stop / pause / resume / terminate instances
//   DebugInterface               breakpoints, step, continue, state, registers
//   ResourceManagementInterface  get / list resources, relationships and queries over them
//   ZkInterface                  generate / verify / apply a proof of an operation
//                                (ZkResourceVm in vm/resource/proven.hpp: it needs the prover)
//
// Versions follow 002's rule: an implementation of version (M, m, p) serves a client that
// requires (M', m', p') when M == M' and m >= m'. `require_compatible` refuses anything
// else with VmError(incompatible_interface) naming the interface and both versions.
//
// Every operation is checked against the ExecutionContext's capabilities: the resource
// operations by the VM itself (they run a resource program: rcreate / rconsume need their
// rights), reads and management queries by the token on the host (VmError
// insufficient_capabilities naming the right and the resource).
#pragma once

#include <causality/error.hpp>
#include <causality/interface_version.hpp>
#include <causality/resource/errors.hpp>
#include <causality/resource/manager.hpp>
#include <causality/resource/memory.hpp>
#include <causality/resource/registers.hpp>
#include <causality/vm/machine.hpp>
#include <causality/vm/resource/batch.hpp>

#include <array>
#include <concepts>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

namespace causality::resource {

using causality::InterfaceVersion;

inline void require_compatible(std::string_view interface, const InterfaceVersion& offered, const InterfaceVersion& required) {
    if (!offered.compatible_with(required))
        throw VmError(VmErrorKind::incompatible_interface,
                      std::string(interface) + " " + offered.text() + " cannot serve a client that requires " + required.text() +
                          (offered.major != required.major ? " (another major version)" : " (an older minor version)"));
}

// --- the concepts ---------------------------------------------------------------------

template <class T>
concept VersionedInterface = requires(const T& t) {
    { t.version() } -> std::same_as<InterfaceVersion>;
};

template <class T>
concept ResourceVmInterface = VersionedInterface<T> && requires(T& t, const Resource& r, const ResourceId& id,
                                                                const NullifierKey& key, const std::string& domain,
                                                                const ExecutionContext& c) {
    { t.create_resource(r, c) } -> std::same_as<ResourceId>;
    { t.read_resource(id, c) } -> std::same_as<std::optional<Resource>>;
    { t.update_resource(id, r, key, c) } -> std::same_as<ResourceId>;
    { t.delete_resource(id, key, c) } -> std::same_as<Digest>;            // the nullifier
    { t.transfer_resource(id, domain, key, c) } -> std::same_as<Digest>;  // the nullifier, the receipt
};

template <class T>
concept OperationInterface = VersionedInterface<T> && requires(T& t, const typename T::operation_type& op,
                                                               std::span<const typename T::operation_type> ops) {
    { t.execute_operation(op) } -> std::same_as<OperationOutcome>;
    { t.execute_batch(ops, BatchMode::fail_fast) } -> std::same_as<BatchResult>;
    { t.verify_operation(op) } -> std::same_as<OperationOutcome>;
};

// Proofs of operations (OperationProof: the proof's bytes and the created resources'
// openings) and the effects a verified one allows (VmError(proof_rejected) otherwise).
template <class T>
concept ZkInterface = VersionedInterface<T> && requires(T& t, const typename T::operation_type& op, const OperationProof& p) {
    { t.generate_proof(op) } -> std::same_as<OperationProof>;
    { t.verify_proof(op.program, p) } -> std::same_as<Effects>;
    { t.apply_proof(op.program, p) } -> std::same_as<std::uint64_t>;
};

template <class T>
concept MemoryInterface = VersionedInterface<T> && requires(T& t, std::uint32_t a, std::span<const std::uint8_t> bytes,
                                                            const ExecutionContext& c) {
    { t.allocate(a, MemoryRight::read, c) } -> std::same_as<std::uint32_t>;
    { t.free(a, c) };
    { t.read(a, a, c) } -> std::same_as<std::vector<std::uint8_t>>;
    { t.write(a, bytes, c) };
};

struct Effect {
    std::string type;
    std::map<std::string, std::string> parameters;
    std::vector<ResourceId> resources;
};
struct EffectResult {
    bool ok = false;
    std::string message;
    std::map<std::string, std::string> outputs;
};
using EffectHandler = std::function<EffectResult(const Effect&, const ExecutionContext&)>;
// A constraint an effect must satisfy: empty when it does, else why not.
struct EffectConstraint {
    std::string name;
    std::function<std::string(const Effect&, const ExecutionContext&)> check;
};

template <class T>
concept EffectInterface = VersionedInterface<T> && requires(T& t, const std::string& type, EffectHandler h, const Effect& e,
                                                            std::span<const EffectConstraint> cs, const ExecutionContext& c) {
    { t.register_effect_handler(type, h, c) };
    { t.handle_effect(e, c) } -> std::same_as<EffectResult>;
    { t.validate_effect(e, cs, c) } -> std::same_as<bool>;
};

using InstanceId = std::uint32_t;

template <class T>
concept LifecycleInterface = VersionedInterface<T> && requires(T& t, InstanceId id, const typename T::operation_type& op,
                                                               const ExecutionContext& c) {
    { t.initialize(op, c) } -> std::same_as<InstanceId>;
    { t.start(id, c) } -> std::same_as<vm::RunResult>;
    { t.stop(id, c) };
    { t.pause(id, c) };
    { t.resume(id, c) } -> std::same_as<vm::RunResult>;
    { t.terminate(id, c) };
};

struct DebugState {
    vm::MachineState state = vm::MachineState::created;
    vm::StopReason stop = vm::StopReason::paused;
    std::uint32_t pc = 0;
    std::uint64_t cycles = 0;
};

template <class T>
concept DebugInterface = VersionedInterface<T> && requires(T& t, InstanceId id, std::uint32_t pc, const ExecutionContext& c) {
    { t.set_breakpoint(id, pc, c) } -> std::same_as<std::uint32_t>;
    { t.remove_breakpoint(id, pc, c) };
    { t.step(id, c) } -> std::same_as<DebugState>;
    { t.continue_execution(id, c) } -> std::same_as<DebugState>;
    { t.get_state(id, c) } -> std::same_as<DebugState>;
    { t.get_registers(id, c) } -> std::same_as<std::array<std::uint32_t, 32>>;
};

enum class RelationshipDirection : std::uint8_t { outgoing, incoming };
struct Relationship {
    ResourceId from, to;
    std::string type;
    friend bool operator==(const Relationship&, const Relationship&) = default;
};

template <class T>
concept ResourceManagementInterface = VersionedInterface<T> && requires(T& t, const ResourceId& id, const ResourceQuery& q,
                                                                        const std::string& type, const ExecutionContext& c) {
    { t.get_resource_register(id, c) } -> std::same_as<std::optional<StoredResource>>;
    { t.list_resource_registers(q, c) } -> std::same_as<std::vector<StoredResource>>;
    { t.create_relationship(id, id, type, c) };
    { t.query_relationships(id, RelationshipDirection::outgoing, c) } -> std::same_as<std::vector<Relationship>>;
};

// --- the implementation over this VM -------------------------------------------------

// `resource_program` is guests/resources.c (its command stream drives the VM's resource
// operations); `Vm` has ext::ResourceRegisters.
template <class Vm>
class NativeResourceVm {
public:
    using F = typename Vm::field_type;
    using operation_type = Operation<F>;
    static constexpr InterfaceVersion current{1, 0, 0};

    NativeResourceVm(ResourceManager& ledger, vm::Executable<F> resource_program, Vm machine_config = {})
        : ledger_(&ledger), program_(std::move(resource_program)), vm_(std::move(machine_config)) {}

    [[nodiscard]] InterfaceVersion version() const noexcept { return current; }
    // Refuses (VmError incompatible_interface) a client that needs what this is not.
    void require(std::string_view interface, const InterfaceVersion& required) const {
        require_compatible(interface, current, required);
    }

    // --- resources (each a run of the resource program, committed as one batch) ---------
    ResourceId create_resource(const Resource& r, const ExecutionContext& c) {
        Commands k;
        k.create(0, r);
        commit(std::move(k).op("create_resource", {}, c));
        return resource_id(r);
    }
    std::optional<Resource> read_resource(const ResourceId& id, const ExecutionContext& c) const {
        const auto s = ledger_->get(id);
        if (!s) return std::nullopt;
        require_right(c, Right::read, *s, "read_resource");
        return s->resource;
    }
    // Consumes `id` (with its owner's key) and creates `next` in one run; returns next's id.
    ResourceId update_resource(const ResourceId& id, const Resource& next, const NullifierKey& key, const ExecutionContext& c) {
        Commands k;
        k.consume(0, key);
        k.create(1, next);
        commit(std::move(k).op("update_resource", {id}, c));
        return resource_id(next);
    }
    Digest delete_resource(const ResourceId& id, const NullifierKey& key, const ExecutionContext& c) {
        Commands k;
        k.consume(0, key);
        const auto r = commit(std::move(k).op("delete_resource", {id}, c));
        return r.operations.at(0).outputs.nullifiers.at(0);
    }
    // Consumes `id` here for `target_domain` (it can no longer be spent in this domain) and
    // records the export; the nullifier is the receipt the target domain checks. Needs the
    // transfer right (checked here) and the consume right (checked by the run).
    Digest transfer_resource(const ResourceId& id, const std::string& target_domain, const NullifierKey& key,
                             const ExecutionContext& c) {
        if (target_domain.empty() || target_domain == c.domain_id)
            throw VmError(VmErrorKind::domain_access, "transfer_resource of " + id.hex().substr(0, 16) + " to '" +
                                                          target_domain + "': not another domain");
        const StoredResource s = ledger_->require(id);
        require_right(c, Right::transfer, s, "transfer_resource");
        const Digest nf = delete_resource(id, key, c);
        ledger_->relate(id, id, "exported:" + target_domain);
        return nf;
    }

    // --- operations -----------------------------------------------------------------------
    // Operations without memory of their own start with this one's resource-mapped memory.
    OperationOutcome execute_operation(const Operation<F>& op) {
        const std::vector<Operation<F>> one{op};
        return execute_batch(std::span<const Operation<F>>(one), BatchMode::fail_fast).operations.at(0);
    }
    BatchResult execute_batch(std::span<const Operation<F>> ops, BatchMode mode) {
        std::vector<Operation<F>> all(ops.begin(), ops.end());
        for (auto& op : all) with_memory(op);
        return run_batch<Vm>(*ledger_, std::span<const Operation<F>>(all), mode, "batch", vm_);
    }
    // Runs the operation against the ledger and discards its effects.
    OperationOutcome verify_operation(const Operation<F>& op) {
        Batch<Vm> b(*ledger_, BatchMode::fail_fast, "verify", vm_);
        Operation<F> o = op;
        with_memory(o);
        OperationOutcome out = b.execute(o);
        (void)b.rollback();
        return out;
    }

    // --- memory: the resource-mapped memory every operation and instance starts with ---
    // (segments with rights, and the bytes the host wrote into them); what a run wrote is
    // read back from its instance with read(instance, ...).
    std::uint32_t allocate(std::uint32_t size, std::uint32_t rights, const ExecutionContext&) {
        return memory_.allocate(size, rights);
    }
    void free(std::uint32_t address, const ExecutionContext&) {
        memory_.free(address);
        image_.erase(address);
    }
    std::vector<std::uint8_t> read(std::uint32_t address, std::uint32_t length, const ExecutionContext&) const {
        memory_.check(address, length, MemoryRight::read);
        const MemorySegment* s = memory_.find(address, length);
        std::vector<std::uint8_t> out(length, 0);
        if (const auto it = image_.find(s->address); it != image_.end())
            std::copy_n(it->second.begin() + (address - s->address), length, out.begin());
        return out;
    }
    void write(std::uint32_t address, std::span<const std::uint8_t> bytes, const ExecutionContext&) {
        memory_.check(address, static_cast<std::uint32_t>(bytes.size()), MemoryRight::write);
        const MemorySegment* s = memory_.find(address, static_cast<std::uint32_t>(bytes.size()));
        auto& buf = image_[s->address];
        buf.resize(s->size, 0);
        std::copy(bytes.begin(), bytes.end(), buf.begin() + (address - s->address));
    }
    // An instance's view of a segment (after its run), checked like the host's read.
    std::vector<std::uint8_t> read(InstanceId id, std::uint32_t address, std::uint32_t length, const ExecutionContext&) {
        memory_.check(address, length, MemoryRight::read);
        return machine(id).read_memory(address, length);
    }
    [[nodiscard]] const MemorySegments& memory() const noexcept { return memory_; }

    // --- effects --------------------------------------------------------------------------
    void register_effect_handler(const std::string& type, EffectHandler handler, const ExecutionContext&) {
        if (type.empty() || !handler) throw VmError(VmErrorKind::invalid_transition, "register_effect_handler: empty type or handler");
        handlers_[type] = std::move(handler);
    }
    EffectResult handle_effect(const Effect& e, const ExecutionContext& c) {
        const auto it = handlers_.find(e.type);
        if (it == handlers_.end())
            throw VmError(VmErrorKind::execution_failed, "handle_effect: no handler for effect type '" + e.type + "'");
        return it->second(e, c);
    }
    bool validate_effect(const Effect& e, std::span<const EffectConstraint> constraints, const ExecutionContext& c) const {
        return effect_problems(e, constraints, c).empty();
    }
    // Each violated constraint as "name: why".
    [[nodiscard]] std::vector<std::string> effect_problems(const Effect& e, std::span<const EffectConstraint> constraints,
                                                           const ExecutionContext& c) const {
        std::vector<std::string> out;
        for (const auto& k : constraints)
            if (auto why = k.check(e, c); !why.empty()) out.push_back(k.name + ": " + why);
        return out;
    }
    // Built-in constraints.
    static EffectConstraint requires_parameter(std::string name) {
        return {"requires_parameter", [name](const Effect& e, const ExecutionContext&) {
                    return e.parameters.count(name) != 0 ? std::string() : "parameter '" + name + "' is missing";
                }};
    }
    static EffectConstraint in_domain(std::string domain) {
        return {"in_domain", [domain](const Effect&, const ExecutionContext& c) {
                    return c.domain_id == domain ? std::string() : "the context's domain is '" + c.domain_id + "', not '" + domain + "'";
                }};
    }
    // Every resource of the effect is live in the ledger and the context grants `right`.
    EffectConstraint requires_right(std::uint32_t right) const {
        return {"requires_right", [this, right](const Effect& e, const ExecutionContext& c) {
                    for (const auto& id : e.resources) {
                        const auto s = ledger_->get(id);
                        if (!s) return "resource " + id.hex().substr(0, 16) + " is unknown";
                        if (s->state != LedgerState::live) return "resource " + id.hex().substr(0, 16) + " is consumed";
                        if (c.capability_token.grant(right, id, s->resource.kind, {}, c.timestamp) == nullptr)
                            return "no capability grants " + rights_text(right) + " over " + id.hex().substr(0, 16);
                    }
                    return std::string();
                }};
    }

    // --- lifecycle and debugging: instances are machines running an operation -----------
    InstanceId initialize(const Operation<F>& op, const ExecutionContext&) {
        auto m = std::make_unique<vm::Machine<Vm>>(vm_);
        m->initialize(op.program, op.input);
        ResourceFile f = ledger_->prepare(op.inputs, op.context, vm_.config().resource_registers);
        f.memory() = op.memory ? *op.memory : memory_;
        for (const auto& [address, bytes] : op.memory ? op.memory_image : image_) m->write_memory(address, bytes);
        m->resources() = std::move(f);
        m->set_max_cycles(op.max_cycles);
        const InstanceId id = ++next_instance_;
        instances_.emplace(id, std::move(m));
        return id;
    }
    vm::RunResult start(InstanceId id, const ExecutionContext&) { return run_guarded(id, [](auto& m) { return m.start(); }); }
    void pause(InstanceId id, const ExecutionContext&) { machine(id).pause_after(1); }
    vm::RunResult resume(InstanceId id, const ExecutionContext&) {
        return run_guarded(id, [](auto& m) {
            m.pause_after(0);
            return m.resume();
        });
    }
    void stop(InstanceId id, const ExecutionContext&) { guarded([&] { machine(id).stop(); }); }
    void terminate(InstanceId id, const ExecutionContext&) {
        machine(id).terminate();
        instances_.erase(id);
    }
    std::uint32_t set_breakpoint(InstanceId id, std::uint32_t pc, const ExecutionContext&) {
        guarded([&] { machine(id).add_breakpoint(pc); });
        return pc;
    }
    void remove_breakpoint(InstanceId id, std::uint32_t pc, const ExecutionContext&) {
        guarded([&] { machine(id).remove_breakpoint(pc); });
    }
    DebugState step(InstanceId id, const ExecutionContext&) {
        const auto r = run_guarded(id, [](auto& m) { return m.step(); });
        return state_of(id, r.reason);
    }
    DebugState continue_execution(InstanceId id, const ExecutionContext&) {
        const auto r = run_guarded(id, [](auto& m) {
            m.pause_after(0);
            return m.state() == vm::MachineState::initialized ? m.start() : m.resume();
        });
        return state_of(id, r.reason);
    }
    DebugState get_state(InstanceId id, const ExecutionContext&) { return state_of(id, vm::StopReason::paused); }
    std::array<std::uint32_t, 32> get_registers(InstanceId id, const ExecutionContext&) { return machine(id).registers(); }
    [[nodiscard]] vm::Machine<Vm>& machine(InstanceId id) {
        const auto it = instances_.find(id);
        if (it == instances_.end()) throw VmError(VmErrorKind::unknown_instance, "no VM instance " + std::to_string(id));
        return *it->second;
    }

    // --- resource management --------------------------------------------------------------
    std::optional<StoredResource> get_resource_register(const ResourceId& id, const ExecutionContext& c) const {
        auto s = ledger_->get(id);
        if (s) require_right(c, Right::read, *s, "get_resource_register");
        return s;
    }
    // The resources matching `q` that the context may read.
    std::vector<StoredResource> list_resource_registers(const ResourceQuery& q, const ExecutionContext& c) const {
        std::vector<StoredResource> out;
        for (auto& s : ledger_->list(q))
            if (c.capability_token.grant(Right::read, s.id, s.resource.kind, {}, c.timestamp) != nullptr) out.push_back(std::move(s));
        return out;
    }
    void create_relationship(const ResourceId& from, const ResourceId& to, const std::string& type, const ExecutionContext& c) {
        require_right(c, Right::write, ledger_->require(from), "create_relationship");
        ledger_->relate(from, to, type);
    }
    std::vector<Relationship> query_relationships(const ResourceId& id, RelationshipDirection d, const ExecutionContext& c) const {
        require_right(c, Right::read, ledger_->require(id), "query_relationships");
        std::vector<Relationship> out;
        for (const auto& r : ledger_->relations(id, d == RelationshipDirection::outgoing)) out.push_back({r.from, r.to, r.type});
        return out;
    }

private:
    // A command stream of guests/resources.c.
    struct Commands {
        std::vector<std::uint8_t> bytes;
        void u32(std::uint32_t x) {
            for (int k = 0; k < 4; ++k) bytes.push_back(static_cast<std::uint8_t>(x >> (8 * k)));
        }
        void create(std::uint32_t reg, const Resource& r) {
            u32(3);
            u32(reg);
            for (auto w : r.words()) u32(w);
        }
        void consume(std::uint32_t reg, const NullifierKey& key) {
            u32(1);
            u32(reg);
            for (auto w : key) u32(w);
        }
        Operation<F> op(std::string name, std::vector<ResourceId> inputs, const ExecutionContext& c) && {
            Operation<F> o;
            o.name = std::move(name);
            o.input = std::move(bytes);
            o.inputs = std::move(inputs);
            o.context = c;
            return o;
        }
    };
    void with_memory(Operation<F>& op) const {
        if (op.memory) return;
        op.memory = memory_;
        op.memory_image = image_;
    }
    BatchResult commit(Operation<F> op) {
        op.program = program_;
        op.memory = MemorySegments{};  // the resource program's own buffers: no segments
        const std::vector<Operation<F>> one{std::move(op)};
        BatchResult r = execute_batch(std::span<const Operation<F>>(one), BatchMode::fail_fast);
        if (!r.committed) throw *r.operations.at(0).error;
        return r;
    }
    static void require_right(const ExecutionContext& c, std::uint32_t right, const StoredResource& s, const char* what) {
        if (c.capability_token.grant(right, s.id, s.resource.kind, {}, c.timestamp) == nullptr)
            throw VmError(VmErrorKind::insufficient_capabilities, std::string(what) + " of " + s.id.hex().substr(0, 16) +
                                                                      " needs the " + rights_text(right) +
                                                                      " right, which no capability of the context grants at " +
                                                                      std::to_string(c.timestamp));
    }
    template <class Fn>
    static void guarded(Fn&& fn) {
        try {
            fn();
        } catch (const VmError&) {
            throw;
        } catch (const Error& e) {
            throw VmError(VmErrorKind::invalid_transition, e.what());
        }
    }
    template <class Fn>
    vm::RunResult run_guarded(InstanceId id, Fn&& fn) {
        auto& m = machine(id);
        try {
            return fn(m);
        } catch (const vm::GuestFault& f) {
            throw vm_error_from(f);
        } catch (const VmError&) {
            throw;
        } catch (const Error& e) {
            throw VmError(VmErrorKind::invalid_transition, e.what());
        }
    }
    DebugState state_of(InstanceId id, vm::StopReason reason) {
        auto& m = machine(id);
        return {m.state(), reason, m.pc(), m.cycles()};
    }

    ResourceManager* ledger_;
    vm::Executable<F> program_;
    Vm vm_;
    MemorySegments memory_;
    std::map<std::uint32_t, std::vector<std::uint8_t>> image_;
    std::map<std::string, EffectHandler> handlers_;
    std::map<InstanceId, std::unique_ptr<vm::Machine<Vm>>> instances_;
    InstanceId next_instance_ = 0;
};

}  // namespace causality::resource
