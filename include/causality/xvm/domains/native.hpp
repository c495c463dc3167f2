// causality/xvm/domains/native.hpp — the native domain: this library's zkVM as a domain.
//
// NativeZkvmBackend<Vm, SC> runs programs (ELF files, known by name or by content id) in
// VmCore and, when asked, proves the run with the STARK configuration SC; the proof is the
// outcome's attachment. Its policies: Compilation (load an ELF, get its content id),
// ZkProofs (verify a proof of one of its programs: the verifier knows only the VM and the
// executable, so a proof of another program, a tampered proof or a proof stating other
// values is rejected), CrossVm (operation "verify": a message from another domain carrying
// a proof of a program this domain also knows is verified here before the step is done —
// a cross-domain proof).
//
// Operations:
//   run    {program, input_hex?, resources?: PATH, prove?: bool, max_cycles?}
//          -> {program_id, exit_code, terminated, cycles, public_values: [u32...], output}
//          With `resources` (a run file, resource/run_file.hpp: the register file a
//          resource transfer starts with) on a VM with ResourceRegisters, the outcome and
//          the verified statement also hold the run's "nullifiers" and "commitments" (and
//          the "input_root"), each as 64 hex digits (the digest's words as little-endian
//          bytes, vm::digest_hex).
//   verify (a message) {program} -> the verified statement
// A run that faults or does not exit is XvmError(rejected). Runs are recorded by
// idempotency key in the domain's own SQLite file (output and proof), so that a retried
// or recovered step returns the recorded run instead of proving again.
#pragma once

#include <causality/resource/run_file.hpp>
#include <causality/store/content.hpp>
#include <causality/store/sqlite.hpp>
#include <causality/vm/elf.hpp>
#include <causality/vm/prove.hpp>
#include <causality/xvm/broker.hpp>

#include <limits>
#include <map>
#include <memory>
#include <mutex>

namespace causality::xvm {

template <class Vm, class SC>
class NativeZkvmBackend {
public:
    using F = typename Vm::field_type;
    std::function<void(std::string_view point, const Operation&)> hook;  // before / after a run's record

    NativeZkvmBackend(Vm vm, const std::string& db_path) : vm_(std::make_unique<Vm>(std::move(vm))), db_(std::make_unique<store::SqliteDb>(db_path)) {
        db_->require_meta("schema", "causality-xvm-native 1", "native domain");
        db_->exec("CREATE TABLE IF NOT EXISTS runs(key TEXT PRIMARY KEY, output TEXT NOT NULL, proof BLOB NOT NULL)", "create the runs table");
    }
    NativeZkvmBackend(NativeZkvmBackend&&) noexcept = default;

    // Registers an ELF file's program under `name`; returns its content id.
    std::string add_program(const std::string& name, const std::string& path) {
        const auto bytes = vm::read_file(path);
        auto exe = vm::load_elf(*vm_, bytes);
        const std::string id = store::content_id(store::ContentKind::program, bytes).hex();
        std::lock_guard lock(*mutex_);
        programs_[id] = std::make_shared<const vm::Executable<F>>(std::move(exe));
        if (!name.empty()) names_[name] = id;
        return id;
    }

    [[nodiscard]] std::string vm_type() const { return "native-zkvm"; }
    [[nodiscard]] std::vector<std::string> operations() const { return {"run", "verify"}; }

    std::string compile(const Json& source) {
        if (!source.is_object() || !source.contains("elf") || !source["elf"].is_string())
            throw XvmError(XvmErrorKind::bad_config, "native: compile takes {\"elf\": PATH[, \"name\": NAME]}");
        try {
            return add_program(source.value("name", std::string()), source["elf"].get<std::string>());
        } catch (const XvmError&) {
            throw;
        } catch (const Error& e) {
            throw XvmError(XvmErrorKind::rejected, "native: cannot load " + source["elf"].get<std::string>() + ": " + e.what());
        }
    }

    Outcome execute(const Operation& op) {
        if (auto done = applied(op.idempotency_key)) return *done;
        if (op.name != "run") throw XvmError(XvmErrorKind::unknown_operation, "native: " + op.name + " comes as a message");
        if (Clock::now() > op.deadline) throw XvmError(XvmErrorKind::timeout, "native: run past its deadline");
        const auto& p = op.params;
        const auto [id, exe] = program(p.value("program", Json()));
        std::vector<std::uint8_t> input;
        if (p.contains("input_hex")) input = from_hex(p["input_hex"]);
        const bool prove = p.value("prove", false);
        std::uint64_t max_cycles = std::numeric_limits<std::uint64_t>::max();
        if (p.contains("max_cycles")) max_cycles = to_u64(p["max_cycles"], "native: max_cycles");
        Outcome o;
        bool exited = false;
        std::uint32_t exit_code = 0;
        std::uint64_t cycles = 0;
        std::vector<std::uint32_t> public_values;
        std::string output;
        Json resources_out;
        std::optional<resource::ResourceFile> resources;
        if (p.contains("resources")) {
            if (!p["resources"].is_string()) throw XvmError(XvmErrorKind::rejected, "native: 'resources' is the path of a run file");
            try {
                resources = resource::decode_run_file(vm::read_file(p["resources"].get<std::string>()));
            } catch (const Error& e) {
                throw XvmError(XvmErrorKind::rejected, "native: resources " + p["resources"].get<std::string>() + ": " + e.what());
            }
        }
        try {
            if (prove) {  // one run: the proven one (its statement, report and output)
                vm::VmProveOptions<SC> po;
                po.execution.max_cycles = max_cycles;
                po.execution.resources = resources;
                po.execution.sink = [&output](int fd, std::string_view bytes) {
                    if (fd == 1) output.append(bytes);
                };
                vm::VmProveReport report;
                const auto proof = vm::prove<SC>(*vm_, *exe, std::move(input), po, &report);
                o.attachment = proof.to_bytes();
                exited = proof.statement.terminated;
                exit_code = proof.statement.exit_code;
                cycles = report.cycles;
                public_values = proof.statement.public_values;
                if (proof.statement.resources) resources_out = resource_json(*proof.statement.resources);
            } else {
                vm::ExecutionOptions eo;
                eo.max_cycles = max_cycles;
                eo.resources = resources;
                auto r = vm_->execute(*exe, std::move(input), eo);
                if (resources) {
                    resources_out = Json{{"nullifiers", digests(r.resources.nullifiers)},
                                         {"commitments", digests(r.resources.commitments)},
                                         {"input_root", vm::digest_hex(resources->input_root())}};
                }
                exited = r.reason == vm::StopReason::exited;
                exit_code = r.exit_code;
                cycles = r.cycles;
                public_values = std::move(r.public_values);
                output = std::move(r.output);
            }
        } catch (const XvmError&) {
            throw;
        } catch (const Error& e) {
            throw XvmError(XvmErrorKind::rejected, "native: the run of " + id + " failed: " + e.what());
        }
        if (!exited) throw XvmError(XvmErrorKind::rejected, "native: the run of " + id + " did not exit (" + std::to_string(cycles) + " cycles)");
        o.output = {{"program_id", id},
                    {"exit_code", exit_code},
                    {"terminated", true},
                    {"cycles", cycles},
                    {"public_values", public_values},
                    {"output", output}};
        if (resources_out.is_object()) o.output.update(resources_out);
        record(op, o);
        return o;
    }

    Outcome receive(const Message& m, const Operation& op, CrossVmBroker&) {
        if (auto done = applied(op.idempotency_key)) return *done;
        if (op.name != "verify") throw XvmError(XvmErrorKind::unknown_operation, "native: a message can only be verified, not " + op.name);
        const Json& prog = op.params.contains("program") ? op.params["program"] : Json();
        const auto [id, exe] = program(prog);
        Outcome o;
        o.output = verify_proof(id, m.attachment);
        o.output["verified_from"] = m.source;
        record(op, o);
        return o;
    }

    Json verify_proof(const std::string& program_ref, std::span<const std::uint8_t> proof) {
        const auto [id, exe] = program(Json(program_ref));
        const auto v = vm::verify<SC>(*vm_, *exe, proof);
        if (!v) throw XvmError(XvmErrorKind::proof_rejected, "native: the proof of " + id + " does not verify: " + v.reason());
        const auto& s = *v.statement;
        Json out = {{"program_id", id}, {"exit_code", s.exit_code}, {"terminated", s.terminated}, {"public_values", s.public_values}};
        if (s.resources) out.update(resource_json(*s.resources));
        return out;
    }

    std::optional<Outcome> applied(const std::string& key) {
        if (key.empty()) return std::nullopt;
        std::lock_guard lock(*mutex_);
        auto q = db_->prepare("SELECT output, proof FROM runs WHERE key = ?", "read a run");
        q.text(1, key);
        if (!q.row()) return std::nullopt;
        Outcome o;
        o.output = Json::parse(q.column_text(0));
        o.attachment = q.column_blob(1);
        return o;
    }

    Json query(const Json& request) {
        std::lock_guard lock(*mutex_);
        if (request.is_object() && request.contains("programs")) {
            Json out = Json::object();
            for (const auto& [name, id] : names_) out[name] = id;
            return out;
        }
        if (request.is_object() && request.contains("runs")) {
            auto q = db_->prepare("SELECT COUNT(*) FROM runs", "count runs");
            (void)q.row();
            return q.column_int(0);
        }
        throw XvmError(XvmErrorKind::bad_config, "native: unknown query " + detail::shown(request));
    }

private:
    static Json digests(const std::vector<resource::Digest>& ds) {
        Json a = Json::array();
        for (const auto& d : ds) a.push_back(vm::digest_hex(d));
        return a;
    }
    static Json resource_json(const vm::ResourceStatement& r) {
        return Json{{"nullifiers", digests(r.nullifiers)}, {"commitments", digests(r.commitments)}, {"input_root", vm::digest_hex(r.input_root)}};
    }
    std::pair<std::string, std::shared_ptr<const vm::Executable<F>>> program(const Json& ref) {
        if (!ref.is_string()) throw XvmError(XvmErrorKind::rejected, "native: 'program' names a program (a name or a content id)");
        std::string id = ref.get<std::string>();
        std::lock_guard lock(*mutex_);
        if (const auto n = names_.find(id); n != names_.end()) id = n->second;
        const auto it = programs_.find(id);
        if (it == programs_.end()) throw XvmError(XvmErrorKind::rejected, "native: no program '" + ref.get<std::string>() + "' in this domain");
        return {id, it->second};
    }
    static std::vector<std::uint8_t> from_hex(const Json& v) {
        if (!v.is_string() || v.get_ref<const std::string&>().size() % 2)
            throw XvmError(XvmErrorKind::rejected, "native: input_hex is a string of hex byte pairs");
        const auto& s = v.get_ref<const std::string&>();
        std::vector<std::uint8_t> out;
        for (std::size_t i = 0; i < s.size(); i += 2) {
            const int hi = detail::hex_digit(s[i]), lo = detail::hex_digit(s[i + 1]);
            if (hi < 0 || lo < 0) throw XvmError(XvmErrorKind::rejected, "native: input_hex is not hex");
            out.push_back(static_cast<std::uint8_t>(hi * 16 + lo));
        }
        return out;
    }
    void record(const Operation& op, const Outcome& o) {
        if (op.idempotency_key.empty()) return;
        if (hook) hook("before record", op);
        {
            std::lock_guard lock(*mutex_);
            db_->prepare("INSERT OR IGNORE INTO runs(key, output, proof) VALUES(?, ?, ?)", "record a run")
                .text(1, op.idempotency_key)
                .text(2, o.output.dump())
                .blob(3, o.attachment)
                .run();
        }
        if (hook) hook("after record", op);
    }

    std::unique_ptr<Vm> vm_;
    std::unique_ptr<store::SqliteDb> db_;
    std::unique_ptr<std::mutex> mutex_ = std::make_unique<std::mutex>();
    std::map<std::string, std::shared_ptr<const vm::Executable<F>>> programs_;
    std::map<std::string, std::string> names_;
};

template <class Vm, class SC>
using NativeAdapter = DomainAdapter<NativeZkvmBackend<Vm, SC>, Compilation, ZkProofs, CrossVm>;

// Registers the factory of VM type "native-zkvm" (interface 1.0): {"domain", "db"
// (default ":memory:"), "programs": {"name": "PATH.elf", ...}}.
template <class Vm, class SC>
void register_native(DomainAdapterRegistry& registry, Vm vm = {}) {
    registry.add("native-zkvm", InterfaceVersion{1, 0, 0}, [vm](const Json& c) -> std::unique_ptr<Adapter> {
        const std::string domain = DomainAdapterRegistry::string_field(c, "domain", "");
        std::string db = ":memory:";
        if (c.contains("db")) db = DomainAdapterRegistry::string_field(c, "db", domain);
        NativeZkvmBackend<Vm, SC> backend(vm, db);
        if (c.contains("programs")) {
            if (!c["programs"].is_object()) throw XvmError(XvmErrorKind::bad_config, "domain '" + domain + "': 'programs' maps names to ELF paths");
            for (const auto& item : c["programs"].items()) {
                const std::string name = item.key();
                const Json& path = item.value();
                if (!path.is_string()) throw XvmError(XvmErrorKind::bad_config, "domain '" + domain + "': program '" + name + "' needs a path");
                try {
                    backend.add_program(name, path.template get<std::string>());
                } catch (const Error& e) {
                    throw XvmError(XvmErrorKind::bad_config, "domain '" + domain + "': program '" + name + "': " + e.what());
                }
            }
        }
        return std::make_unique<NativeAdapter<Vm, SC>>(domain, std::move(backend));
    });
}

}  // namespace causality::xvm
