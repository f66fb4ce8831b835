#include "lesson.h"

#include "data/json.h"
#include "explain.h"
#include "fileutil.h"
#include "utf8.h"

#include <algorithm>
#include <cmath>
#include <fstream>
#include <sstream>

namespace attnscope {

const std::vector<std::string> &LessonNames::views()
{
    static const std::vector<std::string> names = {"curves", "attention", "runs", "side by side"};
    return names;
}

const std::vector<std::string> &LessonNames::attentionViews()
{
    // The Attention view's tabs, in their order (ui/attention/attentionpanel.h).
    static const std::vector<std::string> names = {"heatmap",      "text",         "self-attention", "disagreement",
                                                   "over training", "probe editor", "compare"};
    return names;
}

const std::vector<std::string> &LessonNames::comparisons()
{
    static const std::vector<std::string> names = {"modes", "layers", "learning rates"};
    return names;
}

namespace {

// "a, b or c"
std::string oneOf(const std::vector<std::string> &names)
{
    std::string out;
    for (size_t i = 0; i < names.size(); ++i)
        out += (i == 0 ? "" : i + 1 == names.size() ? " or " : ", ") + ("\"" + names[i] + "\"");
    return out;
}

// Reads one lesson's tree; each failure says where (the value's line) and what.
class LessonReader {
public:
    LessonReader(std::string_view text, const std::string &source) : m_text(text), m_source(source) {}

    bool read(const Json &root, Lesson *out)
    {
        if (root.type != Json::Object)
            return fail(root, "a lesson is an object {\"title\", \"steps\"}, not " + std::string(typeName(root)));
        if (!known(root, {"title", "summary", "steps"}, "a lesson"))
            return false;
        if (!text(root, "title", &out->title, true) || !text(root, "summary", &out->summary, false))
            return false;
        const Json *steps = root.find("steps");
        if (!steps)
            return fail(root, "the lesson has no \"steps\"");
        if (steps->type != Json::Array || steps->items.empty())
            return fail(*steps, "\"steps\" is a list of at least one step");
        for (size_t i = 0; i < steps->items.size(); ++i) {
            m_where = "step " + std::to_string(i + 1) + ": ";
            LessonStep step;
            if (!readStep(steps->items[i], &step))
                return false;
            out->steps.push_back(std::move(step));
        }
        return true;
    }

    std::string error() const { return m_error; }

private:
    int lineOf(const Json &value) const
    {
        const size_t end = std::min(value.offset, m_text.size());
        return 1 + int(std::count(m_text.begin(), m_text.begin() + long(end), '\n'));
    }

    bool fail(const Json &at, const std::string &what)
    {
        m_error = m_source + ":" + std::to_string(lineOf(at)) + ": " + m_where + what;
        return false;
    }

    bool known(const Json &object, std::initializer_list<const char *> keys, const std::string &what)
    {
        for (size_t i = 0; i < object.keys.size(); ++i)
            if (std::none_of(keys.begin(), keys.end(), [&](const char *k) { return object.keys[i] == k; })) {
                std::vector<std::string> names(keys.begin(), keys.end());
                return fail(object.items[i], "unknown key \"" + object.keys[i] + "\" in " + what + " (known: "
                                                 + oneOf(names) + ")");
            }
        return true;
    }

    bool text(const Json &object, const char *key, std::string *out, bool required)
    {
        const Json *v = object.find(key);
        if (!v)
            return required ? fail(object, std::string("\"") + key + "\" is missing") : true;
        if (v->type != Json::String)
            return fail(*v, std::string("\"") + key + "\" is a string, not " + typeName(*v));
        if (required && v->text.empty())
            return fail(*v, std::string("\"") + key + "\" is empty");
        *out = v->text;
        return true;
    }

    bool name(const Json &object, const char *key, const std::vector<std::string> &names, std::string *out)
    {
        if (!text(object, key, out, false))
            return false;
        if (!out->empty() && std::find(names.begin(), names.end(), *out) == names.end())
            return fail(*object.find(key), std::string("\"") + key + "\" is " + oneOf(names) + ", not \"" + *out + "\"");
        return true;
    }

    bool number(const Json &object, const char *key, double lo, double hi, std::optional<double> *out)
    {
        const Json *v = object.find(key);
        if (!v)
            return true;
        double x = NAN;
        if (v->type == Json::Number) {
            std::istringstream in(v->text);
            in.imbue(std::locale::classic());
            in >> x;
        }
        if (v->type != Json::Number || !std::isfinite(x))
            return fail(*v, std::string("\"") + key + "\" is a number, not " + typeName(*v));
        if (x < lo || x > hi) {
            std::ostringstream range;
            range << lo << " to " << hi;
            return fail(*v, std::string("\"") + key + "\" is " + v->text + ", outside " + range.str());
        }
        *out = x;
        return true;
    }

    bool integer(const Json &object, const char *key, int64_t lo, int64_t hi, std::optional<int64_t> *out)
    {
        const Json *v = object.find(key);
        if (!v)
            return true;
        int64_t x = 0;
        if (!jsonInteger(*v, &x))
            return fail(*v, std::string("\"") + key + "\" is a whole number, not "
                                + (v->type == Json::Number ? v->text : std::string(typeName(*v))));
        if (x < lo || x > hi)
            return fail(*v, std::string("\"") + key + "\" is " + std::to_string(x) + ", outside " + std::to_string(lo)
                                + " to " + std::to_string(hi));
        *out = x;
        return true;
    }

    bool small(const Json &object, const char *key, int lo, int hi, std::optional<int> *out)
    {
        std::optional<int64_t> v;
        if (!integer(object, key, lo, hi, &v))
            return false;
        if (v)
            *out = int(*v);
        return true;
    }

    bool readStep(const Json &v, LessonStep *step)
    {
        step->line = lineOf(v);
        if (v.type != Json::Object)
            return fail(v, std::string("a step is an object, not ") + typeName(v));
        if (!known(v, {"title", "text", "look", "data", "model", "training", "new_run", "train_to", "compare", "view",
                       "attention_view", "score", "compare_score", "probe_text", "sample_with"},
                   "a step"))
            return false;
        if (!text(v, "title", &step->title, true) || !text(v, "text", &step->text, true)
            || !text(v, "look", &step->look, false) || !text(v, "data", &step->data, false)
            || !text(v, "probe_text", &step->probeText, false) || !text(v, "sample_with", &step->sampleWith, false)
            || !name(v, "view", LessonNames::views(), &step->view)
            || !name(v, "attention_view", LessonNames::attentionViews(), &step->attentionView)
            || !name(v, "compare", LessonNames::comparisons(), &step->compare))
            return false;
        for (const auto &[key, out] : {std::pair{"score", &step->score}, std::pair{"compare_score", &step->compareScore}}) {
            std::string score;
            if (!text(v, key, &score, false))
                return false;
            Method method = Method::Attention;
            if (!score.empty() && (!parseMethod(score, &method) || method == Method::Random))
                return fail(*v.find(key), std::string("\"") + key + "\" is \"attention\", \"rollout\", \"gradient\", "
                                          "\"integrated\" or \"occlusion\", not \"" + score + "\"");
            *out = score;
        }
        std::optional<int64_t> trainTo;
        if (!integer(v, "train_to", 1, int64_t(1) << 40, &trainTo))
            return false;
        step->trainTo = trainTo.value_or(0);
        if (const Json *run = v.find("new_run")) {
            if (run->type != Json::Bool)
                return fail(*run, std::string("\"new_run\" is true or false, not ") + typeName(*run));
            step->newRun = run->boolean;
        }
        if (const Json *model = v.find("model")) {
            if (model->type != Json::Object)
                return fail(*model, std::string("\"model\" is an object, not ") + typeName(*model));
            if (!known(*model, {"layers", "heads", "dim", "max_len", "mode"}, "\"model\"")
                || !small(*model, "layers", 0, 8, &step->layers) || !small(*model, "heads", 1, 64, &step->heads)
                || !small(*model, "dim", 1, 4096, &step->dim) || !small(*model, "max_len", 1, 65536, &step->maxLen))
                return false;
            std::string mode;
            if (!text(*model, "mode", &mode, false))
                return false;
            AttentionMode parsed = AttentionMode::Task;
            if (!mode.empty()) {
                if (!parseAttentionMode(mode, &parsed))
                    return fail(*model->find("mode"), "\"mode\" is \"task\", \"shared\", \"gated\" or \"uniform\", not \""
                                                          + mode + "\"");
                step->mode = parsed;
            }
        }
        if (const Json *training = v.find("training")) {
            if (training->type != Json::Object)
                return fail(*training, std::string("\"training\" is an object, not ") + typeName(*training));
            if (!known(*training, {"lr", "rationale_weight", "speed", "epochs"}, "\"training\"")
                || !number(*training, "lr", 1e-5, 10, &step->lr)
                || !number(*training, "rationale_weight", 0, 100, &step->rationaleWeight)
                || !number(*training, "speed", 0, 1e6, &step->speed)
                || !small(*training, "epochs", 1, 100000, &step->epochs))  // the Training panel's range
                return false;
        }
        return true;
    }

    std::string_view m_text;
    std::string m_source, m_where, m_error;
};

} // namespace

bool parseLesson(std::string_view text, const std::string &source, Lesson *out, std::string *error)
{
    const auto failAt = [&](size_t offset, const std::string &what) {
        const size_t end = std::min(offset, text.size());
        *error = source + ":" + std::to_string(1 + std::count(text.begin(), text.begin() + long(end), '\n')) + ": "
                 + what;
        return false;
    };
    if (const size_t bad = utf8::invalidUtf8(text); bad != std::string_view::npos)
        return failAt(bad, "invalid UTF-8");
    Json root;
    std::string problem;
    size_t offset = 0;
    if (!parseJson(text, &root, &problem, &offset))
        return failAt(offset, problem);
    Lesson lesson;
    lesson.source = source;
    LessonReader reader(text, source);
    if (!reader.read(root, &lesson)) {
        *error = reader.error();
        return false;
    }
    *out = std::move(lesson);
    return true;
}

bool readLessonFile(const std::string &path, Lesson *out, std::string *error)
{
    if (std::string problem = notRegularFile(path); !problem.empty()) {
        *error = problem;
        return false;
    }
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        *error = path + ": cannot be read";
        return false;
    }
    // A lesson is a page of text: a megabyte is not one.
    constexpr std::streamoff MaxBytes = 1 << 20;
    in.seekg(0, std::ios::end);
    const std::streamoff size = in.tellg();
    if (size > MaxBytes) {
        *error = path + ": " + std::to_string(size) + " bytes, more than a lesson's 1 MiB";
        return false;
    }
    in.seekg(0);
    std::string text(size_t(std::max<std::streamoff>(size, 0)), '\0');
    in.read(text.data(), std::streamsize(text.size()));
    return parseLesson(text, path, out, error);
}

} // namespace attnscope
