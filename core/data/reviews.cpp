#include "data/builtins.h"

#include <algorithm>
#include <cctype>
#include <numeric>

namespace attnscope {

namespace {

// builtin:reviews — synthetic product reviews with three tasks.
//
// Each review is 10 to 30 tokens: three cue phrases among neutral filler
// phrases and (at the "distractors" density) distractor words, in a random
// order, then a full stop.
//   sentiment (negative / positive): exactly one sentiment word, from a
//     positive or a negative list. In a fraction of the reviews ("negation",
//     20 % by default) "not" right before it flips its polarity. Negation
//     is drawn independently of the label, so the negator says nothing
//     about the label by itself, and the word is right only
//     when nothing negates it. Attention pooling over independent token
//     embeddings (0 encoder layers) computes a weighted average of
//     per-token evidence, which cannot represent "polarity XOR negated": the
//     best it can do is get three of the four (negator, polarity) cases
//     right, about 1 - negation / 2 = 90 %. One self-attention layer lets the
//     sentiment word see the negator and gets all of them. Rationale: the
//     negator and the word ("not good"), or the word alone.
//   topic (battery / delivery / screen / sound): one topic word. Rationale:
//     that word.
//   urgency (high / low): one urgency word ("asap" vs "eventually"), inside
//     a phrase whose other words are shared by both classes. Rationale: the
//     urgency word.
// Everything else (fillers, distractors, lengths, order) is independent of
// every label. Label noise, when asked for, replaces a label by another
// class at random, independently per task, from its own random stream, so the
// texts do not change with the noise level.
//
// Why 20 % negated rather than half, one negator and short lexicons: the
// data must be learnable by the default training (2000 samples, 10 epochs
// of batch 32 = 500 steps, AdamW 0.003, d 64, 1 layer). With half of the
// reviews negated the word's polarity carries no signal at all, and a
// PyTorch copy of MODEL.md stayed at chance for all 10 epochs, even trained
// on sentiment alone. With some signal, what still goes wrong is a race:
// topic and urgency (clean signals) are learned first, their cue words get
// the largest pooling keys, and the sentiment query, still random, ends up
// attending to them and stays at chance. Measured with attnscope-cli over 20
// seeds each: 30 % negated failed (< 0.95) 6 times, 25 % 4 times, 20 % with
// "not"/"never" and u^3 lengths once; 20 % with "not" only, three words per
// polarity (each frequent, so its embedding is learned early) and u^4
// lengths (fewer tokens dilute the cue) passed all of seeds 1-40 (lowest
// 0.973, mean 0.998), while 0 layers stayed at 0.89-0.92.
// The options that shape a review (their defaults are in builtinTable()).
struct ReviewOptions {
    double noise;       // share of labels replaced by another class
    double distractors; // chance that a filler slot holds a distractor word
    double negation;    // share of negated sentiment words
};

const std::vector<std::string> PositiveWords = {"good", "great", "excellent"};
const std::vector<std::string> NegativeWords = {"bad", "awful", "terrible"};
const char *const Negator = "not";
const std::vector<std::string> TopicClasses = {"battery", "delivery", "screen", "sound"};
const std::vector<std::vector<std::string>> TopicWords = {
    {"battery", "charge", "charging", "charger", "power"},
    {"delivery", "shipping", "package", "courier", "parcel"},
    {"screen", "display", "pixels", "brightness", "resolution"},
    {"sound", "speaker", "volume", "audio", "bass"}};
const std::vector<std::string> UrgencyClasses = {"high", "low"};
const std::vector<std::vector<std::string>> UrgencyWords = {
    {"urgent", "urgently", "asap", "immediately", "quickly", "promptly"},
    {"eventually", "whenever", "someday", "sometime", "later", "anytime"}};
const std::vector<std::string> Copulas = {"is", "was", "seems", "feels", "looks"};
const std::vector<std::vector<std::string>> Fillers = {
    {"i", "bought", "this", "last", "month"}, {"for", "my", "daughter"}, {"to", "be", "honest"},
    {"after", "a", "few", "days"}, {"compared", "to", "my", "old", "one"}, {"in", "the", "evening"},
    {"my", "friend", "recommended", "it"}, {"i", "use", "it", "every", "day"}, {"at", "work"},
    {"on", "weekends"}, {"with", "my", "family"}, {"i", "have", "had", "it", "for", "a", "while"},
    {"it", "was", "a", "gift"}, {"the", "manual", "is", "short"}, {"we", "got", "two", "of", "them"},
    {"my", "husband", "picked", "it"}, {"from", "the", "local", "store"},
    {"this", "is", "my", "second", "one"}, {"i", "read", "the", "reviews", "first"},
    {"so", "far"}, {"as", "expected"}, {"right", "out", "of", "the", "box"}};
// Words that look like cues (opinion-ish, product-ish, service-ish) but are
// placed independently of every label: attention should learn to skip them.
const std::vector<std::string> Distractors = {
    "very", "really", "quite", "honestly", "overall", "okay", "average", "typical",
    "price", "product", "device", "support", "warranty", "model", "brand"};

enum ReviewTask { Sentiment = 0, Topic = 1, Urgency = 2 };

struct Word {
    std::string text;
    int task = -1;        // the rationale this word belongs to, -1: none
};
using Chunk = std::vector<Word>;

template <typename T>
const T &pick(const std::vector<T> &list, SplitMix *rng) { return list[size_t(rng->below(int(list.size())))]; }

// The three cue phrases of a review with these labels: the sentiment word
// (after "not" when negated) with the topic word, in one of three forms, and
// the urgency word in one of five.
std::vector<Chunk> cuePhrases(bool positiveWord, bool negated, int topic, int urgency, SplitMix *rng)
{
    Chunk sentimentPart;
    if (negated) sentimentPart.push_back({Negator, Sentiment});
    sentimentPart.push_back({pick(positiveWord ? PositiveWords : NegativeWords, rng), Sentiment});
    const Word topicWord{pick(TopicWords[size_t(topic)], rng), Topic};

    std::vector<Chunk> chunks;
    auto withCopula = [&](Chunk head) {
        head.push_back({pick(Copulas, rng)});
        head.insert(head.end(), sentimentPart.begin(), sentimentPart.end());
        return head;
    };
    switch (rng->below(3)) {
    case 0: // "the battery is not good"
        chunks.push_back(withCopula({{"the"}, topicWord}));
        break;
    case 1: { // "not great screen"
        Chunk c = sentimentPart;
        c.push_back(topicWord);
        chunks.push_back(c);
        break;
    }
    default: // "the sound" ... "it was awful"
        chunks.push_back({{"the"}, topicWord});
        chunks.push_back(withCopula({{"it"}}));
        break;
    }
    const Word urgencyWord{pick(UrgencyWords[size_t(urgency)], rng), Urgency};
    switch (rng->below(5)) {
    case 0: chunks.push_back({urgencyWord}); break;
    case 1: chunks.push_back({urgencyWord, {"please"}}); break;
    case 2: chunks.push_back({{"reply"}, urgencyWord}); break;
    case 3: chunks.push_back({{"need"}, {"help"}, urgencyWord}); break;
    default: chunks.push_back({{"fix"}, {"it"}, urgencyWord}); break;
    }
    return chunks;
}

// Filler phrases and distractor words after the cues, up to a length drawn
// independently of them, so that it says nothing about them (the cues take
// at most 9 of the 10 to 30 tokens; the last one is the full stop). u^4
// makes short reviews common (mean about 14 tokens, one in twelve has 25 or
// more).
void addFillers(std::vector<Chunk> *chunks, double distractors, SplitMix *rng)
{
    const double u = rng->uniform();
    const int length = 10 + std::min(20, int(u * u * u * u * 21.0));
    int used = 1;
    for (const Chunk &c : *chunks) used += int(c.size());
    while (used < length) {
        Chunk c;
        if (rng->uniform() < distractors) {
            c.push_back({pick(Distractors, rng)});
        } else {
            for (const std::string &w : pick(Fillers, rng)) c.push_back({w});
            if (used + int(c.size()) > length) c.resize(size_t(length - used));
        }
        used += int(c.size());
        chunks->push_back(std::move(c));
    }
}

// The chunks in this order as one sentence, recording each cue's code point
// span (all words are ASCII, so bytes and code points agree).
Sample render(const std::vector<Chunk> &chunks, const std::vector<int> &order)
{
    Sample s;
    s.rationales.assign(3, {});
    bool first = true;
    int lastTask = -1;
    for (int ci : order) {
        for (const Word &w : chunks[size_t(ci)]) {
            if (!first) s.text.push_back(' ');
            const int start = int(s.text.size());
            std::string text = w.text;
            if (first) text[0] = char(std::toupper(static_cast<unsigned char>(text[0])));
            s.text += text;
            const int end = int(s.text.size());
            if (w.task >= 0) {
                auto &spans = s.rationales[size_t(w.task)];
                // Words of one rationale that follow each other form one
                // span: "not good" is a single span.
                if (lastTask == w.task && !spans.empty() && spans.back().end + 1 == start) spans.back().end = end;
                else spans.push_back({start, end});
            }
            lastTask = w.task;
            first = false;
        }
    }
    s.text.push_back('.');
    return s;
}

// One review: the labels, the cue phrases, the fillers, in a random order;
// then the label noise from its own stream. The draws from rng come in this
// order, so a seed gives the reviews it always gave.
Sample makeReview(SplitMix *rng, SplitMix *noiseRng, const ReviewOptions &opt)
{
    const int sentiment = rng->below(2); // 0 negative, 1 positive
    const bool negated = rng->uniform() < opt.negation;
    const bool positiveWord = (sentiment == 1) != negated;
    const int topic = rng->below(4);
    const int urgency = rng->below(2);   // 0 high, 1 low

    std::vector<Chunk> chunks = cuePhrases(positiveWord, negated, topic, urgency, rng);
    addFillers(&chunks, opt.distractors, rng);
    std::vector<int> order(chunks.size());
    std::iota(order.begin(), order.end(), 0);
    shuffle(&order, rng);
    Sample s = render(chunks, order);

    s.labels = {sentiment, topic, urgency};
    const int classes[3] = {2, 4, 2};
    for (int t = 0; t < 3; ++t) {
        // Both draws happen whatever the noise level, so the stream (and every
        // other sample's noise) does not depend on it.
        const bool flip = noiseRng->uniform() < opt.noise;
        const int shift = 1 + noiseRng->below(classes[t] - 1);
        if (flip) s.labels[size_t(t)] = (s.labels[size_t(t)] + shift) % classes[t];
    }
    return s;
}

const char *const ReviewsDescription =
    "Synthetic product reviews of 10 to 30 words, three tasks.\n"
    "sentiment (negative/positive): one sentiment word (\"good\", \"great\", \"excellent\" / \"bad\", "
    "\"awful\", \"terrible\"); in 20% of the reviews \"not\" right before it (\"not good\", "
    "\"not bad\") flips it. \"not\" alone says nothing about the label, and the "
    "word alone is wrong whenever it is negated: only a model whose tokens see each other (1 encoder "
    "layer or more) gets every case; with 0 layers (a weighted bag of words) sentiment stays near "
    "90%. Its attention should cover the negator and the word.\n"
    "topic (battery/delivery/screen/sound): one topic word (\"charger\", \"courier\", \"pixels\", "
    "\"bass\", ...). Its attention should sit on that word.\n"
    "urgency (high/low): one urgency word (\"asap\", \"immediately\" vs \"eventually\", "
    "\"whenever\", ...). Its attention should sit on that word.\n"
    "Filler phrases and distractor words (\"very\", \"price\", \"support\", ...) carry no label "
    "information. Rationales mark each task's cue words.\n"
    "Options: n (samples, default 2000), seed (default 7), negation (share of negated sentiment "
    "words, default 0.2; higher makes the 0-layer gap wider and training slower), noise (share of "
    "labels replaced by another class, default 0), distractors (chance that a filler slot holds a "
    "distractor word, default 0.15).";

// Why the GUI opens this lesson with 0 encoder layers (measured, docs/datasets.md):
// with 0 layers each task's attention settles on its cue words within about
// 200 steps (rationale mass 0.96 / 0.97 / 0.83 after 500); with 1 layer the
// encoder copies the cues into every position first, the tasks' attention
// stays spread out (mass 0.05 to 0.58 depending on the seed) and the cues
// show in the encoder's self-attention instead.
const char *const ReviewsSuggestion =
    "This dataset opens with 0 encoder layers, so each task's attention reads the words directly and moves "
    "onto its cue words within a few hundred steps. Sentiment stops near 90%: a weighted bag of "
    "words cannot flip \"not good\". Set Layers to 1 to reach 100%; the encoder then spreads the "
    "cues over every token and the negation shows in its self-attention map instead.";

} // namespace

Dataset generateReviews(const BuiltinSettings &settings)
{
    const ReviewOptions opt{settings.option("noise"), settings.option("distractors"), settings.option("negation")};

    Dataset data;
    data.source = settings.spec;
    data.input = InputKind::Text;
    data.tasks = {{"sentiment", {"negative", "positive"}},
                  {"topic", TopicClasses},
                  {"urgency", UrgencyClasses}};
    data.description = ReviewsDescription;
    data.suggestedLayers = 0;
    data.suggestion = ReviewsSuggestion;
    // Two streams from one seed: the texts, and the label noise.
    SplitMix rng(settings.seed);
    SplitMix noiseRng(settings.seed ^ 0x6E6F697365ull); // "noise"
    data.samples.reserve(size_t(settings.n));
    for (int i = 0; i < settings.n; ++i) data.samples.push_back(makeReview(&rng, &noiseRng, opt));
    return data;
}

} // namespace attnscope
