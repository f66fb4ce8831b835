// The built-in datasets, "builtin:NAME[?key=value&...]": synthetic data
// whose attention has a known right answer (docs/datasets.md). One table
// lists them, their options and their generators; the loader,
// builtinDatasets(), the window's list and the help texts of the CLI and the
// window read it. Each generator has a file of its own (reviews.cpp,
// sensors.cpp, order.cpp, wordnet.cpp); seeded with splitmix64 and Box-Muller, the data is
// the same with every standard library.
#pragma once

#include "dataset.h"
#include "splitmix.h"

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace attnscope {

// An option a built-in takes besides n and seed: a number from 0 to 1, or
// a whole number from 1 to max.
struct BuiltinOption {
    const char *name;
    double value;      // in the table: the default
    int max = 0;       // > 0: a whole number from 1 to max
};

// What a generator is given: the options, read from the spec.
struct BuiltinSettings {
    std::string spec;                   // for Dataset::source
    int n = 2000;                       // samples, 1 to 10000000
    uint64_t seed = 7;
    std::vector<BuiltinOption> options; // the table's, with the values the spec gives

    double option(std::string_view name) const;
};

struct BuiltinDataset {
    const char *name;                     // builtin:<name>
    std::vector<BuiltinOption> options;   // besides n and seed, in the order messages list them
    Dataset (*generate)(const BuiltinSettings &);
    // Instead of generate, for data read from files that may be missing:
    // false with "<spec>: <what>" (naming the file and the package to install).
    bool (*read)(const BuiltinSettings &, Dataset *, std::string *) = nullptr;
    int n = 2000;                         // samples when the spec gives no n
};

// The built-ins, in the order the window lists them.
const std::vector<BuiltinDataset> &builtinTable();

// Their names ("reviews", "sensors", "order").
std::vector<std::string> builtinDatasets();

// "builtin:NAME[?n=N&seed=S], NAME one of reviews, sensors, order": the help
// texts' words for a built-in spec.
std::string builtinSpecHelp();

// Generates "builtin:NAME?k=v&k2=v2": NAME's generator with the options the
// query gives, n (samples, 1 to 10000000), seed (a non-negative whole number)
// and NAME's own, each at most once. False with "<spec>: <what>" for an
// unknown NAME (naming those there are), an item that is not key=value, a
// key given twice, an unknown key (naming those NAME takes) or a bad value.
bool loadBuiltin(const std::string &spec, Dataset *out, std::string *error);

// The generators (the table's), given valid settings.
Dataset generateReviews(const BuiltinSettings &settings);
Dataset generateSensors(const BuiltinSettings &settings);
Dataset generateOrder(const BuiltinSettings &settings);

// builtin:wordnet (wordnet.cpp): WordNet 3.0's glosses from the data.noun,
// data.verb, data.adj and data.adv files in dir (wndb(5WN)), text the
// definition before the quoted examples, tasks lexname (the 45 fields, the
// max_classes most frequent kept) and pos (a, n, r, s, v); n synsets drawn
// with the seed, in file order. False with "<spec>: <file>: ...; ...
// wordnet-base ..." when a file is missing or not in that format.
constexpr const char *WordnetDir = "/usr/share/wordnet";  // Debian's wordnet-base
bool readWordnet(const std::string &dir, const BuiltinSettings &settings, Dataset *out, std::string *error);
bool readWordnet(const BuiltinSettings &settings, Dataset *out, std::string *error);  // from WordnetDir

// Replaces a label by another class with probability p, from its own stream
// (sensors, order).
int noisyLabel(int label, int classes, double p, SplitMix *rng);

} // namespace attnscope
