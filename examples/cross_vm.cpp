// Cross-VM coordination: a native zkVM domain proves fib(20); a ledger domain credits the
// proven value only after verifying the proof it received as a message; a plan asking
// too much is refused by validation before anything runs; a plan whose last step fails is
// compensated. The journal and the ledger are SQLite files: run it twice and the second
// run finds every plan in the journal and applies nothing again.
//
//   cross_vm FIBONACCI.elf DIR
#include <causality/field.hpp>
#include <causality/stark.hpp>
#include <causality/xvm.hpp>
#include <causality/xvm/domains/native.hpp>

#include <iostream>

using namespace causality;
using Vm = vm::VmCore<field::BabyBear, vm::ext::Rv32im>;

namespace {
void show(const xvm::PlanResult& r, xvm::CrossVmBroker& broker) {
    std::cout << r.plan_id << ": " << xvm::to_string(r.status);
    for (const auto& e : r.validation.errors()) std::cout << "\n  refused: " << e.text();
    for (const auto& s : r.steps)
        if (s.status != xvm::StepStatus::pending)
            std::cout << "\n  " << s.id << ": " << xvm::to_string(s.status) << (s.error.empty() ? "" : " (" + s.error + ")");
    std::cout << "\n  carol holds " << broker.adapter("bank").query({{"balance", "carol"}}).value("balance", "-") << "\n";
}
}  // namespace

int main(int argc, char** argv) {
    if (argc != 3) {
        std::cerr << "usage: cross_vm FIBONACCI.elf DIR\n";
        return 2;
    }
    const std::string elf = argv[1], dir = argv[2];
    try {
        xvm::DomainAdapterRegistry registry;
        xvm::register_ledger(registry);
        xvm::register_native<Vm, stark::BabyBearPoseidon2>(registry);
        xvm::CrossVmBroker broker;
        broker.add_all(registry, xvm::Json::array({{{"domain", "zk"}, {"type", "native-zkvm"}, {"programs", {{"fib", elf}}}},
                                                   {{"domain", "bank"}, {"type", "ledger"}, {"db", dir + "/bank.db"}}}));
        xvm::EffectValidatorRegistry validators;
        validators.rules("spending limit", "bank", "transfer").rule<xvm::rules::Range>("amount", 1, 1000)
            .rule<xvm::rules::ResourceAuthority>("from", "actor", "debit");
        xvm::Journal journal(dir + "/journal.db");
        xvm::CoordinationExecutor executor(broker, validators, &journal, {2});

        xvm::CoordinationPlan pay(xvm::CoordinationContext("pay-with-proof"));
        pay.add_step({"prove", "zk", "run", {{"program", "fib"}, {"input_hex", "14000000"}, {"prove", true}}});
        pay.add_step({"open", "bank", "open", {{"account", "carol"}, {"owner", "carol"}}});
        pay.add_step({"open_shop", "bank", "open", {{"account", "shop"}, {"owner", "shop"}}});
        pay.add_step(xvm::CoordinationStep("credit", "bank", "credit_on_proof", {{"account", "carol"}, {"program", "fib"}, {"value", 0}})
                         .add_dependency("open")
                         .receives_from("prove"));
        show(executor.execute(pay), broker);

        auto greedy = xvm::CoordinationPlan(xvm::CoordinationContext("greedy"))
                          .add_step({"buy", "bank", "transfer", {{"from", "carol"}, {"to", "shop"}, {"amount", 5000}, {"actor", "carol"}}});
        show(executor.execute(greedy), broker);

        xvm::CoordinationPlan order(xvm::CoordinationContext("order"));
        order.add_step(xvm::CoordinationStep("buy", "bank", "transfer", {{"from", "carol"}, {"to", "shop"}, {"amount", 700}, {"actor", "carol"}})
                           .compensate_with("transfer", {{"from", "shop"}, {"to", "carol"}, {"amount", 700}, {"actor", "shop"}}));
        order.add_step(xvm::CoordinationStep("ship", "bank", "transfer", {{"from", "shop"}, {"to", "warehouse"}, {"amount", 1}, {"actor", "shop"}})
                           .add_dependency("buy"));
        show(executor.execute(order), broker);
    } catch (const Error& e) {
        std::cerr << e.what() << "\n";
        return 1;
    }
}
