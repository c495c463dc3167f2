// Helpers of the xvm tests: an attesting domain defined by the test (a user's own VM
// type with the ZkProofs policy: its "proofs" are Keccak MACs under its secret), ledgers
// and a broker over them.
#pragma once

#include <causality/xvm.hpp>

#include <atomic>
#include <string>
#include <vector>

namespace xvmtest {

using namespace causality::xvm;

// An attestation domain: "attest {value}" outputs {value} with a tag only it can make;
// verify_proof checks the tag and states {terminated, exit_code 0, public_values [value]}.
class OracleBackend {
public:
    explicit OracleBackend(std::string secret) : secret_(std::move(secret)) {}
    OracleBackend(OracleBackend&& o) noexcept : secret_(std::move(o.secret_)), runs_(o.runs_.load()) {}
    [[nodiscard]] std::string vm_type() const { return "oracle"; }
    [[nodiscard]] std::vector<std::string> operations() const { return {"attest"}; }
    Outcome execute(const Operation& op) {
        ++runs_;
        const std::uint64_t v = to_u64(op.params.at("value"), "oracle value");
        return {{{"value", v}}, tag(v)};
    }
    std::optional<Outcome> applied(const std::string&) { return std::nullopt; }  // attesting has no effect to repeat
    Json query(const Json&) { return Json{{"runs", runs_.load()}}; }
    Json verify_proof(const std::string& program, std::span<const std::uint8_t> proof) {
        if (program != "attest") throw XvmError(XvmErrorKind::proof_rejected, "oracle: no program " + program);
        if (proof.size() != 40) throw XvmError(XvmErrorKind::proof_rejected, "oracle: a proof is 40 bytes");
        std::uint64_t v = 0;
        for (int i = 7; i >= 0; --i) v = (v << 8) | proof[static_cast<std::size_t>(i)];
        const auto t = tag(v);
        if (!std::equal(t.begin(), t.end(), proof.begin())) throw XvmError(XvmErrorKind::proof_rejected, "oracle: bad tag");
        return {{"terminated", true}, {"exit_code", 0}, {"public_values", {v}}};
    }

private:
    [[nodiscard]] std::vector<std::uint8_t> tag(std::uint64_t v) const {
        std::vector<std::uint8_t> b(secret_.begin(), secret_.end()), out;
        for (int i = 0; i < 8; ++i) out.push_back(static_cast<std::uint8_t>(v >> (8 * i)));
        b.insert(b.end(), out.begin(), out.end());
        const auto h = causality::stark::Keccak256::hash(b);
        out.insert(out.end(), h.begin(), h.end());
        return out;
    }
    std::string secret_;
    std::atomic<std::uint64_t> runs_{0};
};
using OracleAdapter = DomainAdapter<OracleBackend, ZkProofs>;
static_assert(ZkProofAdapter<OracleAdapter> && !CrossVmAdapter<OracleAdapter> && !CompilationAdapter<OracleAdapter>);

inline DomainAdapterRegistry registry() {
    DomainAdapterRegistry r;
    register_ledger(r);
    r.add("oracle", InterfaceVersion{1, 2, 0}, [](const Json& c) -> std::unique_ptr<Adapter> {
        return std::make_unique<OracleAdapter>(c.at("domain").get<std::string>(), OracleBackend(c.value("secret", "s")));
    });
    return r;
}

inline Json balance(CrossVmBroker& b, const std::string& domain, const std::string& account) {
    const auto r = b.adapter(domain).query(Json{{"balance", account}});
    return r.contains("balance") ? r["balance"] : Json();
}
inline std::int64_t applied_count(CrossVmBroker& b, const std::string& domain) {
    return b.adapter(domain).query(Json{{"applied", true}}).get<std::int64_t>();
}

}  // namespace xvmtest
