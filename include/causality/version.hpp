// causality/version.hpp — the library version; CMake reads it from here so the
// number lives in exactly one place.
#pragma once

#define CAUSALITY_VERSION_MAJOR 0
#define CAUSALITY_VERSION_MINOR 1
#define CAUSALITY_VERSION_PATCH 0

namespace causality {
inline constexpr int version_major = CAUSALITY_VERSION_MAJOR;
inline constexpr int version_minor = CAUSALITY_VERSION_MINOR;
inline constexpr int version_patch = CAUSALITY_VERSION_PATCH;
}  // namespace causality
