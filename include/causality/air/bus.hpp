// causality/air/bus.hpp — the bus balance check: runs AIRs on concrete traces, tallies
// every message they send and receive, and lists the messages whose counts do not cancel
// (bus, fields, net count, and which AIRs sent and received it), so that a chip author
// sees which message is missing before a proof fails to verify.
#pragma once

#include <causality/air/air.hpp>
#include <causality/air/debug.hpp>
#include <causality/field/matrix.hpp>

#include <cstddef>
#include <map>
#include <span>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

namespace causality::air {

template <field::PrimeField F>
struct UnbalancedMessage {
    BusId bus = 0;
    std::vector<F> fields;
    F net;                                          // sent minus received
    std::vector<std::pair<std::size_t, F>> senders;   // (AIR index, total count sent)
    std::vector<std::pair<std::size_t, F>> receivers; // (AIR index, total count received)
};

template <field::PrimeField F>
struct BusReport {
    std::vector<std::string> airs;                 // names, by index
    std::vector<UnbalancedMessage<F>> unbalanced;  // the first `limit`, by bus then fields
    std::size_t total_unbalanced = 0;
    std::size_t messages_checked = 0;              // distinct (bus, fields)

    [[nodiscard]] bool ok() const noexcept { return total_unbalanced == 0; }
    [[nodiscard]] std::string to_string() const {
        std::ostringstream os;
        if (ok()) {
            os << "buses balanced: " << messages_checked << " distinct messages";
            return os.str();
        }
        os << total_unbalanced << " unbalanced bus message(s)";
        const auto who = [&](std::size_t i) { return i < airs.size() ? "'" + airs[i] + "'" : std::to_string(i); };
        for (const auto& m : unbalanced) {
            os << "; bus " << m.bus << " (";
            for (std::size_t k = 0; k < m.fields.size(); ++k) os << (k ? ", " : "") << m.fields[k];
            os << "): net " << m.net;
            if (m.senders.empty()) os << ", sent by no AIR";
            for (const auto& [i, c] : m.senders) os << ", sent " << c << " by " << who(i);
            if (m.receivers.empty()) os << ", received by no AIR";
            for (const auto& [i, c] : m.receivers) os << ", received " << c << " by " << who(i);
        }
        return os.str();
    }
};

// Collects the messages of several AIRs' traces; report() lists the unbalanced ones.
template <field::PrimeField F>
class BusLedger {
public:
    // Runs `a` on every row of `trace`; its messages count as AIR number airs().size().
    // Shape errors are Error(invalid_size) as in check_constraints.
    template <class A>
    void add(const A& a, const field::RowMajorMatrix<F>& trace, std::span<const F> public_values) {
        add_rows([&](const auto& visit) { return detail::for_each_row(a, trace, public_values, visit); });
    }
    // The same for a run over the rows that returns the AIR's shape (see
    // detail::constraint_report): independent of the AIR's type.
    template <class RunRows>
    void add_rows(RunRows&& run) {
        const std::size_t index = names_.size();
        const AirShape shape = run([&](std::size_t, const DebugBuilder<F>& b) {
            for (const auto& m : b.messages()) {
                Tally& t = tallies_[Key{m.bus, m.fields}];
                if (m.is_send) {
                    t.net += m.count;
                    t.sent[index] += m.count;
                } else {
                    t.net -= m.count;
                    t.received[index] += m.count;
                }
            }
        });
        names_.push_back(shape.name);
    }

    [[nodiscard]] const std::vector<std::string>& airs() const noexcept { return names_; }

    [[nodiscard]] BusReport<F> report(std::size_t limit = 20) const {
        BusReport<F> r;
        r.airs = names_;
        r.messages_checked = tallies_.size();
        for (const auto& [key, t] : tallies_) {
            if (t.net.is_zero()) continue;
            ++r.total_unbalanced;
            if (r.unbalanced.size() >= limit) continue;
            UnbalancedMessage<F> u{key.bus, key.fields, t.net, {}, {}};
            for (const auto& [i, c] : t.sent)
                if (!c.is_zero()) u.senders.emplace_back(i, c);
            for (const auto& [i, c] : t.received)
                if (!c.is_zero()) u.receivers.emplace_back(i, c);
            r.unbalanced.push_back(std::move(u));
        }
        return r;
    }

private:
    struct Key {
        BusId bus;
        std::vector<F> fields;
        friend bool operator<(const Key& a, const Key& b) {
            if (a.bus != b.bus) return a.bus < b.bus;
            if (a.fields.size() != b.fields.size()) return a.fields.size() < b.fields.size();
            for (std::size_t k = 0; k < a.fields.size(); ++k)
                if (a.fields[k] != b.fields[k]) return a.fields[k].to_u64() < b.fields[k].to_u64();
            return false;
        }
    };
    struct Tally {
        F net = F::zero();
        std::map<std::size_t, F> sent, received;
    };
    std::map<Key, Tally> tallies_;
    std::vector<std::string> names_;
};

}  // namespace causality::air
