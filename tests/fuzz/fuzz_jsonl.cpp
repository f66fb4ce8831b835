// The JSON Lines reader.
#include "data/load.h"
#include "dataset.h"
#include "fuzzfile.h"

#include <cstdint>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    using namespace attnscope;
    Dataset d;
    std::string error;
    const std::string path = fuzzFile(data, size, ".jsonl");
    if (!loadDataset(path, &d, &error)) {
        if (error.rfind(path, 0) != 0) std::abort();
    } else {
        for (const Sample &s : d.samples)
            if (s.labels.size() != d.tasks.size()) std::abort();
        // encoding must cope with whatever loaded
        std::vector<int> all(d.samples.size());
        for (size_t i = 0; i < all.size(); ++i) all[i] = int(i);
        encodeDataset(d, all, Vocabulary(), 16);
        std::vector<float> mean, std;
        featureStats(d, all, &mean, &std);
        if (!checkStandardised(d, all, mean, std, &error) && error.rfind(path, 0) != 0) std::abort();
    }
    return 0;
}
