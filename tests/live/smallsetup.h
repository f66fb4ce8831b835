// A small run for the live suites: builtin:reviews?n=200 (160 training
// samples, 40 validation), width 16, 2 heads, feed-forward 32, max_len 32,
// one encoder layer, trained with `train` (batch size, steps or epochs,
// learning rate) on the usual 0.2 split.
#pragma once

#include "data/load.h"
#include "run.h"
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

// The same model for a Session's runs (its panels' settings): no encoder
// layer, batches of 16 (10 steps an epoch), 2 epochs.
inline attnscope::RunSettings smallRunSettings(float lr = 0.003f)
{
    attnscope::RunSettings s;
    s.model.dim = 16;
    s.model.heads = 2;
    s.model.ffn = 32;
    s.model.maxLen = 32;
    s.model.layers = 0;
    s.train.batchSize = 16;
    s.train.epochs = 2;
    s.train.optimizer.lr = lr;
    return s;
}
