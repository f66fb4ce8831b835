// builtin:sensors and builtin:order. Seeded with splitmix64 and Box-Muller so
// the data is the same with every standard library.
#include "builtins.h"

#include "splitmix.h"

#include <algorithm>
#include <charconv>
#include <cmath>

namespace attnscope {

namespace {

struct Options {
    int n = 2000;
    uint64_t seed = 7;
    double noise = 0.0;
    double missing = 0.0;
};

std::string nameOf(const std::string &spec)
{
    const std::string body = spec.substr(8);
    return body.substr(0, body.find('?'));
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

} // namespace

bool readBuiltinOptions(const std::string &spec, int *n, uint64_t *seed,
                        const std::vector<std::pair<const char *, double *>> &fractions, std::string *error)
{
    std::vector<std::pair<std::string, std::string>> options;
    if (!optionPairs(spec, &options, error)) return false;
    for (const auto &option : options) {
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
            *n = int(v);
            continue;
        }
        if (key == "seed") {
            uint64_t v = 0;
            const auto r = std::from_chars(b, e, v);
            if (r.ec != std::errc() || r.ptr != e) return bad("expected a non-negative whole number");
            *seed = v;
            continue;
        }
        const auto fraction = std::find_if(fractions.begin(), fractions.end(),
                                           [&](const auto &f) { return key == f.first; });
        if (fraction == fractions.end()) {
            std::string takes = "n, seed";
            for (const auto &f : fractions) takes += std::string(", ") + f.first;
            if (error) *error = spec + ": unknown option \"" + key + "\" (" + nameOf(spec) + " takes " + takes + ")";
            return false;
        }
        double v = 0;
        const auto r = std::from_chars(b, e, v);
        if (r.ec != std::errc() || r.ptr != e || !(v >= 0.0 && v <= 1.0)) return bad("expected a number from 0 to 1");
        *fraction->second = v;
    }
    return true;
}

namespace {

// Replaces a label by another class with probability p, from its own stream.
int noisy(int label, int classes, double p, SplitMix *rng)
{
    if (p <= 0.0 || rng->uniform() >= p) return label;
    return (label + 1 + rng->below(classes - 1)) % classes;
}

// ---------------------------------------------------------------------------
// builtin:sensors

const char *const SensorsDescription =
    "Synthetic machine readings: 16 numeric sensor features, each standard normal around its own "
    "offset and scale, independent of each other, and three tasks, each an alarm on the worst of "
    "its own few readings (in standard units, where 0 is the sensor's mean):\n"
    "  overheat (no / yes): temperature or current runs high: max(temperature, current) > 0.5.\n"
    "  fault (no / yes): vibration or rpm runs high, or current drops (a stalling motor): "
    "max(vibration, rpm, -current) > 0.8. Current is shared with overheat, read the other way.\n"
    "  air (good / moderate / poor): the worse of co2 and dust: max(co2, dust) below 0.2, "
    "below 0.9, or above.\n"
    "The other 10 features are noise. Rationales are each task's deciding features. A maximum is "
    "what attention pooling does naturally: each task should learn to look at its own readings "
    "and, within them, at the one that runs highest. With 0 encoder layers each task's attention "
    "puts most of its mass on its own features within a few hundred steps (overheat on "
    "temperature and current, fault on vibration, rpm and current, air on co2 and dust). With "
    "encoder layers the encoder's self-attention gathers these readings into every position "
    "first, so the task attention spreads out (docs/datasets.md).";

// Why the GUI opens this lesson with 0 encoder layers (measured, docs/datasets.md):
// with 0 layers each task's attention puts 0.6 to 0.8 of its mass on its own
// features after 500 steps; with 1 layer the encoder's self-attention selects
// them for every position and the task attention stays near uniform (0.1-0.4).
const char *const SensorsSuggestion =
    "Lesson preset: 0 encoder layers, so each task's attention reads the features directly and "
    "settles on its own readings within a few hundred steps. Set Layers to 1 to compare: the "
    "accuracy stays, but the encoder's self-attention picks the readings for every position and "
    "the task attention spreads out.";

struct Sensor {
    const char *name;
    double offset, scale;
};
const Sensor Sensors[16] = {
    {"temperature", 60, 8},  {"humidity", 45, 10}, {"pressure", 1013, 6}, {"vibration", 2, 0.5},
    {"voltage", 230, 3},     {"current", 12, 2},   {"rpm", 1500, 200},    {"noise_db", 70, 5},
    {"light", 300, 80},      {"co2", 600, 120},    {"dust", 35, 9},       {"flow", 20, 4},
    {"torque", 90, 15},      {"load", 0.6, 0.15},  {"battery", 80, 10},   {"signal", -60, 7},
};
enum { Temperature = 0, Vibration = 3, Current = 5, Rpm = 6, Co2 = 9, Dust = 10 };

bool generateSensors(const std::string &spec, Dataset *out, std::string *error)
{
    Options opt;
    if (!readBuiltinOptions(spec, &opt.n, &opt.seed, {{"noise", &opt.noise}, {"missing", &opt.missing}}, error))
        return false;
    Dataset data;
    data.source = spec;
    data.input = InputKind::Tabular;
    data.description = SensorsDescription;
    data.suggestedLayers = 0;
    data.suggestion = SensorsSuggestion;
    for (const Sensor &s : Sensors) data.featureNames.push_back(s.name);
    data.tasks = {{"air", {"good", "moderate", "poor"}}, {"fault", {"no", "yes"}}, {"overheat", {"no", "yes"}}};
    auto spans = [](std::initializer_list<int> features) {
        std::vector<Span> out;
        for (int f : features) out.push_back({f, f + 1});
        return out;
    };
    const std::vector<std::vector<Span>> rationales = {
        spans({Co2, Dust}), spans({Vibration, Current, Rpm}), spans({Temperature, Current})};
    SplitMix rng(opt.seed);
    SplitMix noiseRng(opt.seed ^ 0x6E6F697365ull);
    SplitMix missingRng(opt.seed ^ 0x6D697373ull);
    data.samples.reserve(size_t(opt.n));
    for (int i = 0; i < opt.n; ++i) {
        double z[16];
        for (double &v : z) v = rng.normal();
        Sample s;
        s.features.resize(16);
        for (int j = 0; j < 16; ++j) s.features[size_t(j)] = float(Sensors[j].offset + Sensors[j].scale * z[j]);
        // Each task is an alarm on the worst of its readings; the cut points
        // balance the classes (P(max of k standard normals < t) = Phi(t)^k).
        const double air = std::max(z[Co2], z[Dust]);
        const int airClass = air < 0.2 ? 0 : air < 0.9 ? 1 : 2;
        const int fault = std::max({z[Vibration], z[Rpm], -z[Current]}) > 0.8 ? 1 : 0;
        const int overheat = std::max(z[Temperature], z[Current]) > 0.5 ? 1 : 0;
        s.labels = {noisy(airClass, 3, opt.noise, &noiseRng), noisy(fault, 2, opt.noise, &noiseRng),
                    noisy(overheat, 2, opt.noise, &noiseRng)};
        s.rationales = rationales;
        if (opt.missing > 0) {
            bool any = false;
            for (float &v : s.features) {
                if (missingRng.uniform() < opt.missing) v = std::nanf("");
                else any = true;
            }
            if (!any) s.features[0] = float(Sensors[0].offset + Sensors[0].scale * z[0]);
        }
        data.samples.push_back(std::move(s));
    }
    *out = std::move(data);
    return true;
}

// ---------------------------------------------------------------------------
// builtin:order

const char *const OrderDescription =
    "Short sequences of filler words with two or three colour words (red, green, blue, yellow) at "
    "random places, and two tasks.\n"
    "  same (no / yes): is the first colour word the same colour as the last one? Half are.\n"
    "  first (blue / green / red / yellow): the first colour word.\n"
    "Neither depends on where the colours are, only on their order, so attention pooling over "
    "independent tokens (0 encoder layers) cannot solve 'same': the colour words must see each other. "
    "With one or more layers, the self-attention maps should show the colour words attending to "
    "each other, and the task attention of both tasks sitting on the colour words. Rationales: the "
    "first and the last colour word for same, the first colour word for first.";

const std::vector<std::string> Colours = {"blue", "green", "red", "yellow"};
const std::vector<std::string> Fillers = {"the", "a", "box", "ball", "then", "and", "next", "is",
                                          "small", "big", "on", "near", "cup", "table", "one", "there"};

bool generateOrder(const std::string &spec, Dataset *out, std::string *error)
{
    Options opt;
    if (!readBuiltinOptions(spec, &opt.n, &opt.seed, {{"noise", &opt.noise}}, error)) return false;
    Dataset data;
    data.source = spec;
    data.input = InputKind::Text;
    data.description = OrderDescription;
    data.tasks = {{"first", Colours}, {"same", {"no", "yes"}}};
    SplitMix rng(opt.seed);
    SplitMix noiseRng(opt.seed ^ 0x6E6F697365ull);
    data.samples.reserve(size_t(opt.n));
    for (int i = 0; i < opt.n; ++i) {
        const int length = 6 + rng.below(11); // 6 to 16 words
        const int k = 2 + rng.below(2);       // colour words
        const bool same = rng.below(2) == 1;
        const int first = rng.below(4);
        const int last = same ? first : (first + 1 + rng.below(3)) % 4;
        std::vector<int> colourAt(size_t(length), -1);
        // k distinct positions, in order
        std::vector<int> positions;
        while (int(positions.size()) < k) {
            const int p = rng.below(length);
            if (colourAt[size_t(p)] == -1) {
                colourAt[size_t(p)] = 0;
                positions.push_back(p);
            }
        }
        std::sort(positions.begin(), positions.end());
        colourAt[size_t(positions.front())] = first;
        colourAt[size_t(positions.back())] = last;
        for (size_t m = 1; m + 1 < positions.size(); ++m) colourAt[size_t(positions[m])] = rng.below(4);
        Sample s;
        Span firstSpan, lastSpan;
        for (int j = 0; j < length; ++j) {
            if (j) s.text += ' ';
            const int start = int(s.text.size()); // ASCII: bytes are code points
            s.text += colourAt[size_t(j)] >= 0 ? Colours[size_t(colourAt[size_t(j)])]
                                               : Fillers[size_t(rng.below(int(Fillers.size())))];
            if (j == positions.front()) firstSpan = {start, int(s.text.size())};
            if (j == positions.back()) lastSpan = {start, int(s.text.size())};
        }
        s.labels = {noisy(first, 4, opt.noise, &noiseRng), noisy(same ? 1 : 0, 2, opt.noise, &noiseRng)};
        s.rationales = {{firstSpan}, {firstSpan, lastSpan}};
        data.samples.push_back(std::move(s));
    }
    *out = std::move(data);
    return true;
}

} // namespace

bool isExtraBuiltin(const std::string &spec)
{
    if (spec.rfind("builtin:", 0) != 0) return false;
    const std::string name = nameOf(spec);
    return name == "sensors" || name == "order";
}

bool loadExtraBuiltin(const std::string &spec, Dataset *out, std::string *error)
{
    const std::string name = nameOf(spec);
    if (name == "sensors") return generateSensors(spec, out, error);
    if (name == "order") return generateOrder(spec, out, error);
    if (error) *error = spec + ": unknown built-in dataset \"" + name + "\"";
    return false;
}

} // namespace attnscope
