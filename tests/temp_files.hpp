// Scratch files of the tests: `temp_path(folder, name)` is a path in a per-process folder
// below the system's temporary directory, with no file (nor SQLite -wal / -shm) there.
#pragma once

#include <filesystem>
#include <string>

#include <unistd.h>

namespace testfiles {

inline std::string temp_path(const std::string& folder, const std::string& name) {
    const auto dir = std::filesystem::temp_directory_path() / (folder + "-" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir);
    const auto p = dir / name;
    for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(p.string() + suffix);
    return p.string();
}

}  // namespace testfiles
