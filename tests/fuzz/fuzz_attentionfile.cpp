// The attention-file reader (JSON, .npy, .npz: the format comes from the
// bytes). Each input is written as a .npy whose tokens file beside it holds
// three tokens, so that .npy inputs of three-token maps reach their data.
// What it returns must be what it promises: every map L x L, every row,
// pooling vector and probability vector a distribution.
#include "attentionfile.h"
#include "fuzzfile.h"

#include <cmath>
#include <cstdint>

namespace {

bool distribution(const float *v, size_t n)
{
    double sum = 0;
    for (size_t j = 0; j < n; ++j) {
        if (!std::isfinite(v[j]) || v[j] < 0) return false;
        sum += v[j];
    }
    return std::fabs(sum - 1) <= 1e-3;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    using namespace attnscope;
    static const std::string tokens = [] {
        const std::string npy = fuzzFile(nullptr, 0, ".npy");
        const char list[] = "[\"a\", \"b\", \"c\"]";
        const std::string path = npyTokensPath(npy);
        std::FILE *f = std::fopen(path.c_str(), "wb");
        if (!f) std::abort();
        std::fwrite(list, 1, sizeof list - 1, f);
        std::fclose(f);
        return path;
    }();
    const std::string path = fuzzFile(data, size, ".npy");
    AttentionFile file;
    std::string error;
    AttentionFileLimits limits;
    limits.maxBytes = size_t(64) << 20;  // well inside -rss_limit_mb
    if (!readAttentionFile(path, &file, &error, limits)) {
        if (error.rfind(path, 0) != 0 && error.rfind(tokens, 0) != 0) std::abort();
        if (!file.samples.empty()) std::abort();
        return 0;
    }
    if (file.samples.empty()) std::abort();
    for (const AttentionFileSample &s : file.samples) {
        const size_t L = s.tokens.size();
        const SelfAttentionMaps &m = s.selfAttention;
        if (L == 0 || m.layers != file.layers || m.heads != file.heads) std::abort();
        if (m.maps.size() != size_t(m.layers) * size_t(m.heads) || (!m.empty() && size_t(m.n) != L)) std::abort();
        for (const std::vector<float> &map : m.maps) {
            if (map.size() != L * L) std::abort();
            for (size_t i = 0; i < L; ++i)
                if (!distribution(map.data() + i * L, L)) std::abort();
        }
        if (s.weights.size() != file.tasks.size()) std::abort();
        for (const std::vector<float> &w : s.weights)
            if (w.size() != L || !distribution(w.data(), L)) std::abort();
        if (!s.probs.empty() && s.probs.size() != file.tasks.size()) std::abort();
        for (size_t t = 0; t < s.probs.size(); ++t)
            if (s.probs[t].size() != file.tasks[t].classes.size() || !distribution(s.probs[t].data(), s.probs[t].size()))
                std::abort();
    }
    return 0;
}
