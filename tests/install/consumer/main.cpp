#include <causality/causality.hpp>

#include <iostream>

int main() {
    // The installed headers and their dependencies are usable and the library's error
    // type carries its code and message.
    try {
        throw causality::Error(causality::ErrorCode::invalid_argument, "consumer check");
    } catch (const causality::Error& e) {
        if (e.code() != causality::ErrorCode::invalid_argument) return 1;
    }
    std::cout << "causality " << causality::version_major << '.' << causality::version_minor
              << '.' << causality::version_patch << " consumer ok\n";
    return 0;
}
