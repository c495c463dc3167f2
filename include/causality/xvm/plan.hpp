// causality/xvm/plan.hpp — coordination plans: steps across domains and their dependencies.
//
// A CoordinationPlan is a context (plan id, the domains it may touch) and steps. A step
// names its domain, operation, parameters, the steps it depends on, a retry policy, a
// timeout, a compensation (the operation that undoes it, run on the same domain when a
// later step fails for good) and an idempotency key (default "<plan>/<step>"). A step with
// `message_from` receives the named step's outcome as a cross-domain message (its proof
// included) on the channel (that step's domain -> this step's domain).
//
// A parameter {"$from": "step", "pointer": "/json/pointer", "as": "decimal"} is replaced,
// when the step runs, by the named step's output at the pointer (the whole output
// without one), translated to the format (translate.hpp). The step must depend on it.
//
// check() rejects, naming what is wrong, a duplicate or empty step id, a dependency on a
// step that does not exist, a cycle (listing it), a reference or message from a step that
// is not a dependency, a domain outside the context, a bad retry policy.
//
// The plan file (JSON) is:
//   {"plan": ID, "domains": [adapter configurations...], "workers": N,
//    "steps": [{"id", "domain", "operation", "params", "depends_on": [...],
//               "retry": {"attempts", "backoff_ms", "multiplier", "max_backoff_ms"},
//               "timeout_ms", "compensation": {"operation", "params"},
//               "idempotency_key", "message_from"}, ...]}
// `domains` are built by a DomainAdapterRegistry; the context's domains are their ids.
#pragma once

#include <causality/xvm/adapter.hpp>

#include <algorithm>
#include <chrono>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace causality::xvm {

struct RetryPolicy {
    unsigned attempts = 1;                                 // 1: no retry
    std::chrono::milliseconds backoff{10};                 // before the second attempt
    double multiplier = 2.0;                               // each later wait
    std::chrono::milliseconds max_backoff{1000};
    [[nodiscard]] std::chrono::milliseconds wait_before(unsigned attempt) const {  // attempt >= 2
        double w = static_cast<double>(backoff.count());
        for (unsigned i = 2; i < attempt; ++i) w *= multiplier;
        return std::chrono::milliseconds(static_cast<std::int64_t>(std::min(w, static_cast<double>(max_backoff.count()))));
    }
};

struct Compensation {
    std::string operation;
    Json params = Json::object();
};

struct CoordinationContext {
    std::string plan_id;
    std::vector<std::string> domains;
    explicit CoordinationContext(std::string id = {}) : plan_id(std::move(id)) {}
    CoordinationContext& add_domain(std::string d) {
        domains.push_back(std::move(d));
        return *this;
    }
    [[nodiscard]] bool has_domain(const std::string& d) const {
        for (const auto& x : domains)
            if (x == d) return true;
        return false;
    }
};

struct CoordinationStep {
    std::string id, domain, operation;
    Json params = Json::object();
    std::vector<std::string> dependencies;
    RetryPolicy retry{};
    std::optional<std::chrono::milliseconds> timeout;
    std::optional<Compensation> compensation;
    std::string idempotency_key;  // empty: "<plan>/<id>"
    std::string message_from;     // empty: not a cross-domain step

    CoordinationStep() = default;
    CoordinationStep(std::string id_, std::string domain_, std::string operation_, Json params_ = Json::object())
        : id(std::move(id_)), domain(std::move(domain_)), operation(std::move(operation_)), params(std::move(params_)) {}
    CoordinationStep& add_dependency(std::string s) {
        dependencies.push_back(std::move(s));
        return *this;
    }
    CoordinationStep& compensate_with(std::string op, Json p = Json::object()) {
        compensation = Compensation{std::move(op), std::move(p)};
        return *this;
    }
    CoordinationStep& with_retry(RetryPolicy r) {
        retry = r;
        return *this;
    }
    CoordinationStep& receives_from(std::string step) {
        message_from = step;
        if (std::find(dependencies.begin(), dependencies.end(), step) == dependencies.end()) dependencies.push_back(std::move(step));
        return *this;
    }
    [[nodiscard]] std::string key(const std::string& plan) const { return idempotency_key.empty() ? plan + "/" + id : idempotency_key; }
};

namespace detail {
inline void collect_references(const Json& v, std::vector<std::string>& out) {
    if (v.is_object()) {
        if (const auto it = v.find("$from"); it != v.end()) {
            out.push_back(it->is_string() ? it->get<std::string>() : std::string());
            return;
        }
        for (const auto& [k, x] : v.items()) collect_references(x, out);
    } else if (v.is_array()) {
        for (const auto& x : v) collect_references(x, out);
    }
}
}  // namespace detail

class CoordinationPlan {
public:
    CoordinationPlan() = default;
    explicit CoordinationPlan(CoordinationContext ctx) : context_(std::move(ctx)) {}

    CoordinationPlan& add_step(CoordinationStep s) {
        steps_.push_back(std::move(s));
        return *this;
    }
    [[nodiscard]] const CoordinationContext& context() const noexcept { return context_; }
    [[nodiscard]] const std::string& id() const noexcept { return context_.plan_id; }
    [[nodiscard]] const std::vector<CoordinationStep>& steps() const noexcept { return steps_; }
    [[nodiscard]] const CoordinationStep& step(const std::string& id) const {
        for (const auto& s : steps_)
            if (s.id == id) return s;
        throw XvmError(XvmErrorKind::invalid_plan, "plan '" + context_.plan_id + "' has no step '" + id + "'");
    }
    [[nodiscard]] std::size_t index_of(const std::string& id) const {
        for (std::size_t i = 0; i < steps_.size(); ++i)
            if (steps_[i].id == id) return i;
        throw XvmError(XvmErrorKind::invalid_plan, "plan '" + context_.plan_id + "' has no step '" + id + "'");
    }
    // The workers the plan file asks for (0: the executor's choice).
    unsigned workers = 0;
    // The adapter configurations of a plan file (kept so that a journal can rebuild them).
    Json domain_configs = Json::array();

    // Throws XvmError(invalid_plan) naming the first problem.
    void check() const {
        const auto bad = [&](const std::string& why) { throw XvmError(XvmErrorKind::invalid_plan, "plan '" + context_.plan_id + "': " + why); };
        if (context_.plan_id.empty()) bad("the plan has no id");
        std::map<std::string, std::size_t> index;
        for (std::size_t i = 0; i < steps_.size(); ++i) {
            const auto& s = steps_[i];
            if (s.id.empty()) bad("step " + std::to_string(i) + " has no id");
            if (!index.emplace(s.id, i).second) bad("two steps are named '" + s.id + "'");
        }
        for (const auto& s : steps_) {
            if (s.operation.empty()) bad("step '" + s.id + "' has no operation");
            if (!context_.domains.empty() && !context_.has_domain(s.domain))
                bad("step '" + s.id + "' runs on domain '" + s.domain + "', which is not one of the plan's domains");
            if (s.compensation && !context_.domains.empty() && s.compensation->operation.empty())
                bad("step '" + s.id + "' has a compensation without an operation");
            if (s.retry.attempts == 0) bad("step '" + s.id + "': retry attempts must be at least 1");
            if (s.retry.multiplier < 1.0) bad("step '" + s.id + "': the retry multiplier must be at least 1");
            std::set<std::string> deps;
            for (const auto& d : s.dependencies) {
                if (!index.count(d)) bad("step '" + s.id + "' depends on '" + d + "', which is not a step of the plan");
                if (d == s.id) bad("step '" + s.id + "' depends on itself");
                if (!deps.insert(d).second) bad("step '" + s.id + "' lists the dependency '" + d + "' twice");
            }
            std::vector<std::string> refs, comp_refs;
            detail::collect_references(s.params, refs);
            if (s.compensation) detail::collect_references(s.compensation->params, comp_refs);
            for (const auto& r : refs)
                if (!deps.count(r)) bad("step '" + s.id + "' takes a value from '" + r + "', which is not one of its dependencies");
            for (const auto& r : comp_refs)  // a compensation may also use the step's own output
                if (!deps.count(r) && r != s.id)
                    bad("the compensation of step '" + s.id + "' takes a value from '" + r + "', which is neither the step nor one of its dependencies");
            if (!s.message_from.empty() && !deps.count(s.message_from))
                bad("step '" + s.id + "' receives a message from '" + s.message_from + "', which is not one of its dependencies");
        }
        // Cycles: depth-first search; a back edge names the cycle.
        std::vector<int> state(steps_.size(), 0);
        std::vector<std::size_t> path;
        const std::function<void(std::size_t)> visit = [&](std::size_t i) {
            state[i] = 1;
            path.push_back(i);
            for (const auto& d : steps_[i].dependencies) {
                const std::size_t j = index[d];
                if (state[j] == 1) {
                    std::string cycle;
                    auto it = std::find(path.begin(), path.end(), j);
                    for (; it != path.end(); ++it) cycle += steps_[*it].id + " -> ";
                    bad("the dependencies form a cycle: " + cycle + steps_[j].id);
                }
                if (state[j] == 0) visit(j);
            }
            path.pop_back();
            state[i] = 2;
        };
        for (std::size_t i = 0; i < steps_.size(); ++i)
            if (state[i] == 0) visit(i);
    }

    // --- JSON ----------------------------------------------------------------------------------
    [[nodiscard]] Json to_json() const {
        Json steps = Json::array();
        for (const auto& s : steps_) {
            Json j{{"id", s.id}, {"domain", s.domain}, {"operation", s.operation}, {"params", s.params}, {"depends_on", s.dependencies}};
            j["retry"] = {{"attempts", s.retry.attempts},
                          {"backoff_ms", s.retry.backoff.count()},
                          {"multiplier", s.retry.multiplier},
                          {"max_backoff_ms", s.retry.max_backoff.count()}};
            if (s.timeout) j["timeout_ms"] = s.timeout->count();
            if (s.compensation) j["compensation"] = {{"operation", s.compensation->operation}, {"params", s.compensation->params}};
            if (!s.idempotency_key.empty()) j["idempotency_key"] = s.idempotency_key;
            if (!s.message_from.empty()) j["message_from"] = s.message_from;
            steps.push_back(std::move(j));
        }
        Json out{{"plan", context_.plan_id}, {"context_domains", context_.domains}, {"steps", steps}, {"domains", domain_configs}};
        if (workers) out["workers"] = workers;
        return out;
    }

    // Reads a plan file's JSON; bad_config naming the field that is wrong. The context's
    // domains are the configured ones (or "context_domains" when present).
    static CoordinationPlan from_json(const Json& j) {
        const auto bad = [](const std::string& why) -> void { throw XvmError(XvmErrorKind::bad_config, "plan file: " + why); };
        if (!j.is_object()) bad("the plan is a JSON object");
        const auto str = [&](const Json& o, const char* k, const std::string& where, bool required) -> std::string {
            const auto it = o.find(k);
            if (it == o.end()) {
                if (required) bad(where + " needs '" + k + "'");
                return {};
            }
            if (!it->is_string()) bad(where + ": '" + k + "' is a string, not " + detail::shown(*it));
            return it->get<std::string>();
        };
        const auto uint = [&](const Json& o, const char* k, const std::string& where, std::uint64_t dflt) -> std::uint64_t {
            const auto it = o.find(k);
            if (it == o.end()) return dflt;
            if (!it->is_number_integer() || (!it->is_number_unsigned() && it->get<std::int64_t>() < 0))
                bad(where + ": '" + k + "' is an unsigned integer, not " + detail::shown(*it));
            return it->get<std::uint64_t>();
        };
        CoordinationPlan p(CoordinationContext(str(j, "plan", "the plan", true)));
        if (j.contains("domains")) {
            if (!j["domains"].is_array()) bad("'domains' is an array of adapter configurations");
            p.domain_configs = j["domains"];
            for (const auto& d : j["domains"]) {
                if (!d.is_object() || !d.contains("domain") || !d["domain"].is_string()) bad("each domain configuration needs a string 'domain'");
                p.context_.add_domain(d["domain"].get<std::string>());
            }
        }
        if (j.contains("context_domains")) {
            if (!j["context_domains"].is_array()) bad("'context_domains' is an array of domain ids");
            p.context_.domains.clear();
            for (const auto& d : j["context_domains"]) {
                if (!d.is_string()) bad("'context_domains' holds strings");
                p.context_.add_domain(d.get<std::string>());
            }
        }
        p.workers = static_cast<unsigned>(uint(j, "workers", "the plan", 0));
        if (!j.contains("steps") || !j["steps"].is_array()) bad("'steps' is an array");
        std::size_t n = 0;
        for (const auto& sj : j["steps"]) {
            const std::string where = "step " + std::to_string(n++);
            if (!sj.is_object()) bad(where + " is an object");
            CoordinationStep s;
            s.id = str(sj, "id", where, true);
            const std::string w = "step '" + s.id + "'";
            s.domain = str(sj, "domain", w, true);
            s.operation = str(sj, "operation", w, true);
            if (sj.contains("params")) {
                if (!sj["params"].is_object()) bad(w + ": 'params' is an object");
                s.params = sj["params"];
            }
            if (sj.contains("depends_on")) {
                if (!sj["depends_on"].is_array()) bad(w + ": 'depends_on' is an array of step ids");
                for (const auto& d : sj["depends_on"]) {
                    if (!d.is_string()) bad(w + ": 'depends_on' holds step ids (strings)");
                    s.dependencies.push_back(d.get<std::string>());
                }
            }
            if (sj.contains("retry")) {
                const auto& r = sj["retry"];
                if (!r.is_object()) bad(w + ": 'retry' is an object");
                s.retry.attempts = static_cast<unsigned>(uint(r, "attempts", w + " retry", 1));
                s.retry.backoff = std::chrono::milliseconds(uint(r, "backoff_ms", w + " retry", 10));
                s.retry.max_backoff = std::chrono::milliseconds(uint(r, "max_backoff_ms", w + " retry", 1000));
                if (r.contains("multiplier")) {
                    if (!r["multiplier"].is_number()) bad(w + ": retry 'multiplier' is a number");
                    s.retry.multiplier = r["multiplier"].get<double>();
                }
            }
            if (sj.contains("timeout_ms")) s.timeout = std::chrono::milliseconds(uint(sj, "timeout_ms", w, 0));
            if (sj.contains("compensation")) {
                const auto& c = sj["compensation"];
                if (!c.is_object()) bad(w + ": 'compensation' is an object");
                Compensation comp{str(c, "operation", w + " compensation", true), Json::object()};
                if (c.contains("params")) {
                    if (!c["params"].is_object()) bad(w + ": compensation 'params' is an object");
                    comp.params = c["params"];
                }
                s.compensation = std::move(comp);
            }
            s.idempotency_key = str(sj, "idempotency_key", w, false);
            s.message_from = str(sj, "message_from", w, false);
            if (!s.message_from.empty() &&
                std::find(s.dependencies.begin(), s.dependencies.end(), s.message_from) == s.dependencies.end())
                s.dependencies.push_back(s.message_from);
            p.steps_.push_back(std::move(s));
        }
        return p;
    }

private:
    CoordinationContext context_;
    std::vector<CoordinationStep> steps_;
};

// Replaces every {"$from": ...} in `params` by the named step's output (outputs: by step
// id, of completed dependencies only).
inline Json resolve_references(const Json& params, const std::map<std::string, Json>& outputs, const std::string& step) {
    if (params.is_array()) {
        Json out = Json::array();
        for (const auto& x : params) out.push_back(resolve_references(x, outputs, step));
        return out;
    }
    if (!params.is_object()) return params;
    if (const auto it = params.find("$from"); it != params.end()) {
        const std::string from = it->is_string() ? it->get<std::string>() : std::string();
        const auto o = outputs.find(from);
        if (o == outputs.end())
            throw XvmError(XvmErrorKind::invalid_plan, "step '" + step + "': no output of step '" + from + "' to take a value from");
        Json v = o->second;
        if (const auto p = params.find("pointer"); p != params.end()) {
            if (!p->is_string()) throw XvmError(XvmErrorKind::invalid_plan, "step '" + step + "': a pointer is a string");
            try {
                v = o->second.at(Json::json_pointer(p->get<std::string>()));
            } catch (const Json::exception&) {
                throw XvmError(XvmErrorKind::invalid_plan, "step '" + step + "': the output of '" + from + "' has nothing at " +
                                                               p->get<std::string>());
            }
        }
        if (const auto a = params.find("as"); a != params.end()) {
            if (!a->is_string()) throw XvmError(XvmErrorKind::invalid_plan, "step '" + step + "': 'as' names a format");
            const auto [format, modulus] = parse_format(a->get<std::string>());
            v = translate(v, format, modulus, "step '" + step + "': the value from '" + from + "'");
        }
        return v;
    }
    Json out = Json::object();
    for (const auto& [k, x] : params.items()) out[k] = resolve_references(x, outputs, step);
    return out;
}

}  // namespace causality::xvm
