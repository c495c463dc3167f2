// Resources end to end on the host: a ledger in SQLite, two notes minted to Alice, the
// note-transfer guest (examples/note_transfer.c) paying Bob 40 of their 42 in one batch,
// then the same spend again (refused: the notes are consumed), a spend with a key that is
// not the owner's, and one under a capability without the consume right; finally the
// change paid to Bob by proof: the spend proven (BabyBear-Poseidon2) and the ledger
// applying the verified proof's effects, a replay refused. With a directory DIR it also
// writes DIR/change.run and DIR/change.in, the run file and input with which
// `causality prove note_transfer.elf --resources DIR/change.run --input DIR/change.in`
// proves the same spend from the command line.
//   resource_ledger [note_transfer.elf] [ledger.db] [DIR]
#include <causality/resource.hpp>
#include <causality/resource/run_file.hpp>
#include <causality/stark/config.hpp>
#include <causality/vm/elf.hpp>
#include <causality/vm/hash/extension.hpp>
#include <causality/vm/rv32im/extension.hpp>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <string>
#include <vector>

using namespace causality;
using namespace causality::resource;
using F = field::BabyBear;
using Vm = vm::VmCore<F, vm::ext::Rv32im, vm::ext::Poseidon2Hash<F>, vm::ext::ResourceRegisters<F>>;

namespace {
Digest secret(std::uint32_t seed) {  // a key or a nonce, for the example
    Digest d{};
    for (std::uint32_t k = 0; k < 8; ++k) d[k] = seed * 2654435761u + 97 * k + 1;
    return d;
}
Resource note(std::uint32_t value, const Digest& owner, std::uint32_t nonce) {
    Resource r;
    r.kind = label("note");
    r.owner = owner;
    r.data[0] = value;
    r.data[1] = 1;  // the asset
    r.nonce = secret(nonce);
    return r;
}
void u32(std::vector<std::uint8_t>& v, std::uint32_t x) {
    for (int k = 0; k < 4; ++k) v.push_back(static_cast<std::uint8_t>(x >> (8 * k)));
}
void words(std::vector<std::uint8_t>& v, const Digest& d) {
    for (auto w : d) u32(v, w);
}
// The guest's input: the inputs' keys, then (owner, value, nonce) per output.
std::vector<std::uint8_t> spend(const Digest& key, std::size_t inputs, const std::vector<Resource>& outputs) {
    std::vector<std::uint8_t> in;
    u32(in, static_cast<std::uint32_t>(inputs));
    for (std::size_t k = 0; k < inputs; ++k) words(in, key);
    u32(in, static_cast<std::uint32_t>(outputs.size()));
    for (const auto& o : outputs) {
        words(in, o.owner);
        u32(in, o.data[0]);
        words(in, o.nonce);
    }
    return in;
}
std::string short_hex(const Digest& d) { return vm::digest_hex(d).substr(0, 16); }
void write_file(const std::string& path, const std::vector<std::uint8_t>& bytes) {
    std::ofstream out(path, std::ios::binary);
    out.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
    if (!out) throw Error(ErrorCode::invalid_argument, "cannot write " + path);
}
}  // namespace

int main(int argc, char** argv) {
    try {
        const std::string elf = argc > 1 ? argv[1] : CAUSALITY_NOTE_TRANSFER_ELF;
        const std::string db = argc > 2 ? argv[2] : (std::filesystem::temp_directory_path() / "causality-notes.db").string();
        for (const char* s : {"", "-wal", "-shm"}) std::filesystem::remove(db + s);
        const auto program = vm::load_elf<Vm>(vm::read_file(elf));

        const Digest alice_key = secret(1), bob = owner_of(secret(2));
        CapabilityRegistry registry;
        const Principal authority = secret(10), alice = secret(11);
        const CapabilityId notes = registry.issue({TargetKind::kind, label("note"), all_rights, 1000, authority, alice, {}});
        ExecutionContext ctx;
        ctx.timestamp = 100;
        ctx.capability_token = registry.token(alice, {notes}, 100);

        ResourceManager ledger(db);
        const auto ids = ledger.mint(std::vector{note(30, owner_of(alice_key), 1), note(12, owner_of(alice_key), 2)});
        std::cout << "minted 2 notes (30 + 12) to Alice; input root " << short_hex(ledger.input_root()) << "\n";

        const Operation<F> pay{"pay", program, spend(alice_key, 2, {note(40, bob, 3), note(2, owner_of(alice_key), 4)}), ids,
                               ctx};
        const auto r = run_batch<Vm>(ledger, std::span(&pay, 1), BatchMode::fail_fast);
        const auto& o = r.operations.at(0);
        std::cout << "pay: " << (r.committed ? "committed" : "rolled back") << " in batch " << r.batch << ", " << o.cycles
                  << " cycles; total " << o.public_values.at(0) << ", " << o.outputs.nullifiers.size() << " nullifiers, "
                  << o.outputs.commitments.size() << " commitments\n";
        std::cout << "ledger: " << ledger.resource_count() << " resources, " << ledger.nullifier_count()
                  << " nullifiers, root " << short_hex(ledger.input_root()) << "\n";

        const auto again = run_batch<Vm>(ledger, std::span(&pay, 1), BatchMode::fail_fast);
        std::cout << "pay again: " << again.operations.at(0).error->what() << "\n";

        const ResourceId change = resource_id(note(2, owner_of(alice_key), 4));
        const Operation<F> theft{"theft", program, spend(secret(99), 1, {note(2, bob, 5)}), {change}, ctx};
        std::cout << "theft: " << run_batch<Vm>(ledger, std::span(&theft, 1), BatchMode::fail_fast).operations.at(0).error->what()
                  << "\n";

        const CapabilityId look = registry.delegate(notes, alice, alice, Right::read | Right::create, 1000);
        ExecutionContext narrow = ctx;
        narrow.capability_token = registry.token(alice, {look}, 100);
        const Operation<F> limited{"limited", program, spend(alice_key, 1, {note(2, bob, 6)}), {change}, narrow};
        const auto l = run_batch<Vm>(ledger, std::span(&limited, 1), BatchMode::fail_fast);
        std::cout << "limited: " << l.operations.at(0).error->what() << "\n";
        std::cout << "ledger unchanged: " << ledger.nullifier_count() << " nullifiers\n";

        // The change paid to Bob by proof.
        const Operation<F> proven{"proven pay", program, spend(alice_key, 1, {note(2, bob, 7)}), {change}, ctx};
        if (argc > 3) {
            const std::string dir = argv[3];
            write_file(dir + "/change.run", encode_run_file(ledger.prepare(proven.inputs, proven.context)));
            write_file(dir + "/change.in", proven.input);
            std::cout << "wrote " << dir << "/change.run and change.in for `causality prove`\n";
        }
        ZkResourceVm<Vm, stark::BabyBearPoseidon2> zk(ledger);
        const auto t0 = std::chrono::steady_clock::now();
        const OperationProof p = zk.generate_proof(proven);
        const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
        std::cout << "proven pay: a proof of " << p.bytes.size() << " bytes in " << std::to_string(seconds).substr(0, 4)
                  << " s; 1 nullifier, " << p.created.size() << " commitment\n";
        const auto batch = zk.apply_proof(program, p);
        std::cout << "applied by proof in batch " << batch << "; ledger: " << ledger.nullifier_count() << " nullifiers\n";
        try {
            (void)zk.apply_proof(program, p);
        } catch (const VmError& e) {
            std::cout << "the proof again: " << e.what() << "\n";
        }
        return 0;
    } catch (const std::exception& e) {
        std::cerr << "resource_ledger: " << e.what() << "\n";
        return 1;
    }
}
