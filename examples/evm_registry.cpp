// The EVM domain in a cross-VM plan: the native zkVM proves a resource transfer (the
// note-transfer guest's spend that resource_ledger wrote to DIR/change.run and
// DIR/change.in); the EVM domain verifies the proof with the native domain's verifier and
// posts the verified nullifier and commitment to the registry contract on a local node;
// a later step reads the Posted event from a final block and credits a ledger. The same
// transfer posted again is refused by the contract, and the plan compensates.
//
//   CAUSALITY_EVM_KEY=0x... evm_registry NOTE_TRANSFER.elf DIR RPC_URL ARTIFACTS_DIR
// (contracts/with_anvil.sh starts anvil and sets RPC_URL; the key is anvil's first
// published dev key in `make demo`).
#include <causality/field.hpp>
#include <causality/stark.hpp>
#include <causality/vm/hash/extension.hpp>
#include <causality/vm/resource/extension.hpp>
#include <causality/vm/rv32im/extension.hpp>
#include <causality/xvm.hpp>
#include <causality/xvm/domains/evm.hpp>
#include <causality/xvm/domains/native.hpp>

#include <iostream>
#include <thread>

using namespace causality;
using F = field::BabyBear;
using Vm = vm::VmCore<F, vm::ext::Rv32im, vm::ext::Poseidon2Hash<F>, vm::ext::ResourceRegisters<F>>;

namespace {
void show(const xvm::PlanResult& r) {
    std::cout << r.plan_id << ": " << xvm::to_string(r.status) << "\n";
    for (const auto& s : r.steps) {
        std::cout << "  " << s.id << ": " << xvm::to_string(s.status);
        if (!s.error.empty()) std::cout << " (" << s.error << ")";
        std::cout << "\n";
    }
}
std::string short_hex(const xvm::Json& v) { return v.get<std::string>().substr(0, 18) + "..."; }
}  // namespace

int main(int argc, char** argv) {
    if (argc != 5) {
        std::cerr << "usage: CAUSALITY_EVM_KEY=0x... evm_registry NOTE_TRANSFER.elf DIR RPC_URL ARTIFACTS_DIR\n";
        return 2;
    }
    const std::string elf = argv[1], dir = argv[2], rpc = argv[3], artifacts = argv[4];
    try {
        evm::EvmClient probe(rpc);  // wait for the node
        for (int i = 0;; ++i) {
            try {
                std::cout << "node: chain " << probe.chain_id() << " at block " << probe.block_number() << "\n";
                break;
            } catch (const evm::EvmError&) {
                if (i == 100) throw;
                std::this_thread::sleep_for(std::chrono::milliseconds(100));
            }
        }
        xvm::DomainAdapterRegistry registry;
        xvm::register_ledger(registry);
        xvm::register_native<Vm, stark::BabyBearPoseidon2>(registry);
        xvm::register_evm(registry);
        xvm::CrossVmBroker broker;
        broker.add_all(registry, xvm::Json::array(
            {{{"domain", "zk"}, {"type", "native-zkvm"}, {"programs", {{"note_transfer", elf}}}},
             {{"domain", "chain"}, {"type", "evm"}, {"rpc", rpc}, {"key_env", "CAUSALITY_EVM_KEY"}, {"finality", {{"confirmations", 1}}},
              {"state", dir + "/chain.db"}, {"contracts", {{"registry", {{"artifact", artifacts + "/Registry.json"}}}}}},
             {{"domain", "bank"}, {"type", "ledger"}, {"db", dir + "/registry-bank.db"}}}));
        xvm::EffectValidatorRegistry validators;
        xvm::Journal journal(dir + "/registry-journal.db");
        xvm::CoordinationExecutor executor(broker, validators, &journal, {2});

        const std::string input = evm::to_hex(vm::read_file(dir + "/change.in"), false);
        const auto plan = [&](const std::string& id, bool deploy) {
            xvm::CoordinationPlan p{xvm::CoordinationContext(id)};
            if (deploy) p.add_step({"deploy", "chain", "deploy", {{"contract", "registry"}}});
            p.add_step({"prove", "zk", "run", {{"program", "note_transfer"}, {"resources", dir + "/change.run"}, {"input_hex", input}, {"prove", true}}});
            xvm::CoordinationStep post("post", "chain", "post_proven", {{"program", "note_transfer"}});
            post.receives_from("prove");  // verified with zk's verifier, then posted
            if (deploy) post.add_dependency("deploy");
            p.add_step(post);
            p.add_step(xvm::CoordinationStep("seen", "chain", "events", {{"contract", "registry"}, {"event", "Posted"}}).add_dependency("post"));
            p.add_step(xvm::CoordinationStep("open", "bank", "open", {{"account", "bob-" + id}, {"owner", "bob"}})
                           .compensate_with("burn", {{"account", "bob-" + id}, {"amount", 0}}));
            p.add_step(xvm::CoordinationStep("credit", "bank", "mint",
                                             {{"account", "bob-" + id}, {"amount", {{"$from", "seen"}, {"pointer", "/events/0/args/count"}}}})
                           .add_dependency("open")
                           .add_dependency("seen"));
            return p;
        };
        const auto first = executor.execute(plan("post-transfer", true));
        show(first);
        if (first.completed()) {
            const auto& ev = first.step("post").outcome.output["events"][0]["args"];
            std::cout << "  on chain: post " << ev["index"].get<std::string>() << ", nullifier " << short_hex(ev["nullifiers"][0]) << ", tx "
                      << short_hex(first.step("post").outcome.output["tx"]) << " in block " << first.step("post").outcome.output["block_number"]
                      << "\n  bob holds " << broker.adapter("bank").query({{"balance", "bob-post-transfer"}}).value("balance", "-") << "\n";
        }
        show(executor.execute(plan("post-again", false)));
        return first.completed() ? 0 : 1;
    } catch (const std::exception& e) {
        std::cerr << "evm_registry: " << e.what() << "\n";
        return 1;
    }
}
