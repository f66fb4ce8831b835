// The table of built-in datasets and the reading of their options.
#include "data/builtins.h"

#include "data/fields.h"

#include <algorithm>
#include <charconv>

namespace attnscope {

namespace {

// "reviews" of "builtin:reviews?n=100".
std::string nameOf(const std::string &spec)
{
    const std::string body = spec.rfind("builtin:", 0) == 0 ? spec.substr(8) : spec;
    return body.substr(0, body.find('?'));
}

// "reviews, sensors, order".
std::string names()
{
    std::string list;
    for (const BuiltinDataset &b : builtinTable()) list += (list.empty() ? "" : ", ") + std::string(b.name);
    return list;
}

// The query's items as key/value pairs, in order; a key given twice is an
// error (a typo or a pasted spec: which value was meant cannot be known).
bool optionPairs(const std::string &spec, std::vector<std::pair<std::string, std::string>> *out,
                 std::string *error)
{
    const size_t q = spec.find('?');
    if (q == std::string::npos) return true;
    const std::string query = spec.substr(q + 1);
    size_t pos = 0;
    while (pos <= query.size()) {
        size_t amp = query.find('&', pos);
        if (amp == std::string::npos) amp = query.size();
        const std::string item = query.substr(pos, amp - pos);
        pos = amp + 1;
        if (item.empty()) continue;
        const size_t eq = item.find('=');
        if (eq == std::string::npos || eq == 0 || eq + 1 == item.size()) {
            if (error) *error = spec + ": option \"" + item + "\" is not of the form key=value";
            return false;
        }
        std::string key = item.substr(0, eq), value = item.substr(eq + 1);
        for (const auto &earlier : *out)
            if (earlier.first == key) {
                if (error)
                    *error = spec + ": option \"" + key + "\" is given twice (" + key + "=" + earlier.second
                             + ", then " + item + ")";
                return false;
            }
        out->emplace_back(std::move(key), std::move(value));
    }
    return true;
}

// The options of spec into *settings, which holds the defaults (and the
// keys a built-in takes besides n and seed).
bool readOptions(const std::string &spec, BuiltinSettings *settings, std::string *error)
{
    std::vector<std::pair<std::string, std::string>> options;
    if (!optionPairs(spec, &options, error)) return false;
    for (const auto &option : options) {
        // named, not a structured binding: clang 14 (scripts/fuzz.sh's
        // compiler) cannot capture a binding in a lambda
        const std::string &key = option.first, &value = option.second;
        auto bad = [&](const std::string &what) {
            if (error) *error = spec + ": option " + key + "=" + value + ": " + what;
            return false;
        };
        const char *b = value.data(), *e = value.data() + value.size();
        if (key == "n") {
            int64_t v = 0;
            const auto r = std::from_chars(b, e, v);
            if (r.ec != std::errc() || r.ptr != e || v < 1 || v > 10000000)
                return bad("expected a whole number of samples from 1 to 10000000");
            settings->n = int(v);
            continue;
        }
        if (key == "seed") {
            uint64_t v = 0;
            const auto r = std::from_chars(b, e, v);
            if (r.ec != std::errc() || r.ptr != e) return bad("expected a non-negative whole number");
            settings->seed = v;
            continue;
        }
        auto &fractions = settings->options;
        const auto fraction = std::find_if(fractions.begin(), fractions.end(),
                                           [&](const BuiltinOption &f) { return key == f.name; });
        if (fraction == fractions.end()) {
            std::string takes = "n, seed";
            for (const BuiltinOption &f : fractions) takes += std::string(", ") + f.name;
            if (error) *error = spec + ": unknown option \"" + key + "\" (" + nameOf(spec) + " takes " + takes + ")";
            return false;
        }
        if (fraction->max > 0) {
            int64_t v = 0;
            const auto r = std::from_chars(b, e, v);
            if (r.ec != std::errc() || r.ptr != e || v < 1 || v > fraction->max)
                return bad("expected a whole number from 1 to " + std::to_string(fraction->max));
            fraction->value = double(v);
            continue;
        }
        double v = 0;
        const auto r = std::from_chars(b, e, v);
        if (r.ec != std::errc() || r.ptr != e || !(v >= 0.0 && v <= 1.0)) return bad("expected a number from 0 to 1");
        fraction->value = v;
    }
    return true;
}

} // namespace

const std::vector<BuiltinDataset> &builtinTable()
{
    static const std::vector<BuiltinDataset> table = {
        {"reviews", {{"negation", 0.2}, {"noise", 0.0}, {"distractors", 0.15}}, generateReviews},
        {"sensors", {{"noise", 0.0}, {"missing", 0.0}}, generateSensors},
        {"order", {{"noise", 0.0}}, generateOrder},
        // Every synset unless n says fewer (117,659 in WordNet 3.0).
        {"wordnet", {{"max_classes", 45, 45}}, nullptr, readWordnet, 10000000},
    };
    return table;
}

std::vector<std::string> builtinDatasets()
{
    std::vector<std::string> names;
    for (const BuiltinDataset &b : builtinTable()) names.push_back(b.name);
    return names;
}

std::string builtinSpecHelp()
{
    return "builtin:NAME[?n=N&seed=S], NAME one of " + names();
}

double BuiltinSettings::option(std::string_view name) const
{
    for (const BuiltinOption &o : options)
        if (name == o.name) return o.value;
    return 0.0; // not reached: a generator asks for its own options
}

bool loadBuiltin(const std::string &spec, Dataset *out, std::string *error)
{
    const std::string name = nameOf(spec);
    const auto &table = builtinTable();
    const auto builtin = std::find_if(table.begin(), table.end(), [&](const BuiltinDataset &b) { return name == b.name; });
    if (builtin == table.end()) {
        if (error) *error = spec + ": unknown built-in dataset " + inQuotes(name) + " (available: " + names() + ")";
        return false;
    }
    BuiltinSettings settings;
    settings.spec = spec;
    settings.options = builtin->options;
    settings.n = builtin->n;
    if (!readOptions(spec, &settings, error)) return false;
    if (builtin->read) return builtin->read(settings, out, error);
    *out = builtin->generate(settings);
    return true;
}

int noisyLabel(int label, int classes, double p, SplitMix *rng)
{
    if (p <= 0.0 || rng->uniform() >= p) return label;
    return (label + 1 + rng->below(classes - 1)) % classes;
}

} // namespace attnscope
