// The readers take a path: each input is written to one file in /dev/shm
// (or TMPDIR), reused across iterations.
#pragma once

#include <cstdio>
#include <cstdlib>
#include <string>
#include <unistd.h>

inline std::string fuzzFile(const uint8_t *data, size_t size, const char *suffix)
{
    static std::string base = [] {
        const char *dir = access("/dev/shm", W_OK) == 0 ? "/dev/shm" : (std::getenv("TMPDIR") ? std::getenv("TMPDIR") : "/tmp");
        return std::string(dir) + "/attnscope-fuzz-" + std::to_string(getpid());
    }();
    const std::string path = base + suffix;
    std::FILE *f = std::fopen(path.c_str(), "wb");
    if (!f) std::abort();
    if (size) std::fwrite(data, 1, size, f);
    std::fclose(f);
    return path;
}
