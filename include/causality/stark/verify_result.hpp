// causality/stark/verify_result.hpp — what verifiers return: acceptance, or a rejection
// that says why. Verifiers never throw on hostile input; they return a rejection.
#pragma once

#include <string>
#include <utility>

namespace causality::stark {

class VerifyResult {
public:
    static VerifyResult accept() { return VerifyResult(true, {}); }
    static VerifyResult reject(std::string reason) { return VerifyResult(false, std::move(reason)); }

    [[nodiscard]] bool ok() const noexcept { return ok_; }
    explicit operator bool() const noexcept { return ok_; }
    // Empty when accepted.
    [[nodiscard]] const std::string& reason() const noexcept { return reason_; }

private:
    VerifyResult(bool ok, std::string reason) : ok_(ok), reason_(std::move(reason)) {}
    bool ok_;
    std::string reason_;
};

}  // namespace causality::stark
