#include <causality/causality.hpp>

#include <iostream>

int main() {
    std::cout << "causality " << causality::version_major << '.' << causality::version_minor
              << '.' << causality::version_patch << '\n';
}
