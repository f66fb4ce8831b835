// A small run for the live suites: builtin:reviews?n=200 (160 training
// samples, 40 validation), width 16, 2 heads, feed-forward 32, max_len 32,
// one encoder layer, trained with `train` (batch size, steps or epochs,
// learning rate) on the usual 0.2 split.
#pragma once

#include "data/load.h"
#include "runplan.h"

#include <QtGlobal>

#include <memory>

inline std::shared_ptr<attnscope::TrainingSetup> smallSetup(const attnscope::TrainConfig &train)
{
    using namespace attnscope;
    Dataset data;
    std::string error;
    if (!loadDataset("builtin:reviews?n=200", &data, &error))
        qFatal("%s", error.c_str());
    ModelConfig config;
    config.dim = 16;
    config.heads = 2;
    config.ffn = 32;
    config.maxLen = 32;
    auto setup = std::make_shared<TrainingSetup>();
    if (!buildSetup(data, config, train, 0.2, setup.get(), &error))
        qFatal("%s", error.c_str());
    return setup;
}
