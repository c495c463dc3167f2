// causality/interface_version.hpp — the version of an interface (document 002's rule,
// shared by the VM interfaces of vm/resource/interfaces.hpp and the cross-VM adapters of
// xvm/): a provider serves a client that requires the same major version and at most its
// minor version (any patch).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace causality {

struct InterfaceVersion {
    std::uint32_t major = 0, minor = 0, patch = 0;
    friend bool operator==(const InterfaceVersion&, const InterfaceVersion&) = default;
    [[nodiscard]] constexpr bool compatible_with(const InterfaceVersion& required) const noexcept {
        return major == required.major && minor >= required.minor;
    }
    [[nodiscard]] std::string text() const {
        return std::to_string(major) + "." + std::to_string(minor) + "." + std::to_string(patch);
    }
    // "1", "1.2" or "1.2.3" (each part at most 9 digits); none for anything else.
    [[nodiscard]] static std::optional<InterfaceVersion> parse(std::string_view s) {
        InterfaceVersion v;
        std::uint32_t* parts[3] = {&v.major, &v.minor, &v.patch};
        std::size_t part = 0, digits = 0;
        for (const char c : s) {
            if (c == '.') {
                if (digits == 0 || ++part == 3) return std::nullopt;
                digits = 0;
                continue;
            }
            if (c < '0' || c > '9' || digits == 9) return std::nullopt;
            *parts[part] = *parts[part] * 10 + static_cast<std::uint32_t>(c - '0');
            ++digits;
        }
        if (digits == 0) return std::nullopt;
        return v;
    }
};

}  // namespace causality
