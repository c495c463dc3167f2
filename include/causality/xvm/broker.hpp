// causality/xvm/broker.hpp — adapters built from configuration, and the broker that holds
// them by domain and routes operations and cross-domain messages.
//
// DomainAdapterRegistry: a factory per VM type, each offering an interface version.
// `build(config)` reads a JSON object
//   {"domain": "ledger-1", "type": "ledger", "interface": "1.0", ...factory fields...}
// and refuses an unknown type (XvmError unknown_vm_type, listing the known ones), a
// required interface the factory does not serve (incompatible_interface: another major
// version, or a newer minor) and a configuration without a domain or type (bad_config).
//
// CrossVmBroker: adapters by domain id (unique), `execute(domain, op)`, and `deliver`,
// which hands a cross-domain message to the handler registered for its operation (`on`)
// or else to the target adapter's CrossVm policy. The executor calls adapters from
// several worker threads: an adapter must be safe to call concurrently.
#pragma once

#include <causality/xvm/adapter.hpp>

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace causality::xvm {

using AdapterFactory = std::function<std::unique_ptr<Adapter>(const Json& config)>;

class DomainAdapterRegistry {
public:
    void add(std::string vm_type, InterfaceVersion offered, AdapterFactory factory) {
        if (!factory) throw XvmError(XvmErrorKind::bad_config, "the factory of VM type '" + vm_type + "' is empty");
        if (!factories_.emplace(vm_type, Entry{offered, std::move(factory)}).second)
            throw XvmError(XvmErrorKind::bad_config, "VM type '" + vm_type + "' has a factory already");
    }
    [[nodiscard]] std::vector<std::string> types() const {
        std::vector<std::string> t;
        for (const auto& [k, v] : factories_) t.push_back(k);
        return t;
    }

    [[nodiscard]] std::unique_ptr<Adapter> build(const Json& config) const {
        if (!config.is_object()) throw XvmError(XvmErrorKind::bad_config, "an adapter configuration is a JSON object, not " + detail::shown(config));
        const std::string domain = string_field(config, "domain", "");
        const std::string type = string_field(config, "type", domain);
        const auto it = factories_.find(type);
        if (it == factories_.end()) {
            std::string known;
            for (const auto& [k, v] : factories_) known += (known.empty() ? "" : ", ") + k;
            throw XvmError(XvmErrorKind::unknown_vm_type,
                           "domain '" + domain + "': no factory for VM type '" + type + "' (known: " + known + ")");
        }
        if (config.contains("interface")) {
            const auto& iv = config["interface"];
            if (!iv.is_string()) throw XvmError(XvmErrorKind::bad_config, "domain '" + domain + "': interface is a string such as \"1.0\"");
            const InterfaceVersion required = parse_interface_version(iv.get<std::string>());
            if (!it->second.offered.compatible_with(required))
                throw XvmError(XvmErrorKind::incompatible_interface,
                               "domain '" + domain + "': VM type '" + type + "' offers interface " + it->second.offered.text() +
                                   ", the configuration requires " + required.text() +
                                   (it->second.offered.major != required.major ? " (another major version)" : " (a newer minor version)"));
        }
        auto adapter = it->second.factory(config);
        if (!adapter) throw XvmError(XvmErrorKind::bad_config, "domain '" + domain + "': the factory of '" + type + "' built nothing");
        if (adapter->domain_id() != domain)
            throw XvmError(XvmErrorKind::bad_config, "domain '" + domain + "': the factory built an adapter of domain '" + adapter->domain_id() + "'");
        return adapter;
    }

    static std::string string_field(const Json& config, const char* key, const std::string& domain) {
        const auto it = config.find(key);
        if (it == config.end() || !it->is_string() || it->get_ref<const std::string&>().empty())
            throw XvmError(XvmErrorKind::bad_config,
                           (domain.empty() ? std::string("an adapter configuration") : "domain '" + domain + "'") + " needs a non-empty string '" +
                               key + "'");
        return it->get<std::string>();
    }

private:
    struct Entry {
        InterfaceVersion offered;
        AdapterFactory factory;
    };
    std::map<std::string, Entry> factories_;
};

class CrossVmBroker {
public:
    using Handler = std::function<Outcome(CrossVmBroker&, const Message&, const Operation&)>;

    Adapter& add(std::unique_ptr<Adapter> adapter) {
        if (!adapter) throw XvmError(XvmErrorKind::bad_config, "a null adapter");
        const std::string id = adapter->domain_id();
        auto [it, fresh] = adapters_.emplace(id, std::move(adapter));
        if (!fresh) throw XvmError(XvmErrorKind::bad_config, "domain '" + id + "' has an adapter already");
        return *it->second;
    }
    // Builds and adds every configuration of a JSON array.
    void add_all(const DomainAdapterRegistry& registry, const Json& configs) {
        if (!configs.is_array()) throw XvmError(XvmErrorKind::bad_config, "domains: a JSON array of adapter configurations");
        for (const auto& c : configs) add(registry.build(c));
    }

    [[nodiscard]] bool has(const std::string& domain) const { return adapters_.count(domain) != 0; }
    [[nodiscard]] Adapter& adapter(const std::string& domain) const {
        const auto it = adapters_.find(domain);
        if (it == adapters_.end()) throw XvmError(XvmErrorKind::unknown_domain, "no adapter for domain '" + domain + "'");
        return *it->second;
    }
    [[nodiscard]] std::vector<std::string> domains() const {
        std::vector<std::string> d;
        for (const auto& [k, v] : adapters_) d.push_back(k);
        return d;
    }

    Outcome execute(const std::string& domain, const Operation& op) { return adapter(domain).execute(op); }

    // The proof policy of `domain`; missing_capability when it has none.
    [[nodiscard]] ZkProofApi& proofs_of(const std::string& domain) const {
        auto* p = adapter(domain).zk_proofs();
        if (!p) throw XvmError(XvmErrorKind::missing_capability, "domain '" + domain + "' does not verify proofs (no ZkProofs policy)");
        return *p;
    }

    // A cross-VM handler for `operation`: runs instead of the target adapter's receive.
    void on(std::string operation, Handler handler) { handlers_[std::move(operation)] = std::move(handler); }

    [[nodiscard]] bool can_receive(const std::string& domain, const std::string& operation) const {
        return handlers_.count(operation) != 0 || adapter(domain).cross_vm() != nullptr;
    }
    Outcome deliver(const Message& m, const Operation& op) {
        if (const auto it = handlers_.find(op.name); it != handlers_.end()) return it->second(*this, m, op);
        auto* cv = adapter(m.target).cross_vm();
        if (!cv)
            throw XvmError(XvmErrorKind::missing_capability,
                           "domain '" + m.target + "' takes no messages (no CrossVm policy) and no handler serves '" + op.name + "'");
        if (!adapter(m.target).offers(op.name))
            throw XvmError(XvmErrorKind::unknown_operation, "domain '" + m.target + "' has no operation '" + op.name + "'");
        return cv->receive(m, op, *this);
    }

private:
    std::map<std::string, std::unique_ptr<Adapter>> adapters_;
    std::map<std::string, Handler> handlers_;
};

}  // namespace causality::xvm
