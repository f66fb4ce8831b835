// The CSV parser in memory (fed in two pieces split where the first byte
// says), then the whole CSV and TSV reader on the same bytes.
#include "data/csvparser.h"
#include "data/load.h"
#include "dataset.h"
#include "fuzzfile.h"

#include <cstdint>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    using namespace attnscope;
    if (size > 0) {
        const size_t cut = size > 1 ? data[0] % size : 0;
        size_t fields = 0;
        CsvParser parser(',', [&](int line, std::vector<std::string> &record) {
            if (line < 1 || record.empty()) std::abort();
            fields += record.size();
            return true;
        });
        if (parser.feed(reinterpret_cast<const char *>(data), cut))
            if (parser.feed(reinterpret_cast<const char *>(data) + cut, size - cut)) parser.finish();
    }
    for (const char *suffix : {".csv", ".tsv"}) {
        Dataset d;
        std::string error;
        const std::string path = fuzzFile(data, size, suffix);
        if (!loadDataset(path, LoadOptions(), &d, &error)) {
            if (error.rfind(path, 0) != 0) std::abort(); // every error names the file
        } else {
            for (const Sample &s : d.samples)
                if (s.labels.size() != d.tasks.size()) std::abort();
            // what a run does next: statistics, then the standardisation check
            std::vector<int> all(d.samples.size());
            for (size_t i = 0; i < all.size(); ++i) all[i] = int(i);
            std::vector<float> mean, std;
            featureStats(d, all, &mean, &std);
            if (!checkStandardised(d, all, mean, std, &error) && error.rfind(path, 0) != 0) std::abort();
        }
    }
    return 0;
}
