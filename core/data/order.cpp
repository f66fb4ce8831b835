// builtin:order: short texts whose tasks depend on the order of their colour
// words, so that the tokens must attend to each other.
#include "data/builtins.h"

#include <algorithm>

namespace attnscope {

namespace {

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

} // namespace

Dataset generateOrder(const BuiltinSettings &settings)
{
    const double noise = settings.option("noise");
    Dataset data;
    data.source = settings.spec;
    data.input = InputKind::Text;
    data.description = OrderDescription;
    data.tasks = {{"first", Colours}, {"same", {"no", "yes"}}};
    SplitMix rng(settings.seed);
    SplitMix noiseRng(settings.seed ^ 0x6E6F697365ull);
    data.samples.reserve(size_t(settings.n));
    for (int i = 0; i < settings.n; ++i) {
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
        s.labels = {noisyLabel(first, 4, noise, &noiseRng), noisyLabel(same ? 1 : 0, 2, noise, &noiseRng)};
        s.rationales = {{firstSpan}, {firstSpan, lastSpan}};
        data.samples.push_back(std::move(s));
    }
    return data;
}

} // namespace attnscope
