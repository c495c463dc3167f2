// causality/xvm/validation.hpp — effects checked before they run.
//
// A ValidationContext is one effect as a plan states it (plan, step, domain, operation,
// parameters) plus the broker, so that a rule may ask the domain (who owns an account,
// which rights an actor holds). A rule adds errors and warnings (field, message, code) to
// a ValidationResult; an EffectValidator groups rules for the effects it applies to; the
// EffectValidatorRegistry runs every validator that applies and merges what they found.
// The executor validates every step of a plan before it runs any, and again with a
// step's resolved parameters (values taken from earlier steps) just before it runs it.
//
// Parameters that refer to earlier steps ({"$from": ...}) are not known before the plan
// runs: rules skip them (a warning says so) and see their values in the second check.
#pragma once

#include <causality/xvm/broker.hpp>

#include <memory>
#include <string>
#include <vector>

namespace causality::xvm {

enum class Severity : std::uint8_t { error, warning };

struct ValidationIssue {
    std::string field, message, code;
    Severity severity = Severity::error;
    std::string step;  // set by the executor
    [[nodiscard]] std::string text() const {
        return (step.empty() ? "" : "step '" + step + "': ") + (field.empty() ? "" : field + ": ") + message + " [" + code + "]";
    }
};

class ValidationResult {
public:
    static ValidationResult valid() { return {}; }
    [[nodiscard]] bool is_valid() const noexcept { return errors_.empty(); }
    void add_error(std::string field, std::string message, std::string code) {
        errors_.push_back({std::move(field), std::move(message), std::move(code), Severity::error, {}});
    }
    void add_warning(std::string field, std::string message, std::string code) {
        warnings_.push_back({std::move(field), std::move(message), std::move(code), Severity::warning, {}});
    }
    void merge(ValidationResult other, const std::string& step = {}) {
        for (auto& e : other.errors_) {
            if (e.step.empty()) e.step = step;
            errors_.push_back(std::move(e));
        }
        for (auto& w : other.warnings_) {
            if (w.step.empty()) w.step = step;
            warnings_.push_back(std::move(w));
        }
    }
    [[nodiscard]] const std::vector<ValidationIssue>& errors() const noexcept { return errors_; }
    [[nodiscard]] const std::vector<ValidationIssue>& warnings() const noexcept { return warnings_; }
    [[nodiscard]] std::string summary() const {
        std::string s;
        for (const auto& e : errors_) s += (s.empty() ? "" : "; ") + e.text();
        return s;
    }

private:
    std::vector<ValidationIssue> errors_, warnings_;
};

struct ValidationContext {
    std::string plan_id, step_id, domain, operation;
    const Json& params;
    CrossVmBroker* broker = nullptr;  // null: rules that ask a domain are skipped with a warning

    // The parameter `field` when present and known (not a reference to an earlier step).
    [[nodiscard]] const Json* known(const std::string& field) const {
        if (!params.is_object()) return nullptr;
        const auto it = params.find(field);
        if (it == params.end() || is_reference(*it)) return nullptr;
        return &*it;
    }
    [[nodiscard]] bool is_deferred(const std::string& field) const {
        return params.is_object() && params.contains(field) && is_reference(params[field]);
    }
    static bool is_reference(const Json& v) { return v.is_object() && v.contains("$from"); }
};

class ValidationRule {
public:
    virtual ~ValidationRule() = default;
    virtual void check(const ValidationContext& ctx, ValidationResult& out) const = 0;
};

class EffectValidator {
public:
    virtual ~EffectValidator() = default;
    [[nodiscard]] virtual std::string name() const = 0;
    [[nodiscard]] virtual bool applies_to(const std::string& domain, const std::string& operation) const = 0;
    [[nodiscard]] virtual ValidationResult validate(const ValidationContext& ctx) const = 0;
};

// --- built-in rules -------------------------------------------------------------------------------

namespace rules {

enum class Type : std::uint8_t { string, integer, unsigned_integer, boolean, object, array, number };
constexpr std::string_view to_string(Type t) noexcept {
    switch (t) {
        case Type::string: return "a string";
        case Type::integer: return "an integer";
        case Type::unsigned_integer: return "an unsigned integer (a number, a decimal or 0x string)";
        case Type::boolean: return "a boolean";
        case Type::object: return "an object";
        case Type::array: return "an array";
        case Type::number: return "a number";
    }
    return "?";
}

class Required final : public ValidationRule {
public:
    explicit Required(std::string field) : field_(std::move(field)) {}
    void check(const ValidationContext& ctx, ValidationResult& out) const override {
        if (!ctx.params.is_object() || !ctx.params.contains(field_))
            out.add_error(field_, "this parameter is required by " + ctx.operation, "required");
    }

private:
    std::string field_;
};

class Typed final : public ValidationRule {
public:
    Typed(std::string field, Type type) : field_(std::move(field)), type_(type) {}
    void check(const ValidationContext& ctx, ValidationResult& out) const override {
        if (ctx.is_deferred(field_)) {
            out.add_warning(field_, "comes from an earlier step; checked when the step runs", "deferred");
            return;
        }
        const Json* v = ctx.known(field_);
        if (!v) return;
        bool ok = false;
        switch (type_) {
            case Type::string: ok = v->is_string(); break;
            case Type::integer: ok = v->is_number_integer(); break;
            case Type::boolean: ok = v->is_boolean(); break;
            case Type::object: ok = v->is_object(); break;
            case Type::array: ok = v->is_array(); break;
            case Type::number: ok = v->is_number(); break;
            case Type::unsigned_integer:
                try {
                    (void)to_abi_word(*v, field_);
                    ok = !v->is_boolean();
                } catch (const XvmError&) {
                    ok = false;
                }
                break;
        }
        if (!ok) out.add_error(field_, "is " + detail::shown(*v) + ", expected " + std::string(to_string(type_)), "type");
    }

private:
    std::string field_;
    Type type_;
};

// An unsigned integer parameter within [min, max].
class Range final : public ValidationRule {
public:
    Range(std::string field, std::uint64_t min, std::uint64_t max) : field_(std::move(field)), min_(min), max_(max) {}
    void check(const ValidationContext& ctx, ValidationResult& out) const override {
        const Json* v = ctx.known(field_);
        if (!v) return;
        try {
            const std::uint64_t x = to_u64(*v, field_);
            if (x < min_ || x > max_)
                out.add_error(field_, std::to_string(x) + " is outside [" + std::to_string(min_) + ", " + std::to_string(max_) + "]",
                              "range");
        } catch (const XvmError& e) {
            out.add_error(field_, e.what(), "range");
        }
    }

private:
    std::string field_;
    std::uint64_t min_, max_;
};

// The step's domain is one of `allowed`.
class DomainAllowList final : public ValidationRule {
public:
    explicit DomainAllowList(std::vector<std::string> allowed) : allowed_(std::move(allowed)) {}
    void check(const ValidationContext& ctx, ValidationResult& out) const override {
        for (const auto& d : allowed_)
            if (d == ctx.domain) return;
        std::string list;
        for (const auto& d : allowed_) list += (list.empty() ? "" : ", ") + d;
        out.add_error("domain", "'" + ctx.domain + "' may not run " + ctx.operation + " (allowed: " + list + ")", "domain");
    }

private:
    std::vector<std::string> allowed_;
};

// The resource named by `resource_field` is owned by the party named by `actor_field`,
// or that party holds `right` on it: asked of the domain with
//   {"rights": {"resource": R, "actor": A}}  ->  {"owner": O, "rights": ["debit", ...]}
class ResourceAuthority final : public ValidationRule {
public:
    ResourceAuthority(std::string resource_field, std::string actor_field, std::string right)
        : resource_(std::move(resource_field)), actor_(std::move(actor_field)), right_(std::move(right)) {}
    void check(const ValidationContext& ctx, ValidationResult& out) const override {
        const Json* r = ctx.known(resource_);
        const Json* a = ctx.known(actor_);
        if (!r || !a) {
            if (ctx.is_deferred(resource_) || ctx.is_deferred(actor_))
                out.add_warning(actor_, "authority checked when the step runs", "deferred");
            else if (!a)
                out.add_error(actor_, "names who acts on " + resource_ + "; it is required", "required");
            return;
        }
        if (!ctx.broker || !ctx.broker->has(ctx.domain)) {
            out.add_warning(actor_, "no domain to ask who owns " + detail::shown(*r), "unchecked");
            return;
        }
        Json reply;
        try {
            reply = ctx.broker->adapter(ctx.domain).query(Json{{"rights", {{"resource", *r}, {"actor", *a}}}});
        } catch (const XvmError& e) {
            out.add_error(resource_, e.what(), "owner");
            return;
        }
        if (!reply.is_object() || !reply.contains("owner")) {
            out.add_error(resource_, detail::shown(*r) + " does not exist in domain '" + ctx.domain + "'", "owner");
            return;
        }
        if (reply["owner"] == *a) return;
        if (reply.contains("rights") && reply["rights"].is_array())
            for (const auto& x : reply["rights"])
                if (x == right_) return;
        out.add_error(actor_, detail::shown(*a) + " neither owns " + detail::shown(*r) + " nor holds the right '" + right_ + "'",
                      "capability");
    }

private:
    std::string resource_, actor_, right_;
};

}  // namespace rules

// A validator of rules for one operation (or every operation: "*") in one domain (or every
// domain: "*").
class RuleValidator final : public EffectValidator {
public:
    RuleValidator(std::string name, std::string domain, std::string operation)
        : name_(std::move(name)), domain_(std::move(domain)), operation_(std::move(operation)) {}
    template <class Rule, class... Args>
    RuleValidator& rule(Args&&... args) {
        rules_.push_back(std::make_unique<Rule>(std::forward<Args>(args)...));
        return *this;
    }
    [[nodiscard]] std::string name() const override { return name_; }
    [[nodiscard]] bool applies_to(const std::string& domain, const std::string& operation) const override {
        return (domain_ == "*" || domain_ == domain) && (operation_ == "*" || operation_ == operation);
    }
    [[nodiscard]] ValidationResult validate(const ValidationContext& ctx) const override {
        ValidationResult r;
        for (const auto& rule : rules_) rule->check(ctx, r);
        return r;
    }

private:
    std::string name_, domain_, operation_;
    std::vector<std::unique_ptr<ValidationRule>> rules_;
};

class EffectValidatorRegistry {
public:
    EffectValidator& add(std::unique_ptr<EffectValidator> v) {
        if (!v) throw XvmError(XvmErrorKind::bad_config, "a null validator");
        validators_.push_back(std::move(v));
        return *validators_.back();
    }
    RuleValidator& rules(std::string name, std::string domain, std::string operation) {
        auto v = std::make_unique<RuleValidator>(std::move(name), std::move(domain), std::move(operation));
        auto& ref = *v;
        validators_.push_back(std::move(v));
        return ref;
    }
    [[nodiscard]] ValidationResult validate(const ValidationContext& ctx) const {
        ValidationResult r;
        for (const auto& v : validators_)
            if (v->applies_to(ctx.domain, ctx.operation)) r.merge(v->validate(ctx), ctx.step_id);
        return r;
    }
    [[nodiscard]] std::size_t size() const noexcept { return validators_.size(); }

private:
    std::vector<std::unique_ptr<EffectValidator>> validators_;
};

}  // namespace causality::xvm
