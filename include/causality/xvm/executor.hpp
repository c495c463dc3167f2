// causality/xvm/executor.hpp — runs coordination plans: validation first, dependencies,
// parallel steps, retries, cross-domain messages, saga compensation, crash recovery.
//
//   xvm::CoordinationExecutor ex(broker, validators, &journal, {.workers = 2});
//   const auto result = ex.execute(plan);          // PlanResult: the plan's and every step's outcome
//   for (auto& r : ex.resume_all()) ...            // after a crash: every unfinished plan
//
// execute(plan): check() (a cycle or a missing step throws invalid_plan); every step is
// validated (its domain and operation exist, a message target takes messages, the
// registry's validators) before any runs; a plan with an error is recorded as rejected and
// nothing runs. Then steps whose dependencies are done run on `workers` threads. A step
// failing with a retryable error (transient, timeout) is retried with its policy's backoff
// after asking the domain whether the effect was applied after all; any other failure, or
// the last attempt, is final: no new step starts, the running ones finish, and the
// compensations of the done steps run in reverse order of completion (each idempotent,
// key "<step key>#compensate", retried with the step's policy). The plan ends completed,
// compensated, or compensation_failed (a compensation that failed for good: the journal
// says which, for an operator).
//
// A step with `message_from` is cross-domain: its input is the source step's outcome, sent
// as a Message on the channel (source domain -> its domain) with the nonce the journal gave
// it, authenticated with the channel key, checked (forged, replayed, out of order) and
// delivered through the broker; the nonce is consumed in the transaction that records the
// outcome. Steps on one channel take turns, so nonces are consumed in order.
//
// Recovery (resume): steps done stay done; a step in doubt (intent without outcome) is
// first asked of its domain (applied(key)): applied means done with the domain's
// outcome, otherwise it runs again (same key, same nonce); a plan that was compensating
// goes on compensating. Without a journal the executor keeps one in memory. One executor
// uses a journal at a time (nonces are consumed in order per channel, across plans).
#pragma once

#include <causality/xvm/broker.hpp>
#include <causality/xvm/journal.hpp>
#include <causality/xvm/plan.hpp>
#include <causality/xvm/validation.hpp>

#include <algorithm>
#include <condition_variable>
#include <deque>
#include <exception>
#include <map>
#include <memory>
#include <mutex>
#include <thread>

namespace causality::xvm {

struct PlanResult {
    std::string plan_id;
    PlanStatus status = PlanStatus::running;
    std::vector<StepRecord> steps;  // in plan order: status, attempts, outcome, error, nonce
    ValidationResult validation;
    [[nodiscard]] const StepRecord& step(const std::string& id) const {
        for (const auto& s : steps)
            if (s.id == id) return s;
        throw XvmError(XvmErrorKind::invalid_plan, "plan '" + plan_id + "' has no step '" + id + "'");
    }
    [[nodiscard]] bool completed() const noexcept { return status == PlanStatus::completed; }
};

struct ExecutorOptions {
    unsigned workers = 1;  // a plan file's "workers" takes precedence
};

class CoordinationExecutor {
public:
    CoordinationExecutor(CrossVmBroker& broker, const EffectValidatorRegistry& validators, Journal* journal = nullptr,
                         ExecutorOptions options = {})
        : broker_(broker), validators_(validators), options_(options) {
        if (journal) journal_ = journal;
        else {
            own_journal_ = std::make_unique<Journal>(":memory:");
            journal_ = own_journal_.get();
        }
    }

    [[nodiscard]] Journal& journal() noexcept { return *journal_; }

    // Structure (throws invalid_plan) and every effect (the result lists what is wrong).
    [[nodiscard]] ValidationResult validate(const CoordinationPlan& plan) const {
        plan.check();
        ValidationResult out;
        for (const auto& s : plan.steps()) {
            ValidationResult r;
            if (!broker_.has(s.domain)) {
                r.add_error("domain", "no adapter for domain '" + s.domain + "'", "domain");
                out.merge(std::move(r), s.id);
                continue;
            }
            auto& a = broker_.adapter(s.domain);
            if (!a.offers(s.operation)) r.add_error("operation", "domain '" + s.domain + "' has no operation '" + s.operation + "'", "operation");
            if (s.compensation && !a.offers(s.compensation->operation))
                r.add_error("compensation", "domain '" + s.domain + "' has no operation '" + s.compensation->operation + "'", "operation");
            if (!s.message_from.empty() && !broker_.can_receive(s.domain, s.operation))
                r.add_error("message_from", "domain '" + s.domain + "' takes no cross-domain messages", "cross_vm");
            const ValidationContext ctx{plan.id(), s.id, s.domain, s.operation, s.params, &broker_};
            r.merge(validators_.validate(ctx));
            out.merge(std::move(r), s.id);
        }
        return out;
    }

    PlanResult execute(const CoordinationPlan& plan) {
        // A plan the journal has run (or is running) is resumed, not validated again: its
        // steps may have changed what validation sees. begin_plan refuses another body.
        if (const auto known = journal_->plan(plan.id()); known && known->status != PlanStatus::rejected) {
            plan.check();
            std::vector<std::string> ids;
            for (const auto& s : plan.steps()) ids.push_back(s.id);
            journal_->begin_plan(plan.id(), plan.to_json(), ids);
            return run(plan);
        }
        PlanResult rejected;
        rejected.plan_id = plan.id();
        rejected.validation = validate(plan);
        if (!rejected.validation.is_valid()) {
            journal_->reject_plan(plan.id(), plan.to_json(), rejected.validation.summary());
            rejected.status = PlanStatus::rejected;
            for (const auto& s : plan.steps()) {
                StepRecord pending;
                pending.id = s.id;
                rejected.steps.push_back(std::move(pending));
            }
            return rejected;
        }
        std::vector<std::string> ids;
        for (const auto& s : plan.steps()) ids.push_back(s.id);
        journal_->begin_plan(plan.id(), plan.to_json(), ids);
        auto result = run(plan);
        result.validation = std::move(rejected.validation);
        return result;
    }

    // Resumes the journal's plan `id` (a finished plan: its recorded result).
    PlanResult resume(const std::string& id) {
        const auto rec = journal_->plan(id);
        if (!rec) throw XvmError(XvmErrorKind::journal, "no plan '" + id + "' in " + journal_->path());
        const auto plan = CoordinationPlan::from_json(rec->body);
        if (rec->status == PlanStatus::rejected) return result_of(plan, *rec);
        return run(plan);
    }
    std::vector<PlanResult> resume_all() {
        std::vector<PlanResult> out;
        for (const auto& id : journal_->plans(true)) out.push_back(resume(id));
        return out;
    }

    // Delivers a message from outside a plan: checked and consumed like a step's.
    Outcome deliver(const Message& m, const Operation& op) {
        journal_->check_message(m);
        Outcome o = broker_.deliver(m, op);
        journal_->consume(m);
        return o;
    }

private:
    struct Run {
        const CoordinationPlan* plan = nullptr;
        std::vector<StepRecord> recs;  // plan order
        std::mutex m;
        std::condition_variable cv;
        bool failed = false;
        unsigned running = 0;
        std::exception_ptr fatal;  // a journal that cannot be written: stop and rethrow
        std::map<std::string, std::size_t> index;         // step id -> position
        std::vector<std::vector<std::size_t>> dependents;  // steps that wait for each step
        std::vector<std::size_t> remaining;                // dependencies not done yet
        std::deque<std::size_t> ready;                     // pending steps whose dependencies are done
        std::int64_t seq = 0;                              // the last completion number given
    };

    static StepRecord& rec(Run& r, const std::string& id) {
        const auto it = r.index.find(id);
        if (it == r.index.end()) throw XvmError(XvmErrorKind::journal, "plan '" + r.plan->id() + "': no record of step '" + id + "'");
        return r.recs[it->second];
    }
    // Under r.m: step i is done; its dependents may become ready.
    static void mark_done(Run& r, std::size_t i, Outcome o, std::int64_t seq) {
        r.recs[i].status = StepStatus::done;
        r.recs[i].outcome = std::move(o);
        r.recs[i].done_seq = seq;
        for (const std::size_t k : r.dependents[i])
            if (--r.remaining[k] == 0 && r.recs[k].status == StepStatus::pending) r.ready.push_back(k);
    }

    PlanResult run(const CoordinationPlan& plan) {
        Run r;
        r.plan = &plan;
        const auto recd = journal_->plan(plan.id());
        if (!recd) throw XvmError(XvmErrorKind::journal, "plan '" + plan.id() + "' is not in the journal");
        if (recd->status != PlanStatus::running && recd->status != PlanStatus::compensating) return result_of(plan, *recd);
        r.recs = recd->steps;
        if (r.recs.size() != plan.steps().size())
            throw XvmError(XvmErrorKind::journal, "plan '" + plan.id() + "': the journal has " + std::to_string(r.recs.size()) +
                                                      " steps, the plan " + std::to_string(plan.steps().size()));
        r.failed = recd->status == PlanStatus::compensating;
        for (std::size_t i = 0; i < r.recs.size(); ++i) {
            if (r.recs[i].id != plan.steps()[i].id)
                throw XvmError(XvmErrorKind::journal, "plan '" + plan.id() + "': the journal's step " + std::to_string(i) + " is '" +
                                                          r.recs[i].id + "', the plan's '" + plan.steps()[i].id + "'");
            r.index[r.recs[i].id] = i;
            if (r.recs[i].status == StepStatus::failed) r.failed = true;
            r.seq = std::max(r.seq, r.recs[i].done_seq);
        }
        r.dependents.assign(r.recs.size(), {});
        r.remaining.assign(r.recs.size(), 0);
        for (std::size_t i = 0; i < r.recs.size(); ++i)
            for (const auto& d : plan.steps()[i].dependencies) r.dependents[r.index.at(d)].push_back(i);
        // Steps in doubt: asked of their domains.
        for (auto& s : r.recs) {
            if (s.status != StepStatus::running) continue;
            const auto& step = plan.step(s.id);
            if (auto o = broker_.adapter(step.domain).applied(step.key(plan.id()))) {
                std::unique_ptr<Message> m;
                if (!step.message_from.empty() && s.nonce) m = std::make_unique<Message>(message_for(plan, step, r, *s.nonce));
                journal_->done(plan.id(), s.id, *o, ++r.seq, m.get());
                s.status = StepStatus::done;
                s.outcome = std::move(*o);
                s.done_seq = r.seq;
            } else {
                journal_->not_applied(plan.id(), s.id);  // runs again (same key and nonce), unless compensating
                s.status = StepStatus::pending;
            }
        }
        if (!r.failed) schedule(r);
        if (r.fatal) std::rethrow_exception(r.fatal);
        PlanStatus end = PlanStatus::completed;
        if (r.failed) end = compensate(r);
        journal_->finish(plan.id(), end);
        const auto final_rec = journal_->plan(plan.id());
        return result_of(plan, *final_rec);
    }

    Message message_for(const CoordinationPlan& plan, const CoordinationStep& step, Run& r, std::uint64_t nonce) {
        const auto& src = plan.step(step.message_from);
        Message m;
        m.source = src.domain;
        m.target = step.domain;
        m.nonce = nonce;
        m.operation = step.operation;
        {
            std::lock_guard lock(r.m);
            const auto& sr = rec(r, src.id);
            m.payload = sr.outcome.output;
            m.attachment = sr.outcome.attachment;
        }
        m.tag = m.compute_tag(journal_->channel_key(m.source, m.target));
        return m;
    }

    void schedule(Run& r) {
        const auto& plan = *r.plan;
        unsigned workers = plan.workers ? plan.workers : options_.workers;
        workers = std::max(1u, std::min<unsigned>(workers, static_cast<unsigned>(std::max<std::size_t>(1, plan.steps().size()))));
        for (std::size_t i = 0; i < r.recs.size(); ++i) {
            for (const auto& d : plan.steps()[i].dependencies)
                if (rec(r, d).status != StepStatus::done) ++r.remaining[i];
            if (r.recs[i].status == StepStatus::pending && r.remaining[i] == 0) r.ready.push_back(i);
        }
        const auto ready = [&]() -> std::optional<std::size_t> {
            if (r.ready.empty()) return std::nullopt;
            const std::size_t i = r.ready.front();
            r.ready.pop_front();
            return i;
        };
        const auto worker = [&] {
            std::unique_lock lock(r.m);
            for (;;) {
                std::optional<std::size_t> i;
                r.cv.wait(lock, [&] { return r.failed || r.fatal || (i = ready()) || r.running == 0; });
                if (r.failed || r.fatal || !i) {
                    r.cv.notify_all();
                    return;
                }
                r.recs[*i].status = StepStatus::running;
                ++r.running;
                lock.unlock();
                try {
                    run_step(r, *i);
                } catch (...) {
                    std::lock_guard g(r.m);
                    if (!r.fatal) r.fatal = std::current_exception();
                }
                lock.lock();
                --r.running;
                r.cv.notify_all();
            }
        };
        std::vector<std::thread> threads;
        for (unsigned w = 1; w < workers; ++w) threads.emplace_back(worker);
        worker();
        for (auto& t : threads) t.join();
    }

    std::mutex& channel_mutex(const std::string& source, const std::string& target) {
        std::lock_guard lock(channels_mutex_);
        auto& p = channel_mutexes_[source + "\n" + target];
        if (!p) p = std::make_unique<std::mutex>();
        return *p;
    }

    void run_step(Run& r, std::size_t i) {
        const auto& plan = *r.plan;
        const auto& step = plan.steps()[i];
        const std::string key = step.key(plan.id());
        auto& adapter = broker_.adapter(step.domain);
        const auto fail = [&](const std::string& why, const Message* m) {
            journal_->failed(plan.id(), step.id, why, m);
            std::lock_guard lock(r.m);
            r.recs[i].status = StepStatus::failed;
            r.recs[i].error = why;
            r.failed = true;
        };
        Json params;
        try {
            params = resolve_references(step.params, outputs(r, i, false), step.id);
            const ValidationContext ctx{plan.id(), step.id, step.domain, step.operation, params, &broker_};
            const auto v = validators_.validate(ctx);
            if (!v.is_valid()) throw XvmError(XvmErrorKind::validation_failed, v.summary());
        } catch (const XvmError& e) {
            journal_->intent(plan.id(), step.id, r.recs[i].attempts + 1, std::nullopt);
            fail(e.what(), nullptr);
            return;
        }
        std::optional<std::pair<std::string, std::string>> channel;
        std::unique_lock<std::mutex> channel_lock;
        if (!step.message_from.empty()) {
            channel.emplace(plan.step(step.message_from).domain, step.domain);
            channel_lock = std::unique_lock(channel_mutex(channel->first, channel->second));
        }
        unsigned attempt = r.recs[i].attempts;
        for (;;) {
            ++attempt;
            const auto nonce = journal_->intent(plan.id(), step.id, attempt, channel);
            {
                std::lock_guard lock(r.m);
                r.recs[i].attempts = attempt;
                r.recs[i].nonce = nonce;
            }
            Operation op{step.operation, params, key};
            if (step.timeout) op.deadline = Clock::now() + *step.timeout;
            std::unique_ptr<Message> m;
            Outcome o;
            bool ok = false, retry = false;
            std::string why;
            try {
                if (channel) {
                    m = std::make_unique<Message>(message_for(plan, step, r, *nonce));
                    journal_->check_message(*m);
                    o = broker_.deliver(*m, op);
                } else {
                    o = adapter.execute(op);
                }
                ok = true;
            } catch (const XvmError& e) {
                why = e.what();
                retry = e.retryable() && attempt < step.retry.attempts;
            } catch (const std::exception& e) {
                why = e.what();
            }
            if (!ok && !retry) {
                fail(why, m.get());
                return;
            }
            if (!ok) {
                std::this_thread::sleep_for(step.retry.wait_before(attempt + 1));
                auto late = adapter.applied(key);  // the failed attempt took effect after all
                if (!late) continue;
                o = std::move(*late);
            }
            std::int64_t seq = 0;
            {
                std::lock_guard lock(r.m);
                seq = ++r.seq;
            }
            journal_->done(plan.id(), step.id, o, seq, m.get());
            std::lock_guard lock(r.m);
            mark_done(r, i, std::move(o), seq);
            return;
        }
    }

    // The outputs step i may take values from: its dependencies' (and, for a
    // compensation, its own).
    std::map<std::string, Json> outputs(Run& r, std::size_t i, bool self) {
        std::lock_guard lock(r.m);
        std::map<std::string, Json> out;
        const auto put = [&](const StepRecord& x) {
            if (x.status != StepStatus::pending && x.status != StepStatus::running && x.status != StepStatus::failed)
                out[x.id] = x.outcome.output;
        };
        for (const auto& d : r.plan->steps()[i].dependencies) put(rec(r, d));
        if (self) put(r.recs[i]);
        return out;
    }

    // Reverse order of completion; steps without a compensation stay done.
    PlanStatus compensate(Run& r) {
        const auto& plan = *r.plan;
        // A message step in doubt that never applied will not run now: its nonce is used up,
        // so that later messages on its channel are not held behind it.
        for (const auto& x : r.recs) {
            if (x.status != StepStatus::pending || !x.nonce) continue;
            const auto& step = plan.step(x.id);
            Message m;
            m.source = plan.step(step.message_from).domain;
            m.target = step.domain;
            m.nonce = *x.nonce;
            journal_->consume(m);
        }
        std::vector<StepRecord*> order;
        for (auto& x : r.recs)
            if (x.status == StepStatus::done || x.status == StepStatus::compensating || x.status == StepStatus::compensation_failed)
                order.push_back(&x);
        std::sort(order.begin(), order.end(), [](const StepRecord* a, const StepRecord* b) { return a->done_seq > b->done_seq; });
        bool all = true;
        for (auto* x : order) {
            const auto& step = plan.step(x->id);
            if (!step.compensation) continue;
            auto& adapter = broker_.adapter(step.domain);
            const std::string key = step.key(plan.id()) + "#compensate";
            if (x->status == StepStatus::compensating || x->status == StepStatus::compensation_failed) {
                if (adapter.applied(key)) {
                    journal_->compensated(plan.id(), x->id);
                    x->status = StepStatus::compensated;
                    continue;
                }
            }
            Json params;
            try {
                params = resolve_references(step.compensation->params, outputs(r, r.index.at(x->id), true), step.id);
            } catch (const XvmError& e) {
                journal_->compensation_failed(plan.id(), x->id, e.what());
                x->status = StepStatus::compensation_failed;
                all = false;
                continue;
            }
            journal_->compensation_intent(plan.id(), x->id);
            x->status = StepStatus::compensating;
            std::string error;
            for (unsigned attempt = 1;; ++attempt) {
                try {
                    (void)adapter.execute(Operation{step.compensation->operation, params, key});
                    error.clear();
                    break;
                } catch (const XvmError& e) {
                    error = e.what();
                    if (!e.retryable() || attempt >= std::max(3u, step.retry.attempts)) break;
                } catch (const std::exception& e) {
                    error = e.what();
                    break;
                }
                std::this_thread::sleep_for(step.retry.wait_before(attempt + 1));
                if (adapter.applied(key)) {
                    error.clear();
                    break;
                }
            }
            if (error.empty()) {
                journal_->compensated(plan.id(), x->id);
                x->status = StepStatus::compensated;
            } else {
                journal_->compensation_failed(plan.id(), x->id, error);
                x->status = StepStatus::compensation_failed;
                all = false;
            }
        }
        return all ? PlanStatus::compensated : PlanStatus::compensation_failed;
    }

    static PlanResult result_of(const CoordinationPlan& plan, const PlanRecord& rec) {
        PlanResult out;
        out.plan_id = plan.id();
        out.status = rec.status;
        out.steps = rec.steps;
        return out;
    }

    CrossVmBroker& broker_;
    const EffectValidatorRegistry& validators_;
    Journal* journal_ = nullptr;
    std::unique_ptr<Journal> own_journal_;
    ExecutorOptions options_;
    std::mutex channels_mutex_;
    std::map<std::string, std::unique_ptr<std::mutex>> channel_mutexes_;
};

}  // namespace causality::xvm
