#include <causality/error.hpp>
#include <causality/version.hpp>

#include <catch2/catch.hpp>

#include <string>

TEST_CASE("Error carries its code and a message that names the problem", "[error]") {
    const causality::Error e(causality::ErrorCode::invalid_size, "length 3 is not a power of two");
    CHECK(e.code() == causality::ErrorCode::invalid_size);
    CHECK(std::string(e.what()) == "invalid size: length 3 is not a power of two");
}

TEST_CASE("every error code has a distinct description", "[error]") {
    using causality::ErrorCode;
    const ErrorCode codes[] = {ErrorCode::division_by_zero, ErrorCode::out_of_range,
                               ErrorCode::invalid_size, ErrorCode::invalid_argument,
                               ErrorCode::malformed_input};
    for (auto a : codes)
        for (auto b : codes)
            CHECK((a == b) == (causality::to_string(a) == causality::to_string(b)));
}

TEST_CASE("version macros and constants agree", "[version]") {
    STATIC_REQUIRE(causality::version_major == CAUSALITY_VERSION_MAJOR);
    STATIC_REQUIRE(causality::version_minor == CAUSALITY_VERSION_MINOR);
    STATIC_REQUIRE(causality::version_patch == CAUSALITY_VERSION_PATCH);
}
