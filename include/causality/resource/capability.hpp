// causality/resource/capability.hpp — capabilities: who may do what to which resources,
// until when, delegated only by attenuation, revocable by their issuer, content-addressed.
//
// A Capability names a target (one resource by id, every resource of a kind, or every
// register of a section), a set of rights, an expiry (the first timestamp at which it is
// no longer valid), its issuer and holder (principals: 8-word digests, e.g. owner_of of a
// key) and its parent (the id of the capability it was delegated from; zero for a root).
// Its id is the ContentId of its 144-byte encoding (ContentKind::capability).
//
// The registry keeps the rules: a child is valid only if its parent is, names the same
// target, has the delegate right, and the child's rights are a subset of the parent's and
// its expiry no later; revoking a capability (only its issuer may) invalidates every
// capability delegated from it. An execution receives a CapabilityToken: the validated
// capabilities one holder presents, committed by the Merkle root of their ids (sorted),
// which a proof makes public.
#pragma once

#include <causality/resource/errors.hpp>
#include <causality/resource/merkle.hpp>
#include <causality/resource/resource.hpp>
#include <causality/store/content.hpp>

#include <algorithm>
#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace causality::resource {

enum Right : std::uint32_t {
    read = 1,
    write = 2,
    create = 4,
    consume = 8,
    transfer = 16,
    delegate = 32,
};
inline constexpr std::uint32_t all_rights = 63;

inline std::string rights_text(std::uint32_t rights) {
    static constexpr const char* names[] = {"read", "write", "create", "consume", "transfer", "delegate"};
    std::string s;
    for (int k = 0; k < 6; ++k)
        if (rights & (1u << k)) {
            if (!s.empty()) s.push_back('+');
            s.append(names[k]);
        }
    return s.empty() ? "none" : s;
}

enum class TargetKind : std::uint32_t { resource = 0, kind = 1, section = 2 };

constexpr std::string_view to_string(TargetKind t) noexcept {
    switch (t) {
        case TargetKind::resource: return "resource";
        case TargetKind::kind: return "kind";
        case TargetKind::section: return "section";
    }
    return "?";
}

using CapabilityId = store::ContentId;
using Principal = Digest;

struct Capability {
    TargetKind target_kind = TargetKind::resource;
    Digest target{};  // a resource id's words, a kind label, or a section label
    std::uint32_t rights = 0;
    std::uint64_t expiry = 0;  // valid while timestamp < expiry
    Principal issuer{};
    Principal holder{};
    CapabilityId parent{};  // zero: a root capability

    friend bool operator==(const Capability&, const Capability&) = default;
    static constexpr std::size_t encoded_bytes = 144;

    [[nodiscard]] bool is_root() const noexcept { return parent == CapabilityId{}; }
    [[nodiscard]] std::vector<std::uint8_t> bytes() const {
        std::vector<std::uint8_t> b;
        b.reserve(144);
        const auto put = [&](std::uint64_t v, int n) {
            for (int k = 0; k < n; ++k) b.push_back(static_cast<std::uint8_t>(v >> (8 * k)));
        };
        const auto put_digest = [&](const Digest& d) {
            for (std::uint32_t w : d) put(w, 4);
        };
        put(static_cast<std::uint32_t>(target_kind), 4);
        put_digest(target);
        put(rights, 4);
        put(expiry, 8);
        put_digest(issuer);
        put_digest(holder);
        put_digest(parent.words);
        return b;
    }
    [[nodiscard]] static Capability from_bytes(std::span<const std::uint8_t> b) {
        if (b.size() != 144)
            throw Error(ErrorCode::malformed_input, "capability: an encoded capability is 144 bytes, not " + std::to_string(b.size()));
        std::size_t at = 0;
        const auto get = [&](int n) {
            std::uint64_t v = 0;
            for (int k = 0; k < n; ++k) v |= std::uint64_t{b[at++]} << (8 * k);
            return v;
        };
        const auto get_digest = [&] {
            Digest d{};
            for (auto& w : d) w = static_cast<std::uint32_t>(get(4));
            return d;
        };
        Capability c;
        const auto tk = get(4);
        if (tk > 2) throw Error(ErrorCode::malformed_input, "capability: target kind " + std::to_string(tk) + " (0..2)");
        c.target_kind = static_cast<TargetKind>(tk);
        c.target = get_digest();
        c.rights = static_cast<std::uint32_t>(get(4));
        if (c.rights & ~all_rights)
            throw Error(ErrorCode::malformed_input, "capability: rights " + std::to_string(c.rights) + " name unknown rights");
        c.expiry = get(8);
        c.issuer = get_digest();
        c.holder = get_digest();
        c.parent.words = get_digest();
        return c;
    }
    [[nodiscard]] CapabilityId id() const { return store::content_id(store::ContentKind::capability, bytes()); }

    // Whether this capability's target covers a resource (by id or kind) in a section.
    [[nodiscard]] bool covers(const ResourceId& id, const Digest& kind, const Digest& section) const noexcept {
        switch (target_kind) {
            case TargetKind::resource: return target == id.words;
            case TargetKind::kind: return target == kind;
            case TargetKind::section: return target == section;
        }
        return false;
    }
};

inline std::string describe(const Capability& c) {
    const std::string target = c.target_kind == TargetKind::resource ? vm::digest_hex(c.target).substr(0, 16)
                                                                      : label_text(c.target);
    return std::string(to_string(c.target_kind)) + " " + target + " [" + rights_text(c.rights) + "]";
}

// The validated capabilities one holder presents to an execution, and their root.
class CapabilityToken {
public:
    static constexpr unsigned depth = 8;  // up to 256 capabilities in one token

    CapabilityToken() = default;
    CapabilityToken(Principal holder, std::vector<Capability> caps) : holder_(holder), caps_(std::move(caps)) {
        if (caps_.size() > (std::size_t{1} << depth))
            throw Error(ErrorCode::invalid_size, "capability: a token holds at most 256 capabilities");
        std::sort(caps_.begin(), caps_.end(), [](const Capability& a, const Capability& b) { return a.id() < b.id(); });
        MerkleTree tree(depth);
        for (const auto& c : caps_) tree.append(c.id().words);
        root_ = tree.root();
    }
    [[nodiscard]] const Principal& holder() const noexcept { return holder_; }
    [[nodiscard]] const std::vector<Capability>& capabilities() const noexcept { return caps_; }
    [[nodiscard]] const Digest& root() const noexcept { return root_; }

    // The first capability granting every right in `rights` over the resource at `now`.
    [[nodiscard]] const Capability* grant(std::uint32_t rights, const ResourceId& id, const Digest& kind,
                                          const Digest& section, std::uint64_t now) const noexcept {
        for (const auto& c : caps_)
            if ((c.rights & rights) == rights && now < c.expiry && c.covers(id, kind, section)) return &c;
        return nullptr;
    }

private:
    Principal holder_{};
    std::vector<Capability> caps_;
    Digest root_ = empty_root();
    static const Digest& empty_root() {
        static const Digest r = MerkleTree(depth).root();
        return r;
    }

public:
    friend bool operator==(const CapabilityToken&, const CapabilityToken&) = default;
};

class CapabilityRegistry {
public:
    // Adds a root capability (parent zero); returns its id.
    CapabilityId issue(const Capability& c) {
        if (!c.is_root())
            throw VmError(VmErrorKind::invalid_delegation, "issue: " + describe(c) + " names a parent; use delegate");
        return put(c);
    }
    // Adds a capability delegated from its parent, checking attenuation; returns its id.
    CapabilityId add_delegated(const Capability& c) {
        if (c.is_root()) throw VmError(VmErrorKind::invalid_delegation, "add_delegated: " + describe(c) + " has no parent");
        const Capability& p = find(c.parent);
        check_attenuates(p, c);
        return put(c);
    }
    // The holder of `parent` hands `holder` a capability with `rights` (a subset) until
    // `expiry` (no later than the parent's).
    CapabilityId delegate(const CapabilityId& parent, const Principal& by, const Principal& holder, std::uint32_t rights,
                          std::uint64_t expiry) {
        const Capability& p = find(parent);
        if (p.holder != by)
            throw VmError(VmErrorKind::not_authorized, "delegate: " + parent.hex().substr(0, 16) + " is not held by " +
                                                           vm::digest_hex(by).substr(0, 16));
        Capability c{p.target_kind, p.target, rights, expiry, by, holder, parent};
        check_attenuates(p, c);
        return put(c);
    }
    // Only the issuer revokes; every descendant becomes invalid with it.
    void revoke(const CapabilityId& id, const Principal& by) {
        const Capability& c = find(id);
        if (c.issuer != by)
            throw VmError(VmErrorKind::not_authorized, "revoke: capability " + id.hex().substr(0, 16) +
                                                           " was issued by " + vm::digest_hex(c.issuer).substr(0, 16) +
                                                           ", not " + vm::digest_hex(by).substr(0, 16));
        revoked_.insert(id);
    }
    [[nodiscard]] bool contains(const CapabilityId& id) const { return caps_.count(id) != 0; }
    [[nodiscard]] const Capability& find(const CapabilityId& id) const {
        const auto it = caps_.find(id);
        if (it == caps_.end()) throw VmError(VmErrorKind::unknown_capability, "capability " + id.hex());
        return it->second;
    }
    // Throws the VmError that makes `id` invalid at `now`: unknown, revoked (itself or an
    // ancestor), expired, or a broken delegation chain.
    void validate(const CapabilityId& id, std::uint64_t now) const {
        CapabilityId at = id;
        for (int hops = 0;; ++hops) {
            if (hops > 64) throw VmError(VmErrorKind::invalid_delegation, "capability " + id.hex() + ": chain longer than 64");
            const Capability& c = find(at);
            if (revoked_.count(at) != 0)
                throw VmError(VmErrorKind::capability_revoked,
                              "capability " + at.hex().substr(0, 16) + " (" + describe(c) + ")" +
                                  (at == id ? std::string() : ", an ancestor of " + id.hex().substr(0, 16)));
            if (now >= c.expiry)
                throw VmError(VmErrorKind::capability_expired, "capability " + at.hex().substr(0, 16) + " (" + describe(c) +
                                                                   ") expired at " + std::to_string(c.expiry) +
                                                                   ", now is " + std::to_string(now));
            if (c.is_root()) return;
            check_attenuates(find(c.parent), c);
            at = c.parent;
        }
    }
    // The token `holder` presents with these capabilities, each validated at `now`.
    [[nodiscard]] CapabilityToken token(const Principal& holder, const std::vector<CapabilityId>& ids, std::uint64_t now) const {
        std::vector<Capability> caps;
        for (const auto& id : ids) {
            validate(id, now);
            const Capability& c = find(id);
            if (c.holder != holder)
                throw VmError(VmErrorKind::not_authorized, "capability " + id.hex().substr(0, 16) + " is held by " +
                                                               vm::digest_hex(c.holder).substr(0, 16) + ", not the presenter " +
                                                               vm::digest_hex(holder).substr(0, 16));
            caps.push_back(c);
        }
        return {holder, std::move(caps)};
    }

private:
    static void check_attenuates(const Capability& p, const Capability& c) {
        const std::string who = "delegation of " + describe(c) + " from " + describe(p);
        if ((p.rights & Right::delegate) == 0) throw VmError(VmErrorKind::invalid_delegation, who + ": the parent has no delegate right");
        if ((c.rights & ~p.rights) != 0)
            throw VmError(VmErrorKind::invalid_delegation, who + ": adds " + rights_text(c.rights & ~p.rights));
        if (c.expiry > p.expiry)
            throw VmError(VmErrorKind::invalid_delegation, who + ": expiry " + std::to_string(c.expiry) + " is after the parent's " +
                                                               std::to_string(p.expiry));
        if (c.target_kind != p.target_kind || c.target != p.target)
            throw VmError(VmErrorKind::invalid_delegation, who + ": names another target");
        if (c.issuer != p.holder)
            throw VmError(VmErrorKind::invalid_delegation, who + ": issued by someone other than the parent's holder");
    }
    CapabilityId put(const Capability& c) {
        const CapabilityId id = c.id();
        caps_.emplace(id, c);
        return id;
    }
    std::map<CapabilityId, Capability> caps_;
    std::set<CapabilityId> revoked_;
};

}  // namespace causality::resource
