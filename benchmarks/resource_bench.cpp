// Resources: the note-transfer guest executed (2 notes in, 2 out: two consumes, two
// creates, four capability checks, two Merkle paths of depth 20 checked), the ledger's
// apply (one SQLite transaction with fsync per call), batches of transfers committed at
// once, machine checkpoints, and the input set's Merkle tree.
#include <causality/resource.hpp>
#include <causality/stark/config.hpp>
#include <causality/vm/elf.hpp>
#include <causality/vm/hash/extension.hpp>
#include <causality/vm/rv32im/extension.hpp>

#include <benchmark/benchmark.h>

#include <filesystem>
#include <string>
#include <unistd.h>
#include <vector>

using namespace causality;
using namespace causality::resource;
using F = field::BabyBear;
using RVm = vm::VmCore<F, vm::ext::Rv32im, vm::ext::Poseidon2Hash<F>, vm::ext::ResourceRegisters<F>>;

namespace {

Digest digest_of(std::uint32_t seed) {
    Digest d{};
    for (std::uint32_t k = 0; k < 8; ++k) d[k] = seed * 2654435761u + 31 * k + 7;
    return d;
}
const NullifierKey key = digest_of(1);
Resource note(std::uint32_t value, std::uint32_t seed) {
    Resource r;
    r.kind = label("note");
    r.owner = owner_of(key);
    r.data[0] = value;
    r.data[1] = 1;
    r.nonce = digest_of(seed);
    return r;
}
void put_u32(std::vector<std::uint8_t>& v, std::uint32_t x) {
    for (int k = 0; k < 4; ++k) v.push_back(static_cast<std::uint8_t>(x >> (8 * k)));
}
void put_digest(std::vector<std::uint8_t>& v, const Digest& d) {
    for (auto w : d) put_u32(v, w);
}
const vm::Executable<F>& note_transfer() {
    static const auto exe = vm::load_elf<RVm>(vm::read_file(std::string(CAUSALITY_GUEST_DIR) + "/note_transfer.elf"));
    return exe;
}
struct Authority {
    CapabilityRegistry registry;
    Principal alice = digest_of(901);
    CapabilityId notes;
    Authority() { notes = registry.issue({TargetKind::kind, label("note"), all_rights, 1u << 30, digest_of(900), alice, {}}); }
    ExecutionContext context() const {
        ExecutionContext c;
        c.timestamp = 10;
        c.capability_token = registry.token(alice, {notes}, 10);
        return c;
    }
};
// Spend two notes of value a, b into two of a + b - 1 and 1.
std::vector<std::uint8_t> transfer_input(std::uint32_t total, std::uint32_t seed) {
    std::vector<std::uint8_t> in;
    put_u32(in, 2);
    put_digest(in, key);
    put_digest(in, key);
    put_u32(in, 2);
    put_digest(in, owner_of(key));
    put_u32(in, total - 1);
    put_digest(in, digest_of(seed));
    put_digest(in, owner_of(key));
    put_u32(in, 1);
    put_digest(in, digest_of(seed + 1));
    return in;
}
// Two notes (30 and 12) in registers 0 and 1, from a depth-20 input set, under `a`'s token.
ResourceFile two_notes(const Authority& a) {
    MerkleTree set(20);
    const Resource n0 = note(30, 10), n1 = note(12, 11);
    set.append(commitment(resource_id(n0)));
    set.append(commitment(resource_id(n1)));
    ResourceFile file(32);
    file.set_input_root(set.root(), 20);
    file.load_input(0, n0, set.path(0));
    file.load_input(1, n1, set.path(1));
    file.context() = a.context();
    return file;
}
// N chained transfers in `b` (each spends the previous one's outputs: value 41 and 1,
// asset 1), from `inputs`; false when one fails.
bool chain(Batch<RVm>& b, const Authority& a, std::vector<ResourceId> inputs, std::uint32_t n, std::uint32_t seeds) {
    for (std::uint32_t k = 0; k < n; ++k) {
        Operation<F> op;
        op.name = "transfer";
        op.program = note_transfer();
        op.inputs = inputs;
        op.context = a.context();
        const std::uint32_t seed = seeds + 2 * k;
        op.input = transfer_input(42, seed);
        if (!b.execute(op).ok) return false;
        inputs = {resource_id(note(41, seed)), resource_id(note(1, seed + 1))};
    }
    return true;
}
std::string temp_db(const std::string& name) {
    const auto dir = std::filesystem::temp_directory_path() / ("causality-bench-" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir);
    const auto p = (dir / name).string();
    for (const char* s : {"", "-wal", "-shm"}) std::filesystem::remove(p + s);
    return p;
}

}  // namespace

// One execution of the note transfer (registers loaded from a depth-20 input set).
static void BM_note_transfer_execute(benchmark::State& state) {
    const Authority a;
    const ResourceFile file = two_notes(a);
    const auto in = transfer_input(42, 50);
    const RVm vm;
    std::uint64_t cycles = 0;
    for (auto _ : state) {
        vm::ExecutionOptions o;
        o.resources = file;
        const auto r = vm.execute(note_transfer(), in, std::move(o));
        if (r.exit_code != 0) state.SkipWithError("the transfer failed");
        cycles = r.cycles;
        benchmark::DoNotOptimize(r.resources.nullifiers.data());
    }
    state.counters["transfers/s"] = benchmark::Counter(static_cast<double>(state.iterations()), benchmark::Counter::kIsRate);
    state.counters["cycles"] = static_cast<double>(cycles);
}
BENCHMARK(BM_note_transfer_execute)->Unit(benchmark::kMicrosecond);

// The ledger applying one run's effects (2 nullifiers, 2 commitments and resources) in
// its own transaction: bounded by the fsyncs of a synchronous-FULL WAL commit.
static void BM_ledger_apply(benchmark::State& state) {
    ResourceManager m(temp_db("apply.db"), 20);
    std::uint32_t i = 0;
    for (auto _ : state) {
        Effects e;
        e.nullifiers = {digest_of(100000 + 2 * i), digest_of(100001 + 2 * i)};
        e.created = {note(i, 200000 + 2 * i), note(1, 200001 + 2 * i)};
        for (const auto& r : e.created) e.commitments.push_back(commitment(resource_id(r)));
        m.apply(e);
        ++i;
    }
    state.counters["applies/s"] = benchmark::Counter(static_cast<double>(state.iterations()), benchmark::Counter::kIsRate);
}
BENCHMARK(BM_ledger_apply)->Unit(benchmark::kMicrosecond);

// A batch of N chained transfers (each spends the previous one's outputs) executed and
// committed in one transaction.
static void BM_batch_commit(benchmark::State& state) {
    const Authority a;
    const auto n = static_cast<std::uint32_t>(state.range(0));
    std::uint32_t round = 0;
    for (auto _ : state) {
        state.PauseTiming();
        ResourceManager m(temp_db("batch-" + std::to_string(round) + ".db"), 20);
        const auto ids = m.mint(std::vector<Resource>{note(30, 10 + 100000 * round), note(12, 11 + 100000 * round)});
        state.ResumeTiming();
        Batch<RVm> b(m, BatchMode::fail_fast);
        if (!chain(b, a, ids, n, 5000 + 100000 * round)) state.SkipWithError("a transfer failed");
        benchmark::DoNotOptimize(b.commit().batch);
        ++round;
    }
    state.counters["transfers/s"] =
        benchmark::Counter(static_cast<double>(state.iterations() * n), benchmark::Counter::kIsRate);
}
BENCHMARK(BM_batch_commit)->Arg(1)->Arg(16)->Arg(1000)->Unit(benchmark::kMillisecond);

// A checkpoint of a machine paused mid-run (registers, resources, the non-zero pages of
// its 2^29-byte memory, scanned in full) and its restore.
static void BM_checkpoint(benchmark::State& state) {
    const Authority a;
    vm::Machine<RVm> m;
    m.initialize(note_transfer(), transfer_input(42, 50));
    MerkleTree set(20);
    set.append(commitment(resource_id(note(30, 10))));
    set.append(commitment(resource_id(note(12, 11))));
    ResourceFile file(32);
    file.set_input_root(set.root(), 20);
    file.load_input(0, note(30, 10), set.path(0));
    file.load_input(1, note(12, 11), set.path(1));
    file.context() = a.context();
    m.resources() = file;
    m.pause_after(500);
    (void)m.start();
    std::size_t bytes = 0;
    for (auto _ : state) {
        const auto c = m.checkpoint();
        m.restore(c);
        bytes = c.memory_bytes();
    }
    state.counters["checkpoint_bytes"] = static_cast<double>(bytes);
}
BENCHMARK(BM_checkpoint)->Unit(benchmark::kMillisecond);

// The input set: appends to a depth-20 tree, and a path.
static void BM_merkle_append(benchmark::State& state) {
    MerkleTree t(20);
    std::uint32_t i = 0;
    for (auto _ : state) {
        if (t.size() == t.capacity()) t = MerkleTree(20);
        benchmark::DoNotOptimize(t.append(digest_of(i++)));
    }
    state.counters["appends/s"] = benchmark::Counter(static_cast<double>(state.iterations()), benchmark::Counter::kIsRate);
}
BENCHMARK(BM_merkle_append)->Unit(benchmark::kMicrosecond);

// The note transfer proven (BabyBear-Poseidon2, the CLI's configuration): 2 consumes and 2
// creates (and 2 reads) per proof, against a depth-20 input set. Counters: the proof's
// bytes, its main-trace cells and those of the resource chips.
static void BM_note_transfer_prove(benchmark::State& state) {
    using SC = stark::BabyBearPoseidon2;
    const Authority a;
    const ResourceFile file = two_notes(a);
    const auto in = transfer_input(42, 50);
    const RVm vm;
    std::size_t bytes = 0, cells = 0, resource_cells = 0;
    for (auto _ : state) {
        vm::VmProveOptions<SC> o;
        o.execution.resources = file;
        vm::VmProveReport report;
        const auto proof = vm::prove<SC>(vm, note_transfer(), in, std::move(o), &report);
        bytes = proof.to_bytes().size();
        cells = report.cells;
        resource_cells = 0;
        for (const auto& air : report.airs)
            if (air.name.rfind("resource_", 0) == 0 || air.name == "merkle_path") resource_cells += air.rows * air.width;
        benchmark::DoNotOptimize(bytes);
    }
    state.counters["transfers/s"] = benchmark::Counter(static_cast<double>(state.iterations()), benchmark::Counter::kIsRate);
    state.counters["proof_bytes"] = static_cast<double>(bytes);
    state.counters["cells"] = static_cast<double>(cells);
    state.counters["resource_cells"] = static_cast<double>(resource_cells);
}
BENCHMARK(BM_note_transfer_prove)->Unit(benchmark::kMillisecond)->Iterations(3);

// A batch of N chained transfers executed, each proven (BabyBear-Poseidon2), and committed.
static void BM_batch_commit_proven(benchmark::State& state) {
    using SC = stark::BabyBearPoseidon2;
    const Authority a;
    const auto n = static_cast<std::uint32_t>(state.range(0));
    std::uint32_t round = 0;
    std::size_t proof_bytes = 0;
    for (auto _ : state) {
        state.PauseTiming();
        ResourceManager m(temp_db("proven-" + std::to_string(round) + ".db"), 20);
        const auto ids = m.mint(std::vector<Resource>{note(30, 10 + 100000 * round), note(12, 11 + 100000 * round)});
        state.ResumeTiming();
        Batch<RVm> b(m, BatchMode::fail_fast);
        b.prove_with(batch_prover<SC, RVm>());
        if (!chain(b, a, ids, n, 5000 + 100000 * round)) state.SkipWithError("a transfer failed");
        proof_bytes = 0;
        for (const auto& o : b.outcomes()) proof_bytes += o.proof->bytes.size();
        benchmark::DoNotOptimize(b.commit().batch);
        ++round;
    }
    state.counters["transfers/s"] =
        benchmark::Counter(static_cast<double>(state.iterations() * n), benchmark::Counter::kIsRate);
    state.counters["proof_bytes_per_op"] = static_cast<double>(proof_bytes) / n;
}
BENCHMARK(BM_batch_commit_proven)->Arg(16)->Arg(1000)->Unit(benchmark::kMillisecond)->Iterations(1);
