// The EVM client and domain against anvil on loopback (started by the benchmark, automine):
// RPC round trips, the client's CPU work (signing, RLP, ABI), transactions sent and
// confirmed per second (one at a time, and pipelined: all sent, then all waited for), an
// EVM step through the domain (its SQLite record and finality included), and the
// cross-VM plan of tests/xvm/evm_native_test.cpp (a resource transfer proven natively,
// posted to the registry contract, its event read, a ledger credited).
#include "evm/anvil.hpp"
#include "vm/resource_world.hpp"

#include <causality/resource/run_file.hpp>
#include <causality/stark/config.hpp>
#include <causality/xvm.hpp>
#include <causality/xvm/domains/evm.hpp>
#include <causality/xvm/domains/native.hpp>

#include <benchmark/benchmark.h>

#include <filesystem>
#include <fstream>

namespace {

using namespace causality;
using namespace causality::evm;

evmtest::Anvil& node() {
    static evmtest::Anvil n;
    return n;
}
std::string scratch(const std::string& name) {
    const auto dir = std::filesystem::temp_directory_path() / ("causality_evm_bench_" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir);
    const auto p = dir / name;
    for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(p.string() + suffix);
    return p.string();
}

void BM_RpcChainId(benchmark::State& state) {
    EvmClient c(node().url());
    for (auto _ : state) benchmark::DoNotOptimize(c.rpc().call("eth_chainId"));
    state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_RpcChainId)->Unit(benchmark::kMicrosecond);

void BM_RpcBlock(benchmark::State& state) {
    EvmClient c(node().url());
    for (auto _ : state) benchmark::DoNotOptimize(c.block("latest"));
    state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_RpcBlock)->Unit(benchmark::kMicrosecond);

void BM_SignEip1559(benchmark::State& state) {
    const auto key = PrivateKey::from_hex(evmtest::dev_key0);
    Eip1559Transaction tx;
    tx.chain_id = 31337;
    tx.max_fee = 2'000'000'000;
    tx.max_priority_fee = 1'000'000'000;
    tx.to = Address::parse(evmtest::dev_address1);
    tx.data.assign(68, 0xab);
    for (auto _ : state) {
        ++tx.nonce;
        benchmark::DoNotOptimize(tx.sign(key));
    }
    state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_SignEip1559)->Unit(benchmark::kMicrosecond);

void BM_AbiDynamicCall(benchmark::State& state) {  // encode and decode (bytes, string, uint256[], (uint256,bytes32), string[])
    const auto types = abi::parse_types({"bytes", "string", "uint256[]", "(uint256,bytes32)", "string[]"});
    const Json values = Json::array({"0x" + std::string(200, 'e'), "a string of some length for the benchmark",
                                     Json::array({"1", "2", "3", "4", "5", "6", "7", "8"}), Json::array({"9", "0x" + std::string(64, '1')}),
                                     Json::array({"one", "two", "three"})});
    for (auto _ : state) {
        const Bytes enc = abi::encode(types, values);
        benchmark::DoNotOptimize(abi::decode(types, enc));
    }
    state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_AbiDynamicCall)->Unit(benchmark::kMicrosecond);

Finality automine() {
    Finality f;
    f.poll = std::chrono::milliseconds(1);
    return f;
}

// One transfer sent, then waited for until final (1 confirmation, automine).
void BM_SendConfirmSequential(benchmark::State& state) {
    EvmClient c(node().url());
    Signer s(c, PrivateKey::from_hex(evmtest::dev_key1));
    const Address to = Address::parse(evmtest::dev_address0);
    for (auto _ : state) benchmark::DoNotOptimize(s.wait_final(s.send(TxRequest::pay(to, word_of(1))), automine()));
    state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_SendConfirmSequential)->Unit(benchmark::kMillisecond)->UseRealTime();

// A batch of `range(0)` transfers sent back to back, then each waited for.
void BM_SendConfirmPipelined(benchmark::State& state) {
    EvmClient c(node().url());
    Signer s(c, PrivateKey::from_hex(evmtest::dev_key2));
    const Address to = Address::parse(evmtest::dev_address0);
    const auto n = static_cast<std::size_t>(state.range(0));
    for (auto _ : state) {
        std::vector<SentTransaction> sent;
        for (std::size_t i = 0; i < n; ++i) sent.push_back(s.send(TxRequest::pay(to, word_of(1))));
        for (const auto& t : sent) benchmark::DoNotOptimize(s.wait_final(t, automine()));
    }
    state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(n));
}
BENCHMARK(BM_SendConfirmPipelined)->Arg(100)->Unit(benchmark::kMillisecond)->UseRealTime();

// One `send` step through the EVM domain (estimate, fees, nonce, the SQLite record before
// broadcast, the receipt, finality, the outcome's record), state on disk.
void BM_DomainSendStep(benchmark::State& state) {
    ::setenv("CAUSALITY_BENCH_EVM_KEY", evmtest::dev_key0, 1);
    xvm::DomainAdapterRegistry reg;
    xvm::register_evm(reg);
    auto adapter = reg.build(Json{{"domain", "chain"}, {"type", "evm"}, {"rpc", node().url()}, {"key_env", "CAUSALITY_BENCH_EVM_KEY"},
                                  {"poll_ms", 1}, {"state", scratch("evm.db")},
                                  {"contracts", {{"token", {{"artifact", evmtest::contract_artifact("TestToken")}}}}}});
    (void)adapter->execute({"deploy", {{"contract", "token"}, {"args", Json::array({"Tok", 1'000'000'000})}}, "bench/deploy"});
    std::uint64_t k = 0;
    for (auto _ : state) {
        const xvm::Operation op{"send", {{"contract", "token"}, {"function", "transfer"}, {"args", Json::array({evmtest::dev_address1, 1})}},
                                "bench/pay/" + std::to_string(k++)};
        benchmark::DoNotOptimize(adapter->execute(op));
    }
    state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_DomainSendStep)->Unit(benchmark::kMillisecond)->UseRealTime();

// The cross-VM plan: deploy the registry, prove the transfer (TestingConfig, the test
// suite's parameters), verify and post it, read the event, credit the ledger.
void BM_CrossVmPlan(benchmark::State& state) {
    using SC = stark::TestingConfig<vmtest::F, 4>;
    ::setenv("CAUSALITY_BENCH_EVM_KEY", evmtest::dev_key0, 1);
    restest::World w;
    const std::string run_file = scratch("transfer.run");
    {
        const auto bytes = resource::encode_run_file(w.file({0, 1}, {w.alice_notes}));
        std::ofstream(run_file, std::ios::binary).write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
    }
    const auto carol = resource::owner_of(restest::digest_of(3));
    const std::string input = to_hex(restest::transfer_input({w.alice_key, w.alice_key}, {{carol, 40, restest::digest_of(50)}, {w.notes[0].owner, 2, restest::digest_of(51)}}), false);
    int round = 0;
    for (auto _ : state) {
        state.PauseTiming();
        xvm::DomainAdapterRegistry reg;
        xvm::register_ledger(reg);
        xvm::register_native<restest::RVm, SC>(reg);
        xvm::register_evm(reg);
        xvm::CrossVmBroker b;
        b.add_all(reg, Json::array({Json{{"domain", "zk"}, {"type", "native-zkvm"},
                                         {"programs", {{"note_transfer", std::string(CAUSALITY_GUEST_DIR) + "/note_transfer.elf"}}}},
                                    Json{{"domain", "chain"}, {"type", "evm"}, {"rpc", node().url()}, {"key_env", "CAUSALITY_BENCH_EVM_KEY"},
                                         {"poll_ms", 1}, {"state", scratch("plan-evm.db")},
                                         {"contracts", {{"registry", {{"artifact", evmtest::contract_artifact("Registry")}}}}}},
                                    Json{{"domain", "bank"}, {"type", "ledger"}}}));
        xvm::EffectValidatorRegistry v;
        xvm::Journal journal(scratch("plan-journal.db"));
        xvm::CoordinationExecutor ex(b, v, &journal, {2});
        const std::string id = "plan" + std::to_string(round++);
        xvm::CoordinationPlan p(xvm::CoordinationContext(id).add_domain("zk").add_domain("chain").add_domain("bank"));
        p.add_step({"deploy", "chain", "deploy", {{"contract", "registry"}}});
        p.add_step({"prove", "zk", "run", {{"program", "note_transfer"}, {"resources", run_file}, {"input_hex", input}, {"prove", true}}});
        p.add_step(xvm::CoordinationStep("post", "chain", "post_proven", {{"program", "note_transfer"}}).receives_from("prove").add_dependency("deploy"));
        p.add_step(xvm::CoordinationStep("seen", "chain", "events", {{"contract", "registry"}, {"event", "Posted"}}).add_dependency("post"));
        p.add_step({"open", "bank", "open", {{"account", "carol"}, {"owner", "carol"}}});
        p.add_step(xvm::CoordinationStep("credit", "bank", "mint", {{"account", "carol"}, {"amount", {{"$from", "seen"}, {"pointer", "/events/0/args/count"}}}})
                       .add_dependency("open")
                       .add_dependency("seen"));
        state.ResumeTiming();
        const auto r = ex.execute(p);
        if (!r.completed()) {
            state.SkipWithError("the plan did not complete");
            break;
        }
    }
}
BENCHMARK(BM_CrossVmPlan)->Unit(benchmark::kMillisecond)->UseRealTime()->Iterations(3);

}  // namespace
