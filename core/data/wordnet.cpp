// builtin:wordnet: the glosses of WordNet 3.0, read from the data.* files of
// Debian's wordnet-base (wndb(5WN): one synset a line, "offset lex_filenum
// ss_type w_cnt word lex_id ... | gloss"), the real-data lesson.
#include "data/builtins.h"

#include "data/fields.h"
#include "utf8.h"

#include <QFile>

#include <algorithm>
#include <array>
#include <charconv>
#include <numeric>

namespace attnscope {

namespace {

const char *const WordnetDescription =
    "The glosses of WordNet 3.0 (Debian's wordnet-base): one sample per synset, its definition "
    "without the quoted examples, and two tasks.\n"
    "  pos (a / n / r / s / v): adjective, noun, adverb, satellite adjective, verb.\n"
    "  lexname: the lexicographer file, one of 45 fields such as noun.animal, verb.motion or adj.pert "
    "(max_classes keeps the most frequent; the others' samples have no lexname label).\n"
    "Real text, no right answer planted: the content words decide a lexical field ('a mammal', "
    "'a plant of the genus'), the first words and function words a part of speech ('to', 'of or "
    "relating to', 'in a ... manner'). No rationales.";

// Why the GUI opens WordNet with 0 encoder layers (measured, docs/datasets.md
// "The WordNet lesson"): with 0 layers each task's attention pools the words
// and sits on the deciding ones (mammal 0.32, carnivorous 0.25 for
// noun.animal; "in ... manner" for an adverb), and it beats the linear
// baselines; with 1 layer the encoder mixes the words first and the task
// attention in the window is near uniform (entropy 0.994 after 300 steps).
const char *const WordnetSuggestion =
    "This dataset opens with 0 encoder layers, so each task's attention reads the words directly: "
    "the content words that decide a lexical field (\"mammal\", \"plant\"), the function words that "
    "decide a part of speech (\"in a ... manner\", \"of or relating to\"). Set Layers to 1 to compare: "
    "the encoder mixes the words first and the task attention spreads out.";

// lexnames(5WN): the lexicographer files by number.
const std::array<const char *, 45> LexNames = {
    "adj.all",          "adj.pert",         "adv.all",          "noun.Tops",        "noun.act",
    "noun.animal",      "noun.artifact",    "noun.attribute",   "noun.body",        "noun.cognition",
    "noun.communication", "noun.event",     "noun.feeling",     "noun.food",        "noun.group",
    "noun.location",    "noun.motive",      "noun.object",      "noun.person",      "noun.phenomenon",
    "noun.plant",       "noun.possession",  "noun.process",     "noun.quantity",    "noun.relation",
    "noun.shape",       "noun.state",       "noun.substance",   "noun.time",        "verb.body",
    "verb.change",      "verb.cognition",   "verb.communication", "verb.competition", "verb.consumption",
    "verb.contact",     "verb.creation",    "verb.emotion",     "verb.motion",      "verb.perception",
    "verb.possession",  "verb.social",      "verb.stative",     "verb.weather",     "adj.ppl"};

const std::string PosClasses = "anrsv";  // ss_type, in byte order

struct Synset {
    std::string text;
    int pos = -1, lexname = -1;
};

// The definition of a gloss: the text before its first quoted example
// (examples follow the definition after "; ": "able to swim"), trimmed.
std::string definition(std::string_view gloss)
{
    size_t end = gloss.size();
    for (size_t i = gloss.find('"'); i != std::string_view::npos; i = gloss.find('"', i + 1)) {
        const std::string_view before = trimBlanks(gloss.substr(0, i));
        if (before.empty() || before.back() == ';') {
            end = i;
            break;
        }
    }
    std::string_view d = gloss.substr(0, end);
    while (!d.empty() && (d.back() == ';' || d.back() == '\n' || d.back() == '\r' || d.back() == ' '))
        d.remove_suffix(1);
    return std::string(trimBlanks(d));
}

// One data file's synsets; false with *error naming the file and the line.
bool readDataFile(const std::string &path, std::vector<Synset> *out, std::string *error)
{
    QFile file(QString::fromStdString(path));
    if (!file.open(QIODevice::ReadOnly)) {
        *error = path + ": " + (file.exists() ? "cannot open: " + file.errorString().toStdString() : "no such file");
        return false;
    }
    int line = 0;
    while (!file.atEnd()) {
        const QByteArray bytes = file.readLine();
        ++line;
        const std::string_view text(bytes.constData(), size_t(bytes.size()));
        if (text.empty() || text[0] == ' ')
            continue;  // the licence at the top of each file
        const auto bad = [&](const char *what) {
            *error = path + ":" + std::to_string(line) + ": " + what + " (not a WordNet 3.0 data file?)";
            return false;
        };
        // "00001740 03 n 01 entity 0 003 ... | that which is perceived ..."
        const size_t bar = text.find(" | ");
        if (text.size() < 14 || text[8] != ' ' || text[11] != ' ' || text[13] != ' ' || bar == std::string_view::npos)
            return bad("expected \"offset lex_filenum ss_type ... | gloss\"");
        int lexFile = -1;
        const auto r = std::from_chars(text.data() + 9, text.data() + 11, lexFile);
        if (r.ec != std::errc() || r.ptr != text.data() + 11 || lexFile < 0 || lexFile >= int(LexNames.size()))
            return bad("the lexicographer file number is not one of 00 to 44");
        const size_t pos = PosClasses.find(text[12]);
        if (pos == std::string::npos)
            return bad("the synset type is not one of n, v, a, s, r");
        Synset s;
        s.text = definition(text.substr(bar + 3));
        if (utf8::invalidUtf8(s.text) != std::string_view::npos)
            return bad("the gloss is not valid UTF-8");
        s.pos = int(pos);
        s.lexname = lexFile;
        if (!s.text.empty())
            out->push_back(std::move(s));
    }
    return true;
}

} // namespace

bool readWordnet(const std::string &dir, const BuiltinSettings &settings, Dataset *out, std::string *error)
{
    std::vector<Synset> synsets;
    for (const char *name : {"data.noun", "data.verb", "data.adj", "data.adv"}) {
        std::string problem;
        if (!readDataFile(dir + "/" + name, &synsets, &problem)) {
            *error = settings.spec + ": " + problem
                     + "; builtin:wordnet reads WordNet 3.0 from the Debian package wordnet-base "
                       "(apt-get install wordnet-base, or scripts/setup.sh)";
            return false;
        }
    }
    // n synsets drawn with the seed (all by default), kept in file order.
    std::vector<size_t> chosen(synsets.size());
    std::iota(chosen.begin(), chosen.end(), size_t(0));
    if (size_t(settings.n) < synsets.size()) {
        SplitMix rng(settings.seed);
        for (size_t i = 0; i < size_t(settings.n); ++i)
            std::swap(chosen[i], chosen[i + size_t(rng.below(int(synsets.size() - i)))]);
        chosen.resize(size_t(settings.n));
        std::sort(chosen.begin(), chosen.end());
    }
    // lexname: the max_classes most frequent fields of the chosen synsets
    // (ties by number), in byte order; the others' label is missing.
    std::array<int64_t, LexNames.size()> counts{};
    for (size_t i : chosen)
        ++counts[size_t(synsets[i].lexname)];
    std::vector<int> fields;
    for (size_t f = 0; f < LexNames.size(); ++f)
        if (counts[f] > 0)
            fields.push_back(int(f));
    std::stable_sort(fields.begin(), fields.end(), [&](int a, int b) { return counts[size_t(a)] > counts[size_t(b)]; });
    fields.resize(std::min(fields.size(), size_t(settings.option("max_classes"))));
    std::vector<std::string> names;
    for (int f : fields)
        names.push_back(LexNames[size_t(f)]);
    std::vector<int> remap;
    TaskInfo lexname = taskInByteOrder("lexname", names, &remap);
    std::array<int, LexNames.size()> label;
    label.fill(-1);
    for (size_t k = 0; k < fields.size(); ++k)
        label[size_t(fields[k])] = remap[k];

    Dataset data;
    data.source = settings.spec;
    data.input = InputKind::Text;
    data.description = WordnetDescription;
    data.suggestedLayers = 0;
    data.suggestion = WordnetSuggestion;
    data.tasks = {std::move(lexname), {"pos", {"a", "n", "r", "s", "v"}}};
    data.samples.reserve(chosen.size());
    for (size_t i : chosen) {
        Synset &s = synsets[i];
        Sample sample;
        sample.text = std::move(s.text);
        sample.labels = {label[size_t(s.lexname)], s.pos};
        data.samples.push_back(std::move(sample));
    }
    *out = std::move(data);
    return true;
}

bool readWordnet(const BuiltinSettings &settings, Dataset *out, std::string *error)
{
    return readWordnet(WordnetDir, settings, out, error);
}

} // namespace attnscope
