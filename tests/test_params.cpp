// The parameter table (core/params.h): the names, shapes and order of
// MODEL.md section 6, the named views that point into one buffer, the
// initialisation of MODEL.md section 8, and models whose views follow their
// own buffer through copies and moves.
#include "model.h"
#include "random.h"

#include <QTest>

#include <algorithm>
#include <cmath>
#include <set>
#include <string>
#include <utility>
#include <vector>

using namespace attnscope;

namespace {

ModelConfig smallConfig(InputKind input, AttentionMode mode, int layers)
{
    return ModelConfig{.input = input, .dim = 8, .heads = 2, .ffn = 12, .layers = layers, .maxLen = 6,
                       .mode = mode, .vocabSize = 9, .features = 5, .classes = {3, 2}};
}

// Every pointer of a view, the null ones included.
template <class T>
std::vector<T *> pointersOf(const ParamView<T> &v)
{
    std::vector<T *> all = {v.token, v.position, v.feature_scale, v.feature_bias};
    for (const LayerView<T> &w : v.layers)
        all.insert(all.end(), {w.ln1_w, w.ln1_b, w.q_w, w.q_b, w.k_w, w.k_b, w.v_w, w.v_b, w.o_w, w.o_b,
                               w.ln2_w, w.ln2_b, w.up_w, w.up_b, w.down_w, w.down_b});
    all.insert(all.end(), {v.final_ln_w, v.final_ln_b, v.pool_key, v.query, v.shared_query, v.gate});
    all.insert(all.end(), v.head_w.begin(), v.head_w.end());
    all.insert(all.end(), v.head_b.begin(), v.head_b.end());
    return all;
}

using Tensors = std::vector<std::pair<std::string, std::vector<int>>>;

Tensors tensorsOf(const ParamLayout &layout)
{
    Tensors out;
    for (const TensorSpec &t : layout.tensors()) out.push_back({t.name, t.shape});
    return out;
}

} // namespace

class TestParams : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void namesAndShapes();
    void viewsPointIntoTheBuffer_data();
    void viewsPointIntoTheBuffer();
    void initialisation();
    void modelViewsFollowTheirBuffer();
};

// MODEL.md 6, written out: the names, shapes and order of two configurations
// (the order is the checkpoint's, and the initial weights are drawn in it).
void TestParams::namesAndShapes()
{
    const int d = 8, f = 12;
    Tensors text = {{"embed.token", {9, d}}, {"embed.position", {6, d}}};
    for (const char *l : {"encoder.0.", "encoder.1."}) {
        const std::string p = l;
        const Tensors layer = {{p + "ln1.weight", {d}},      {p + "ln1.bias", {d}},
                               {p + "attn.q.weight", {d, d}}, {p + "attn.q.bias", {d}},
                               {p + "attn.k.weight", {d, d}}, {p + "attn.k.bias", {d}},
                               {p + "attn.v.weight", {d, d}}, {p + "attn.v.bias", {d}},
                               {p + "attn.o.weight", {d, d}}, {p + "attn.o.bias", {d}},
                               {p + "ln2.weight", {d}},      {p + "ln2.bias", {d}},
                               {p + "ffn.up.weight", {f, d}}, {p + "ffn.up.bias", {f}},
                               {p + "ffn.down.weight", {d, f}}, {p + "ffn.down.bias", {d}}};
        text.insert(text.end(), layer.begin(), layer.end());
    }
    const Tensors tail = {{"final_ln.weight", {d}}, {"final_ln.bias", {d}}, {"pool.key.weight", {d, d}},
                          {"pool.query", {2, d}},   {"pool.shared_query", {d}}, {"pool.gate", {2}},
                          {"heads.0.weight", {3, d}}, {"heads.0.bias", {3}},
                          {"heads.1.weight", {2, d}}, {"heads.1.bias", {2}}};
    text.insert(text.end(), tail.begin(), tail.end());
    QCOMPARE(tensorsOf(ParamLayout(smallConfig(InputKind::Text, AttentionMode::Gated, 2))), text);

    const Tensors tabular = {{"embed.feature_scale", {5, d}}, {"embed.feature_bias", {5, d}},
                             {"final_ln.weight", {d}},       {"final_ln.bias", {d}},
                             {"pool.key.weight", {d, d}},    {"pool.query", {1, d}},
                             {"heads.0.weight", {3, d}},     {"heads.0.bias", {3}},
                             {"heads.1.weight", {2, d}},     {"heads.1.bias", {2}}};
    QCOMPARE(tensorsOf(ParamLayout(smallConfig(InputKind::Tabular, AttentionMode::Shared, 0))), tabular);

    // uniform mode: no keys, queries or gates (MODEL.md 4 and 6)
    const Tensors uniform = {{"embed.feature_scale", {5, d}}, {"embed.feature_bias", {5, d}},
                             {"final_ln.weight", {d}},       {"final_ln.bias", {d}},
                             {"heads.0.weight", {3, d}},     {"heads.0.bias", {3}},
                             {"heads.1.weight", {2, d}},     {"heads.1.bias", {2}}};
    QCOMPARE(tensorsOf(ParamLayout(smallConfig(InputKind::Tabular, AttentionMode::Uniform, 0))), uniform);

    // contiguous, in order, covering the buffer
    const ParamLayout layout(smallConfig(InputKind::Text, AttentionMode::Task, 1));
    size_t offset = 0;
    for (const TensorSpec &t : layout.tensors()) {
        QCOMPARE(t.offset, offset);
        offset += t.size;
    }
    QCOMPARE(layout.totalSize(), offset);
}

void TestParams::viewsPointIntoTheBuffer_data()
{
    QTest::addColumn<int>("input");
    QTest::addColumn<int>("mode");
    QTest::addColumn<int>("layers");
    for (InputKind input : {InputKind::Text, InputKind::Tabular})
        for (AttentionMode mode : {AttentionMode::Task, AttentionMode::Shared, AttentionMode::Gated, AttentionMode::Uniform})
            for (int layers : {0, 2})
                QTest::addRow("%s/%s/N=%d", toString(input), toString(mode), layers) << int(input) << int(mode) << layers;
}

// Each tensor of the layout has exactly one pointer of the view, at its
// offset; the tensors the configuration lacks have null pointers.
void TestParams::viewsPointIntoTheBuffer()
{
    QFETCH(int, input);
    QFETCH(int, mode);
    QFETCH(int, layers);
    const ParamLayout layout(smallConfig(InputKind(input), AttentionMode(mode), layers));
    std::vector<float> buffer(layout.totalSize());
    const ParamView<float> v = makeView(layout, buffer.data());
    QCOMPARE(v.base, buffer.data());
    QCOMPARE(v.count, buffer.size());
    QCOMPARE(int(v.layers.size()), layers);
    QCOMPARE(v.head_w.size(), size_t(2));

    std::multiset<float *> pointed;
    size_t nulls = 0;
    for (float *p : pointersOf(v)) {
        if (p) pointed.insert(p);
        else ++nulls;
    }
    std::multiset<float *> expected;
    for (const TensorSpec &t : layout.tensors()) expected.insert(buffer.data() + t.offset);
    QCOMPARE(pointed, expected);
    // two embedding tensors of the other input kind, in all but gated mode shared_query and gate,
    // and in uniform mode the key and the queries too
    const bool uniform = AttentionMode(mode) == AttentionMode::Uniform;
    QCOMPARE(nulls, size_t(AttentionMode(mode) == AttentionMode::Gated ? 2 : uniform ? 6 : 4));

    auto at = [&](const std::string &name) { return buffer.data() + layout.find(name)->offset; };
    if (InputKind(input) == InputKind::Text) {
        QCOMPARE(v.token, at("embed.token"));
        QCOMPARE(v.position, at("embed.position"));
    } else {
        QCOMPARE(v.feature_scale, at("embed.feature_scale"));
        QCOMPARE(v.feature_bias, at("embed.feature_bias"));
    }
    if (layers > 0) {
        QCOMPARE(v.layers[1].k_b, at("encoder.1.attn.k.bias"));
        QCOMPARE(v.layers[1].down_w, at("encoder.1.ffn.down.weight"));
    }
    if (!uniform) {
        QCOMPARE(v.pool_key, at("pool.key.weight"));
        QCOMPARE(v.query, at("pool.query"));
    }
    if (AttentionMode(mode) == AttentionMode::Gated) QCOMPARE(v.gate, at("pool.gate"));
    QCOMPARE(v.head_b[1], at("heads.1.bias"));
}

// MODEL.md 8: LayerNorm weights 1; biases, embed.feature_bias and pool.gate
// 0; everything else N(0, 0.02), drawn from the seed in layout order.
void TestParams::initialisation()
{
    for (int input : {int(InputKind::Text), int(InputKind::Tabular)}) {
        const ParamLayout layout(smallConfig(InputKind(input), AttentionMode::Gated, 2));
        std::vector<float> params(layout.totalSize(), 7.0f);
        initParameters(layout, params.data(), 42);
        Rng rng(42);
        for (const TensorSpec &t : layout.tensors()) {
            const bool one = t.name.ends_with("ln1.weight") || t.name.ends_with("ln2.weight")
                             || t.name == "final_ln.weight";
            const bool zero = t.name.ends_with(".bias") || t.name == "embed.feature_bias" || t.name == "pool.gate";
            for (size_t i = 0; i < t.size; ++i) {
                const float expected = one ? 1.0f : zero ? 0.0f : float(0.02 * rng.normal());
                if (params[t.offset + i] != expected)
                    QFAIL(qPrintable(QString("%1[%2]: %3, expected %4").arg(QString::fromStdString(t.name)).arg(i)
                                         .arg(params[t.offset + i]).arg(expected)));
            }
        }
    }
}

// A model's views are built once, and every copy or move gets views into its
// own buffer (a copy that pointed into the original would read freed memory
// once the original is gone).
void TestParams::modelViewsFollowTheirBuffer()
{
    Model original;
    original.config = smallConfig(InputKind::Text, AttentionMode::Gated, 1);
    original.initialise(3);
    const size_t token = original.layout.find("embed.token")->offset;
    const size_t gate = original.layout.find("pool.gate")->offset;
    auto pointsInto = [&](const Model &m) {
        return m.view().base == m.params.data() && m.view().count == m.params.size()
               && m.view().token == m.params.data() + token && m.view().gate == m.params.data() + gate
               && m.view().layers.size() == 1;
    };
    QVERIFY(pointsInto(original));

    auto copy = std::make_unique<Model>(original);
    QVERIFY(copy->params.data() != original.params.data());
    QVERIFY(pointsInto(*copy));
    Model assigned;
    assigned = *copy;
    QVERIFY(pointsInto(assigned));
    Model moved(std::move(*copy));
    copy.reset();
    QVERIFY(pointsInto(moved));
    Model moveAssigned;
    moveAssigned = std::move(moved);
    QVERIFY(pointsInto(moveAssigned));
    QCOMPARE(moveAssigned.params, original.params);

    // A model put together by hand (as a checkpoint is read) gets its views when it is assigned.
    Model parts;
    parts.config = original.config;
    parts.layout = original.layout;
    parts.params = original.params;
    Model loaded;
    loaded = std::move(parts);
    QVERIFY(pointsInto(loaded));
}

QTEST_GUILESS_MAIN(TestParams)
#include "test_params.moc"
