// causality/error.hpp — the one error type of the library.
//
// Misuse and bad input (division by zero, a non-canonical encoding, a size that is
// not a power of two, ...) throw causality::Error. Its code() says which kind of
// problem it is so callers can branch on it; what() names the offending value and the
// place. Verifiers do not throw on hostile bytes: they return a rejection with a reason.
#pragma once

#include <stdexcept>
#include <string>
#include <string_view>

namespace causality {

enum class ErrorCode {
    division_by_zero,   // inverse or division of/by the zero element
    out_of_range,       // a value outside its domain (a non-canonical field element, ...)
    invalid_size,       // a length or dimension that does not fit the operation
    invalid_argument,   // any other parameter the operation cannot accept
    malformed_input,    // bytes that do not decode
    corrupted_data,     // stored data that fails its integrity check (a record whose bytes do not hash to its id)
    io_error,           // a file or database operation that failed
};

constexpr std::string_view to_string(ErrorCode code) noexcept {
    switch (code) {
        case ErrorCode::division_by_zero: return "division by zero";
        case ErrorCode::out_of_range: return "out of range";
        case ErrorCode::invalid_size: return "invalid size";
        case ErrorCode::invalid_argument: return "invalid argument";
        case ErrorCode::malformed_input: return "malformed input";
        case ErrorCode::corrupted_data: return "corrupted data";
        case ErrorCode::io_error: return "i/o error";
    }
    return "unknown error";
}

class Error : public std::runtime_error {
public:
    Error(ErrorCode code, const std::string& message)
        : std::runtime_error(std::string(to_string(code)) + ": " + message), code_(code) {}

    [[nodiscard]] ErrorCode code() const noexcept { return code_; }

private:
    ErrorCode code_;
};

}  // namespace causality
