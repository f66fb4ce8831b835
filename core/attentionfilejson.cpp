// The attention file's two JSON forms ({"samples": [...]}, one sample, or a
// list of samples; docs/attention.md) and the token list beside a .npy, read
// on the streaming JSON of attentionjsonstream.h straight into RawSamples.
#include "attentionfileparts.h"
#include "attentionjsonstream.h"
#include "fileutil.h"

#include <QFile>

#include <algorithm>
#include <limits>
#include <string>
#include <utility>
#include <vector>

namespace attnscope::attentionfile {

namespace {

class JsonReader : public JsonStream {
public:
    JsonReader(QFile *file, Budget *budget) : JsonStream(file), m_budget(budget) {}

    // The whole file: {"samples": [sample, ...]}, one sample object, or [sample, ...].
    bool readDocument(std::vector<RawSample> *samples)
    {
        if (!byteOrderMark()) return false;
        space();
        if (m_in.peek() == '[') {
            if (!sampleList(samples)) return false;
        } else if (m_in.peek() == '{') {
            if (!topObject(samples)) return false;
        } else {
            return fail("not an attention file: expected JSON ('{' or '['), a .npy or a .npz; found " + found());
        }
        return end();
    }

    // The whole file: one array of strings (the tokens of a .npy).
    bool readTokenList(std::vector<std::string> *tokens)
    {
        if (!byteOrderMark()) return false;
        space();
        if (m_in.peek() != '[') return fail("expected a JSON list of tokens, found " + found());
        return tokenArray(tokens, [] { return std::string("the tokens"); }) && end();
    }

private:
    // Sample members, one bit each, to refuse one given twice.
    enum Member : unsigned { Tokens = 1, Maps = 2, Pooling = 4, Predictions = 8 };

    // An array of strings, each valid UTF-8.
    template <class Where>
    bool tokenArray(std::vector<std::string> *tokens, const Where &where)
    {
        if (!open('[', where)) return false;
        bool item = false;
        for (bool first = true;; first = false) {
            if (!next(']', first, &item)) return false;
            if (!item) return true;
            const size_t j = tokens->size();
            if (m_in.peek() != '"')
                return fail(where() + ": token " + std::to_string(j) + " is " + found() + ", not a string");
            std::string token;
            if (!string(&token)) return false;
            if (!validUtf8(token)) return fail(where() + ": token " + std::to_string(j) + " is not valid UTF-8");
            if (!m_budget->take(TokenBytes + token.size())) return fail(overBudget(*m_budget));
            tokens->push_back(std::move(token));
        }
    }

    // An array of numbers.
    template <class Where>
    bool numberArray(std::vector<float> *values, const Where &where)
    {
        if (!open('[', where)) return false;
        if (!m_budget->take(VectorBytes)) return fail(overBudget(*m_budget));
        bool item = false;
        for (bool first = true;; first = false) {
            if (!next(']', first, &item)) return false;
            if (!item) return true;
            if (!m_budget->take(sizeof(float))) return fail(overBudget(*m_budget));
            float v;
            const size_t j = values->size();
            if (!number(&v, [&] { return where() + ", value " + std::to_string(j); })) return false;
            values->push_back(v);
        }
    }

    // A member name that is kept (a task or class name): UTF-8, not empty.
    bool name(std::string *out, const std::string &what)
    {
        if (!key(out)) return false;
        if (out->empty()) return fail(what + ": an empty task name");
        if (!validUtf8(*out)) return fail(what + ": a task name that is not valid UTF-8");
        if (!m_budget->take(TokenBytes + out->size())) return fail(overBudget(*m_budget));
        return true;
    }

    // Self-attention [layer][head][query][key] into *out. Every map is n x n,
    // n the length of the first row; a row or a map of another size is
    // refused as soon as it passes n (nothing ragged is ever stored), and a
    // map's floats are counted against the budget before they are allocated.
    bool maps(SelfAttentionMaps *out, const std::string &what)
    {
        std::vector<std::vector<float>> maps;
        int layers = 0, heads = -1;
        int64_t n = -1;
        bool layerItem = false, headItem = false, rowItem = false, item = false;
        if (!open('[', [&] { return what; })) return false;
        for (bool firstLayer = true;; firstLayer = false) {
            if (!next(']', firstLayer, &layerItem)) return false;
            if (!layerItem) break;
            if (layers == MaxLayers) return fail(what + ": more than " + std::to_string(MaxLayers) + " layers");
            const int l = layers;
            const auto layerName = [&] { return what + ": layer " + std::to_string(l); };
            if (!open('[', layerName)) return false;
            int h = 0;
            for (bool firstHead = true;; firstHead = false) {
                if (!next(']', firstHead, &headItem)) return false;
                if (!headItem) break;
                const auto mapName = [&] { return layerName() + ", head " + std::to_string(h); };
                if (!open('[', mapName)) return false;
                if (h == MaxHeads) return fail(layerName() + ": more than " + std::to_string(MaxHeads) + " heads");
                if (!m_budget->take(VectorBytes)) return fail(overBudget(*m_budget));
                std::vector<float> map;
                if (n > 0) {
                    if (!m_budget->take(size_t(n * n) * sizeof(float))) return fail(overBudget(*m_budget));
                    map.reserve(size_t(n * n));
                }
                int64_t rows = 0;
                for (bool firstRow = true;; firstRow = false) {
                    if (!next(']', firstRow, &rowItem)) return false;
                    if (!rowItem) break;
                    const auto rowName = [&] { return mapName() + ", row " + std::to_string(rows); };
                    if (n >= 0 && rows == n)
                        return fail(mapName() + ": more than " + std::to_string(n)
                                    + " rows, while its rows have " + std::to_string(n) + " weights (a map is L x L)");
                    if (!open('[', rowName)) return false;
                    int64_t count = 0;
                    for (bool first = true;; first = false) {
                        if (!next(']', first, &item)) return false;
                        if (!item) break;
                        if (n >= 0 && count == n)
                            return fail(rowName() + ": more than the " + std::to_string(n)
                                        + " weights of the first row (a ragged map)");
                        if (n < 0 && !m_budget->take(sizeof(float))) return fail(overBudget(*m_budget));
                        float v;
                        if (!number(&v, [&] { return rowName() + ", column " + std::to_string(count); }))
                            return false;
                        map.push_back(v);
                        ++count;
                    }
                    if (n < 0) {
                        // The first row: now the size of every map is known.
                        if (count == 0) return fail(rowName() + ": an empty row");
                        n = count;
                        if (n > std::numeric_limits<int>::max()
                            || !m_budget->take(size_t(n * n - n) * sizeof(float))) // n <= 2^28 from the budget: no overflow
                            // Said by what the row implies: the file itself may be small.
                            return fail(rowName() + ": " + std::to_string(n) + " weights, so each map would be "
                                        + std::to_string(n) + " x " + std::to_string(n) + " ("
                                        + sizeText(double(n) * double(n) * sizeof(float)) + "): " + overBudget(*m_budget));
                        map.reserve(size_t(n * n));
                    } else if (count != n) {
                        return fail(rowName() + ": " + std::to_string(count) + " weights, the first row "
                                    + std::to_string(n) + " (a ragged map)");
                    }
                    ++rows;
                }
                if (rows == 0) return fail(mapName() + ": an empty map");
                if (rows != n)
                    return fail(mapName() + ": " + std::to_string(rows) + " rows of " + std::to_string(n)
                                + " weights (a map is L x L)");
                maps.push_back(std::move(map));
                ++h;
            }
            if (h == 0) return fail(layerName() + ": no heads");
            if (heads < 0) heads = h;
            else if (h != heads)
                return fail(layerName() + ": " + std::to_string(h) + " heads, layer 0 has " + std::to_string(heads));
            ++layers;
        }
        out->layers = layers;
        out->heads = std::max(heads, 0);
        out->n = int(std::max<int64_t>(n, 0));
        out->maps = std::move(maps);
        return true;
    }

    // {"task": [weight per token], ...}
    bool pooling(std::vector<NamedWeights> *out, const std::string &what)
    {
        if (!open('{', [&] { return what; })) return false;
        bool item = false;
        for (bool first = true;; first = false) {
            if (!next('}', first, &item)) return false;
            if (!item) return true;
            NamedWeights task;
            if (!name(&task.task, what)) return false;
            if (!numberArray(&task.weights, [&] { return what + ": task " + inQuotes(task.task); })) return false;
            out->push_back(std::move(task));
        }
    }

    // {"task": {"class": "name", "probabilities": [p per class]}, ...}
    bool predictions(std::vector<Prediction> *out, const std::string &what)
    {
        if (!open('{', [&] { return what; })) return false;
        bool item = false, member = false;
        for (bool first = true;; first = false) {
            if (!next('}', first, &item)) return false;
            if (!item) return true;
            Prediction p;
            if (!name(&p.task, what)) return false;
            const std::string taskName = what + ": task " + inQuotes(p.task);
            if (!open('{', [&] { return taskName; })) return false;
            bool hasClass = false, hasProbabilities = false;
            for (bool firstMember = true;; firstMember = false) {
                if (!next('}', firstMember, &member)) return false;
                if (!member) break;
                std::string k;
                if (!key(&k)) return false;
                if (k == "class" || k == "probabilities") {
                    if ((k == "class" ? hasClass : hasProbabilities))
                        return fail(taskName + ": " + inQuotes(k) + " given twice");
                }
                if (k == "class") {
                    hasClass = true;
                    space();
                    if (m_in.peek() != '"')
                        return fail(taskName + ": 'class' is " + found() + ", not a string");
                    if (!string(&p.className)) return false;
                    if (!validUtf8(p.className)) return fail(taskName + ": a class name that is not valid UTF-8");
                    if (!m_budget->take(TokenBytes + p.className.size())) return fail(overBudget(*m_budget));
                } else if (k == "probabilities") {
                    hasProbabilities = true;
                    if (!numberArray(&p.probs, [&] { return taskName + ": 'probabilities'"; })) return false;
                } else if (!skipValue(0)) {
                    return false;
                }
            }
            if (!hasProbabilities) return fail(taskName + ": no 'probabilities'");
            out->push_back(std::move(p));
        }
    }

    // A member of a sample object: read into *s when it is one (*known),
    // else left for the caller to skip.
    bool sampleMember(const std::string &k, RawSample *s, int index, unsigned *seen, bool *known)
    {
        const Member member = k == "tokens"                      ? Tokens
                              : k == "layers" || k == "attention" ? Maps
                              : k == "tasks" || k == "pooling"    ? Pooling
                              : k == "predictions"                ? Predictions
                                                                  : Member(0);
        *known = member != 0;
        if (!*known) return true;
        const std::string what = "sample " + std::to_string(index) + ": " + inQuotes(k);
        if (*seen & member) {
            const char *twice = member == Maps      ? " (or 'layers' and 'attention' both)"
                                : member == Pooling ? " (or 'tasks' and 'pooling' both)"
                                                    : "";
            return fail(what + " given twice" + twice);
        }
        *seen |= member;
        switch (member) {
        case Tokens:
            s->hasTokens = true;
            return tokenArray(&s->sample.tokens, [&] { return what; });
        case Maps: return maps(&s->sample.selfAttention, what);
        case Pooling: return pooling(&s->pooling, what);
        case Predictions: return predictions(&s->predictions, what);
        default: return true;
        }
    }

    bool sampleObject(RawSample *s, int index)
    {
        s->sample.line = m_in.line();
        if (!m_budget->take(SampleBytes)) return fail(overBudget(*m_budget));
        if (!open('{', [&] { return "sample " + std::to_string(index); })) return false;
        unsigned seen = 0;
        bool item = false, known = false;
        for (bool first = true;; first = false) {
            if (!next('}', first, &item)) return false;
            if (!item) return true;
            std::string k;
            if (!key(&k)) return false;
            if (!sampleMember(k, s, index, &seen, &known)) return false;
            if (!known && !skipValue(0)) return false;
        }
    }

    bool sampleList(std::vector<RawSample> *samples)
    {
        if (!open('[', [] { return std::string("the samples"); })) return false;
        bool item = false;
        for (bool first = true;; first = false) {
            if (!next(']', first, &item)) return false;
            if (!item) return true;
            if (samples->size() >= size_t(std::numeric_limits<int>::max())) return fail(overBudget(*m_budget));
            if (first && m_in.peek() == '"')
                return fail("a list of strings, not of samples: tokens beside a .npy are read with it (open the .npy)");
            RawSample s;
            if (!sampleObject(&s, int(samples->size()))) return false;
            samples->push_back(std::move(s));
        }
    }

    // {"samples": [...]} or the members of one sample.
    bool topObject(std::vector<RawSample> *samples)
    {
        RawSample single;
        single.sample.line = m_in.line();
        if (!m_budget->take(SampleBytes)) return fail(overBudget(*m_budget));
        m_in.advance(); // {
        unsigned seen = 0;
        bool hasSamples = false, item = false, known = false;
        for (bool first = true;; first = false) {
            if (!next('}', first, &item)) return false;
            if (!item) break;
            std::string k;
            if (!key(&k)) return false;
            if (k == "samples") {
                if (hasSamples) return fail("'samples' given twice");
                hasSamples = true;
                if (!sampleList(samples)) return false;
                continue;
            }
            if (!sampleMember(k, &single, 0, &seen, &known)) return false;
            if (!known && !skipValue(0)) return false;
        }
        if (hasSamples && seen)
            return fail("both 'samples' and the members of one sample ('tokens', 'attention', ...): one or the other");
        if (!hasSamples) {
            if (!seen)
                return fail("neither 'samples' nor the members of one sample ('tokens', 'attention'): "
                            "not an attention file (docs/attention.md)");
            samples->push_back(std::move(single));
        }
        return true;
    }


    Budget *m_budget;
};

} // namespace

std::string readJson(QFile *file, const std::string &path, Budget *budget, std::vector<RawSample> *samples)
{
    JsonReader reader(file, budget);
    if (!reader.readDocument(samples)) return path + ":" + std::to_string(reader.errorLine()) + ": " + reader.error();
    return {};
}

// A JSON file that is one list of strings (the tokens of a .npy).
bool readTokenFile(const std::string &path, const AttentionFileLimits &limits, Budget *budget,
                   std::vector<std::string> *tokens, std::string *error)
{
    if (std::string problem = notRegularFile(path); !problem.empty()) {
        *error = problem;
        return false;
    }
    QFile file(QString::fromStdString(path));
    if (!file.open(QIODevice::ReadOnly)) {
        *error = path + ": cannot open: " + file.errorString().toStdString();
        return false;
    }
    if (file.size() > limits.maxFileBytes) {
        *error = path + ": " + sizeText(double(file.size())) + ", more than the " + sizeText(double(limits.maxFileBytes))
                 + " an attention file may have";
        return false;
    }
    JsonReader reader(&file, budget);
    if (!reader.readTokenList(tokens)) {
        *error = path + ":" + std::to_string(reader.errorLine()) + ": " + reader.error();
        return false;
    }
    return true;
}

} // namespace attnscope::attentionfile
