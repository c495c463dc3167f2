// Must not compile: the ZkProofs policy on a backend that cannot verify proofs.
#include <causality/xvm/adapter.hpp>

struct PlainBackend {
    std::string vm_type() const { return "plain"; }
    std::vector<std::string> operations() const { return {"noop"}; }
    causality::xvm::Outcome execute(const causality::xvm::Operation&) { return {}; }
    std::optional<causality::xvm::Outcome> applied(const std::string&) { return std::nullopt; }
    causality::xvm::Json query(const causality::xvm::Json&) { return {}; }
};

int main() {
    causality::xvm::DomainAdapter<PlainBackend, causality::xvm::ZkProofs> adapter("d", PlainBackend{});
    (void)adapter;
}
