// The checkpoint (safetensors) reader.
#include "checkpoint.h"
#include "fuzzfile.h"

#include <cstdint>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    using namespace attnscope;
    Model model;
    std::string error;
    const std::string path = fuzzFile(data, size, ".safetensors");
    loadCheckpoint(path, &model, &error);
    return 0;
}
