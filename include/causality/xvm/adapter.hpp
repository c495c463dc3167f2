// causality/xvm/adapter.hpp — VM adapters as policy classes.
//
// A domain is one VM instance (a native zkVM, a ledger, a chain) reached through an
// adapter. An adapter is assembled at compile time from a backend and policies:
//
//   using Native = xvm::DomainAdapter<NativeBackend, xvm::Compilation, xvm::ZkProofs, xvm::CrossVm>;
//
// The backend (concept VmBackend) is what every domain has: its VM type, the operations it
// offers, `execute(op)`, `applied(key)` (has the effect with this idempotency key been
// applied? the question crash recovery asks) and `query(request)`. Each policy adds one of
// document 000's adapter kinds and requires the backend to offer what it needs, with a
// static_assert that says what is missing:
//   Compilation  — `compile(source) -> program id`            (CompilationAdapter)
//   ZkProofs     — `verify_proof(program, proof) -> statement` (ZkProofAdapter)
//   CrossVm      — `receive(message, op) -> outcome`           (CrossVmAdapter)
// The result is an `Adapter` (the run-time interface the broker, the registry and the
// executor hold), whose compilation() / zk_proofs() / cross_vm() are the policy or null.
//
// Effects are idempotent by key: an adapter that is asked to execute an operation whose
// key it applied before returns the recorded outcome instead of acting again, and answers
// applied(key) from its own durable state. Both are the adapter's duty: the journal can
// only know what was asked, the domain knows what happened.
#pragma once

#include <causality/interface_version.hpp>
#include <causality/stark/hash/keccak.hpp>
#include <causality/xvm/errors.hpp>
#include <causality/xvm/translate.hpp>

#include <array>
#include <chrono>
#include <concepts>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

namespace causality::xvm {

using causality::InterfaceVersion;

// "1", "1.2" or "1.2.3"; XvmError(bad_config) otherwise.
inline InterfaceVersion parse_interface_version(const std::string& s) {
    const auto v = InterfaceVersion::parse(s);
    if (!v) throw XvmError(XvmErrorKind::bad_config, "interface version '" + s + "' is not major[.minor[.patch]]");
    return *v;
}

using Clock = std::chrono::steady_clock;

// One effect asked of a domain. The idempotency key names the effect: asking twice with
// one key applies it once.
struct Operation {
    std::string name;
    Json params = Json::object();
    std::string idempotency_key;
    Clock::time_point deadline = Clock::time_point::max();  // adapters give up (XvmError timeout) past it
};

// What an effect produced: a JSON result and opaque bytes (a proof).
struct Outcome {
    Json output = Json::object();
    std::vector<std::uint8_t> attachment;
    friend bool operator==(const Outcome&, const Outcome&) = default;
};

// A cross-domain message: one step's outcome carried from its domain to another's, on
// the channel (source, target) with that channel's next nonce, authenticated with the
// channel's key (tag = Keccak-256(key || the message's canonical bytes); Keccak has no
// length extension, so this is a MAC).
struct Message {
    std::string source, target;
    std::uint64_t nonce = 0;
    std::string operation;  // the target operation the message is for
    Json payload = Json::object();
    std::vector<std::uint8_t> attachment;
    std::array<std::uint8_t, 32> tag{};

    [[nodiscard]] std::array<std::uint8_t, 32> compute_tag(std::span<const std::uint8_t> key) const {
        std::vector<std::uint8_t> b(key.begin(), key.end());
        const auto put = [&](std::string_view s) {
            const std::uint64_t n = s.size();
            for (int i = 0; i < 8; ++i) b.push_back(static_cast<std::uint8_t>(n >> (8 * i)));
            b.insert(b.end(), s.begin(), s.end());
        };
        put(source);
        put(target);
        for (int i = 0; i < 8; ++i) b.push_back(static_cast<std::uint8_t>(nonce >> (8 * i)));
        put(operation);
        put(payload.dump());
        put(std::string_view(reinterpret_cast<const char*>(attachment.data()), attachment.size()));
        return stark::Keccak256::hash(b);
    }
};

class CrossVmBroker;

// --- the policies' run-time faces ---------------------------------------------------------

class CompilationApi {
public:
    virtual ~CompilationApi() = default;
    // Loads a program (e.g. {"elf": PATH}) and returns its id (a content id, hex).
    virtual std::string compile(const Json& source) = 0;
};
class ZkProofApi {
public:
    virtual ~ZkProofApi() = default;
    // Verifies a proof of a run of `program` (an id this domain knows) and returns what it
    // proves; XvmError(proof_rejected) naming why otherwise.
    virtual Json verify_proof(const std::string& program, std::span<const std::uint8_t> proof) = 0;
};
class CrossVmApi {
public:
    virtual ~CrossVmApi() = default;
    // Acts on a message from another domain (already authenticated and in order: the
    // executor's channel guard checked it). The broker reaches the source domain (to
    // verify its proofs).
    virtual Outcome receive(const Message& message, const Operation& op, CrossVmBroker& broker) = 0;
};

// --- the run-time adapter -------------------------------------------------------------------

class Adapter {
public:
    virtual ~Adapter() = default;
    [[nodiscard]] virtual const std::string& domain_id() const noexcept = 0;
    [[nodiscard]] virtual std::string vm_type() const = 0;
    [[nodiscard]] virtual InterfaceVersion version() const = 0;
    [[nodiscard]] virtual std::vector<std::string> operations() const = 0;
    virtual Outcome execute(const Operation& op) = 0;
    virtual std::optional<Outcome> applied(const std::string& idempotency_key) = 0;
    virtual Json query(const Json& request) = 0;
    virtual CompilationApi* compilation() noexcept { return nullptr; }
    virtual ZkProofApi* zk_proofs() noexcept { return nullptr; }
    virtual CrossVmApi* cross_vm() noexcept { return nullptr; }

    [[nodiscard]] bool offers(std::string_view operation) const {
        for (const auto& o : operations())
            if (o == operation) return true;
        return false;
    }
};

// --- backends and policies -------------------------------------------------------------------

template <class B>
concept VmBackend = requires(B& b, const B& cb, const Operation& op, const std::string& key, const Json& request) {
    { cb.vm_type() } -> std::convertible_to<std::string>;
    { cb.operations() } -> std::convertible_to<std::vector<std::string>>;
    { b.execute(op) } -> std::same_as<Outcome>;
    { b.applied(key) } -> std::same_as<std::optional<Outcome>>;
    { b.query(request) } -> std::same_as<Json>;
};
template <class B>
concept CompilingBackend = requires(B& b, const Json& source) {
    { b.compile(source) } -> std::convertible_to<std::string>;
};
template <class B>
concept ProvingBackend = requires(B& b, const std::string& program, std::span<const std::uint8_t> proof) {
    { b.verify_proof(program, proof) } -> std::same_as<Json>;
};
template <class B>
concept MessageBackend = requires(B& b, const Message& m, const Operation& op, CrossVmBroker& broker) {
    { b.receive(m, op, broker) } -> std::same_as<Outcome>;
};

namespace detail {
template <class Backend>
struct BackendHolder {
    Backend held;
};
}  // namespace detail

template <class Backend>
class Compilation : public CompilationApi {
    static_assert(CompilingBackend<Backend>,
                  "xvm::Compilation: the backend needs `std::string compile(const Json& source)` returning a program id");

public:
    std::string compile(const Json& source) override { return backend_->compile(source); }

protected:
    void attach(Backend& b) noexcept { backend_ = &b; }

private:
    Backend* backend_ = nullptr;
};

template <class Backend>
class ZkProofs : public ZkProofApi {
    static_assert(ProvingBackend<Backend>,
                  "xvm::ZkProofs: the backend needs `Json verify_proof(const std::string& program, "
                  "std::span<const std::uint8_t> proof)`");

public:
    Json verify_proof(const std::string& program, std::span<const std::uint8_t> proof) override {
        return backend_->verify_proof(program, proof);
    }

protected:
    void attach(Backend& b) noexcept { backend_ = &b; }

private:
    Backend* backend_ = nullptr;
};

template <class Backend>
class CrossVm : public CrossVmApi {
    static_assert(MessageBackend<Backend>,
                  "xvm::CrossVm: the backend needs `Outcome receive(const Message&, const Operation&, CrossVmBroker&)`");

public:
    Outcome receive(const Message& m, const Operation& op, CrossVmBroker& broker) override {
        return backend_->receive(m, op, broker);
    }

protected:
    void attach(Backend& b) noexcept { backend_ = &b; }

private:
    Backend* backend_ = nullptr;
};

// The adapter of `Backend` with `Policies`. The backend is held first (a base), so the
// policies can point at it.
template <class Backend, template <class> class... Policies>
class DomainAdapter final : private detail::BackendHolder<Backend>, public Adapter, public Policies<Backend>... {
    static_assert(VmBackend<Backend>,
                  "xvm::DomainAdapter: the backend needs `vm_type()`, `operations()`, `Outcome execute(const Operation&)`, "
                  "`std::optional<Outcome> applied(const std::string& key)` and `Json query(const Json&)`");

public:
    DomainAdapter(std::string domain, Backend backend, InterfaceVersion version = {1, 0, 0})
        : detail::BackendHolder<Backend>{std::move(backend)}, domain_(std::move(domain)), version_(version) {
        (Policies<Backend>::attach(this->held), ...);
    }
    DomainAdapter(const DomainAdapter&) = delete;
    DomainAdapter& operator=(const DomainAdapter&) = delete;

    [[nodiscard]] Backend& backend() noexcept { return this->held; }
    [[nodiscard]] const std::string& domain_id() const noexcept override { return domain_; }
    [[nodiscard]] std::string vm_type() const override { return this->held.vm_type(); }
    [[nodiscard]] InterfaceVersion version() const override { return version_; }
    [[nodiscard]] std::vector<std::string> operations() const override {
        return this->held.operations();
    }
    Outcome execute(const Operation& op) override {
        if (!offers(op.name))
            throw XvmError(XvmErrorKind::unknown_operation, "domain '" + domain_ + "' has no operation '" + op.name + "'");
        return backend().execute(op);
    }
    std::optional<Outcome> applied(const std::string& key) override { return backend().applied(key); }
    Json query(const Json& request) override { return backend().query(request); }

    CompilationApi* compilation() noexcept override {
        if constexpr (std::is_base_of_v<CompilationApi, DomainAdapter>) return this;
        else return nullptr;
    }
    ZkProofApi* zk_proofs() noexcept override {
        if constexpr (std::is_base_of_v<ZkProofApi, DomainAdapter>) return this;
        else return nullptr;
    }
    CrossVmApi* cross_vm() noexcept override {
        if constexpr (std::is_base_of_v<CrossVmApi, DomainAdapter>) return this;
        else return nullptr;
    }

private:
    std::string domain_;
    InterfaceVersion version_;
};

// Compile-time view of an assembled adapter (document 000's adapter kinds).
template <class A>
concept VmAdapter = std::derived_from<A, Adapter>;
template <class A>
concept CompilationAdapter = VmAdapter<A> && std::derived_from<A, CompilationApi>;
template <class A>
concept ZkProofAdapter = VmAdapter<A> && std::derived_from<A, ZkProofApi>;
template <class A>
concept CrossVmAdapter = VmAdapter<A> && std::derived_from<A, CrossVmApi>;

}  // namespace causality::xvm
