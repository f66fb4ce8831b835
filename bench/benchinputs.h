// Inputs of the benchmarks that time one long sample (attention_bench,
// explain_bench): builtin:reviews, a model of a given shape over its
// vocabulary and tasks, and reviews glued together into long texts.
#pragma once

#include "data/load.h"
#include "dataset.h"
#include "tokenizer.h"
#include "trainer.h"

#include <cstdio>
#include <string>
#include <utility>
#include <vector>

namespace attnscope {

// builtin:reviews?n=300; false (the error on stderr) when it does not load.
inline bool loadReviews(Dataset *reviews)
{
    std::string error;
    if (loadDataset("builtin:reviews?n=300", reviews, &error))
        return true;
    std::fprintf(stderr, "%s\n", error.c_str());
    return false;
}

// A model of the given shape (ffn 4 d) over every review, with its initial
// weights (seed 1): timing does not depend on them.
inline Model reviewsModel(const Dataset &reviews, int layers, int heads, int dim, int maxLen)
{
    std::vector<int> all(reviews.samples.size());
    for (size_t i = 0; i < all.size(); ++i) all[i] = int(i);
    ModelConfig config;
    config.dim = dim;
    config.heads = heads;
    config.ffn = 4 * dim;
    config.layers = layers;
    config.maxLen = maxLen;
    return createModel(reviews, all, config, 1);
}

// `count` texts of at least `tokens` tokens each (before any cut at max_len),
// with the reviews' tasks and labels and no rationales.
inline Dataset longTexts(const Dataset &reviews, int tokens, int count)
{
    Dataset out;
    out.source = "reviews x " + std::to_string(tokens);
    out.input = InputKind::Text;
    out.tasks = reviews.tasks;
    size_t next = 0;
    for (int k = 0; k < count; ++k) {
        Sample s = reviews.samples[next % reviews.samples.size()];
        s.rationales.assign(out.tasks.size(), {});
        while (tokenize(s.text, 0).size() < size_t(tokens))
            s.text += " " + reviews.samples[++next % reviews.samples.size()].text;
        ++next;
        out.samples.push_back(std::move(s));
    }
    return out;
}

} // namespace attnscope
