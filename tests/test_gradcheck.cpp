// Finite-difference gradient checks in double precision: every op of
// core/ops.h on its own, then the whole model for each attention mode, 0, 1
// and 2 encoder layers, text and tabular input, with padding masks, missing
// labels, task weights and rationale supervision (MODEL.md 5b) on and off;
// then the gradient with respect to the embedding that the explanations
// read. Each check asserts; nothing is only printed.

#include "model.h"
#include "ops.h"
#include "random.h"

#include <QTest>

#include <cmath>
#include <functional>
#include <limits>
#include <vector>

using namespace attnscope;

namespace {

std::vector<double> randomVector(Rng &rng, size_t n, double scale = 1.0)
{
    std::vector<double> v(n);
    for (double &x : v) x = scale * rng.normal();
    return v;
}

double dot(const std::vector<double> &a, const std::vector<double> &b)
{
    double s = 0;
    for (size_t i = 0; i < a.size(); ++i) s += a[i] * b[i];
    return s;
}

// Compares analytic with central differences of f over every entry of x.
// Returns the number of mismatches and fills *worst with the largest error.
int checkGradient(const char *what, std::vector<double> &x, const std::vector<double> &analytic,
                  const std::function<double()> &f, double *worst = nullptr)
{
    const double eps = 1e-5, atol = 1e-7, rtol = 1e-5;
    int bad = 0;
    double worstErr = 0;
    for (size_t i = 0; i < x.size(); ++i) {
        const double keep = x[i];
        x[i] = keep + eps;
        const double up = f();
        x[i] = keep - eps;
        const double down = f();
        x[i] = keep;
        const double numeric = (up - down) / (2 * eps);
        const double err = std::abs(numeric - analytic[i]);
        worstErr = std::max(worstErr, err);
        if (err > atol + rtol * std::max(std::abs(numeric), std::abs(analytic[i]))) {
            if (bad < 5)
                qWarning("%s[%zu]: analytic %.10g numeric %.10g", what, i, analytic[i], numeric);
            ++bad;
        }
    }
    if (worst) *worst = worstErr;
    return bad;
}

} // namespace

class TestGradcheck : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void embedding();
    void featureEmbedding();
    void linear();
    void layernorm();
    void gelu();
    void attention();
    void pooling_data();
    void pooling();
    void crossentropy();
    void uniformPooling();
    void rationaleLoss_data();
    void rationaleLoss();
    void model_data();
    void model();
    void gradientsAreNotTrivial();
    void paddingChangesNothing_data();
    void paddingChangesNothing();
    void rationaleAloneReachesTheQuery();
    void embeddingGradient_data();
    void embeddingGradient();
    void poisonedScratch_data();
    void poisonedScratch();
    void reusedWorkspace_data() { poisonedScratch_data(); }
    void reusedWorkspace();
};

// Token ids repeat, so dtoken accumulates over every position a token takes.
void TestGradcheck::embedding()
{
    Rng rng(6);
    const int B = 2, L = 3, d = 4, V = 5;
    const std::vector<int32_t> tokens = {2, 4, 2, 0, 2, 1};
    std::vector<double> token = randomVector(rng, V * d), position = randomVector(rng, L * d);
    const std::vector<double> r = randomVector(rng, B * L * d);
    auto loss = [&] {
        std::vector<double> e(B * L * d);
        ops::embedding_forward(e.data(), tokens.data(), token.data(), position.data(), B, L, d);
        return dot(e, r);
    };
    std::vector<double> dtoken(token.size(), 0), dposition(position.size(), 0);
    ops::embedding_backward(dtoken.data(), dposition.data(), r.data(), tokens.data(), B, L, d);
    QCOMPARE(checkGradient("embedding dtoken", token, dtoken, loss), 0);
    QCOMPARE(checkGradient("embedding dposition", position, dposition, loss), 0);
    // token 3 is not in the batch
    for (int k = 0; k < d; ++k) QCOMPARE(dtoken[3 * d + k], 0.0);
}

// Standardised values, masked entries read as v = 0 whatever is behind them.
void TestGradcheck::featureEmbedding()
{
    Rng rng(7);
    const int B = 2, L = 3, d = 4;
    const std::vector<float> values = {1.5f, -2.0f, 99.0f, 0.25f, 3.0f, -1.0f};
    const std::vector<uint8_t> mask = {1, 1, 0, 1, 1, 1};
    const std::vector<double> mean = {0.5, -1.0, 2.0}, stdv = {2.0, 0.5, 1.5};
    std::vector<double> scale = randomVector(rng, L * d), bias = randomVector(rng, L * d);
    const std::vector<double> r = randomVector(rng, B * L * d);
    std::vector<double> v(B * L);
    auto loss = [&] {
        std::vector<double> e(B * L * d);
        ops::feature_embedding_forward(e.data(), v.data(), values.data(), mask.data(), mean.data(), stdv.data(),
                                       scale.data(), bias.data(), B, L, d);
        return dot(e, r);
    };
    loss();
    QCOMPARE(v[0], (1.5 - 0.5) / 2.0);
    QCOMPARE(v[2], 0.0);
    std::vector<double> dscale(scale.size(), 0), dbias(bias.size(), 0);
    ops::feature_embedding_backward(dscale.data(), dbias.data(), r.data(), v.data(), B, L, d);
    QCOMPARE(checkGradient("feature embedding dscale", scale, dscale, loss), 0);
    QCOMPARE(checkGradient("feature embedding dbias", bias, dbias, loss), 0);
}

void TestGradcheck::linear()
{
    Rng rng(1);
    const int N = 5, I = 4, O = 3;
    std::vector<double> x = randomVector(rng, N * I), w = randomVector(rng, O * I), b = randomVector(rng, O);
    const std::vector<double> r = randomVector(rng, N * O);
    auto loss = [&] {
        std::vector<double> y(N * O);
        ops::linear_forward(y.data(), x.data(), w.data(), b.data(), N, I, O);
        return dot(y, r);
    };
    std::vector<double> dx(N * I, 0), dw(O * I, 0), db(O, 0);
    ops::linear_backward(dx.data(), dw.data(), db.data(), r.data(), x.data(), w.data(), N, I, O);
    QCOMPARE(checkGradient("linear dx", x, dx, loss), 0);
    QCOMPARE(checkGradient("linear dw", w, dw, loss), 0);
    QCOMPARE(checkGradient("linear db", b, db, loss), 0);
}

void TestGradcheck::layernorm()
{
    Rng rng(2);
    const int N = 4, C = 6;
    std::vector<double> x = randomVector(rng, N * C, 2.0), w = randomVector(rng, C), b = randomVector(rng, C);
    const std::vector<double> r = randomVector(rng, N * C);
    std::vector<double> mean(N), rstd(N);
    auto loss = [&] {
        std::vector<double> y(N * C);
        ops::layernorm_forward(y.data(), mean.data(), rstd.data(), x.data(), w.data(), b.data(), N, C);
        return dot(y, r);
    };
    loss();
    std::vector<double> dx(N * C, 0), dw(C, 0), db(C, 0);
    ops::layernorm_backward(dx.data(), dw.data(), db.data(), r.data(), x.data(), w.data(), mean.data(), rstd.data(), N, C);
    QCOMPARE(checkGradient("layernorm dx", x, dx, loss), 0);
    QCOMPARE(checkGradient("layernorm dw", w, dw, loss), 0);
    QCOMPARE(checkGradient("layernorm db", b, db, loss), 0);
}

void TestGradcheck::gelu()
{
    Rng rng(3);
    const size_t n = 40;
    std::vector<double> x = randomVector(rng, n, 3.0);
    const std::vector<double> r = randomVector(rng, n);
    auto loss = [&] {
        std::vector<double> y(n);
        ops::gelu_forward(y.data(), x.data(), n);
        return dot(y, r);
    };
    std::vector<double> dx(n, 0);
    ops::gelu_backward(dx.data(), x.data(), r.data(), n);
    QCOMPARE(checkGradient("gelu dx", x, dx, loss), 0);
    // the exact GELU, not the tanh approximation: gelu(1) = 0.5 (1 + erf(1/sqrt 2))
    double one = 1.0, y = 0;
    ops::gelu_forward(&y, &one, 1);
    QVERIFY(std::abs(y - 0.8413447460685429) < 1e-15);
}

void TestGradcheck::attention()
{
    Rng rng(4);
    const int B = 2, L = 4, d = 6, h = 3;
    std::vector<double> q = randomVector(rng, B * L * d), k = randomVector(rng, B * L * d), v = randomVector(rng, B * L * d);
    const std::vector<uint8_t> mask = {1, 1, 1, 0, 1, 1, 0, 0};
    const std::vector<double> r = randomVector(rng, B * L * d);
    std::vector<double> att(B * h * L * L);
    auto loss = [&] {
        std::vector<double> y(B * L * d);
        ops::attention_forward(y.data(), att.data(), q.data(), k.data(), v.data(), mask.data(), B, L, d, h);
        return dot(y, r);
    };
    loss();
    for (int b = 0; b < B; ++b)
        for (int i = 0; i < h; ++i)
            for (int row = 0; row < L; ++row) {
                double sum = 0;
                for (int col = 0; col < L; ++col) {
                    const double a = att[((b * h + i) * L + row) * L + col];
                    if (!mask[b * L + col]) QCOMPARE(a, 0.0);
                    sum += a;
                }
                QVERIFY(std::abs(sum - 1.0) < 1e-12);
            }
    std::vector<double> dq(q.size(), 0), dk(k.size(), 0), dv(v.size(), 0);
    ops::attention_backward(dq.data(), dk.data(), dv.data(), r.data(), att.data(), q.data(), k.data(), v.data(), B, L, d, h);
    QCOMPARE(checkGradient("attention dq", q, dq, loss), 0);
    QCOMPARE(checkGradient("attention dk", k, dk, loss), 0);
    QCOMPARE(checkGradient("attention dv", v, dv, loss), 0);
}

void TestGradcheck::pooling_data()
{
    QTest::addColumn<int>("mode");
    QTest::newRow("task") << int(AttentionMode::Task);
    QTest::newRow("shared") << int(AttentionMode::Shared);
    QTest::newRow("gated") << int(AttentionMode::Gated);
}

// Pooling together with the queries of each mode: the gradient reaches
// pool.query, pool.shared_query and pool.gate through queries_backward.
void TestGradcheck::pooling()
{
    QFETCH(int, mode);
    Rng rng(5);
    ModelConfig c;
    c.dim = 4;
    c.heads = 1;
    c.mode = AttentionMode(mode);
    c.classes = {2, 3, 2};
    c.vocabSize = 5;
    c.maxLen = 4;
    c.layers = 0;
    const int B = 2, L = 4, d = c.dim, T = c.tasks();
    ParamLayout layout(c);
    std::vector<double> params = randomVector(rng, layout.totalSize(), 0.7);
    std::vector<double> H = randomVector(rng, B * L * d), keys = randomVector(rng, B * L * d);
    const std::vector<uint8_t> mask = {1, 1, 0, 0, 1, 1, 1, 1};
    const std::vector<double> r = randomVector(rng, B * T * d);
    std::vector<double> a(B * T * L), queries(T * d);
    auto loss = [&] {
        ParamView<const double> p = makeView<const double>(layout, params.data());
        ops::queries_forward(queries.data(), c, p);
        std::vector<double> z(B * T * d);
        ops::pool_forward(z.data(), a.data(), static_cast<double *>(nullptr), H.data(), keys.data(), queries.data(), mask.data(), B, L, d, T);
        return dot(z, r);
    };
    loss();
    std::vector<double> dH(H.size(), 0), dkeys(keys.size(), 0), dq(T * d, 0), grads(params.size(), 0);
    ops::pool_backward(dH.data(), dkeys.data(), dq.data(), r.data(), static_cast<const double *>(nullptr), a.data(), H.data(), keys.data(), queries.data(), B, L, d, T);
    ops::queries_backward(makeView<double>(layout, grads.data()), dq.data(), c,
                          makeView<const double>(layout, params.data()));
    QCOMPARE(checkGradient("pool dH", H, dH, loss), 0);
    QCOMPARE(checkGradient("pool dkeys", keys, dkeys, loss), 0);
    // only the pooling parameters get gradients here; compare those
    for (const char *name : {"pool.query", "pool.shared_query", "pool.gate"}) {
        const TensorSpec *spec = layout.find(name);
        if (!spec) continue;
        std::vector<double> sub(params.begin() + long(spec->offset), params.begin() + long(spec->offset + spec->size));
        std::vector<double> dsub(grads.begin() + long(spec->offset), grads.begin() + long(spec->offset + spec->size));
        auto subLoss = [&] {
            std::copy(sub.begin(), sub.end(), params.begin() + long(spec->offset));
            return loss();
        };
        QCOMPARE(checkGradient(name, sub, dsub, subLoss), 0);
        std::copy(sub.begin(), sub.end(), params.begin() + long(spec->offset));
    }
}

// The loss of a task, scaled as the model scales it (lambda_t / n_t), over
// rows with labels strided as in a batch; an unlabelled row adds nothing.
void TestGradcheck::crossentropy()
{
    Rng rng(8);
    const int B = 3, C = 4, stride = 2;
    std::vector<double> logits = randomVector(rng, B * C, 2.0);
    const std::vector<int32_t> labels = {3, 9, -1, 9, 0, 9};  // rows 0 and 2 labelled (9: another task's)
    const double scale = 0.5 / 2;
    std::vector<double> probs(B * C);
    auto loss = [&] {
        int n = 0;
        const double sum = ops::crossentropy_forward(probs.data(), logits.data(), labels.data(), stride, B, C, &n);
        return n == 2 ? scale * sum : NAN;
    };
    loss();
    std::vector<double> dlogits(B * C, 0);
    ops::crossentropy_backward(dlogits.data(), probs.data(), labels.data(), stride, scale, B, C);
    QCOMPARE(checkGradient("crossentropy dlogits", logits, dlogits, loss), 0);
    for (int k = 0; k < C; ++k) QCOMPARE(dlogits[1 * C + k], 0.0);
}

// Uniform pooling: z = a H with a = m / n, the same for every task; only H
// gets a gradient, and padding keeps exactly zero weight.
void TestGradcheck::uniformPooling()
{
    Rng rng(9);
    const int B = 2, L = 4, d = 3, T = 2;
    std::vector<double> H = randomVector(rng, B * L * d);
    const std::vector<uint8_t> mask = {1, 1, 1, 0, 0, 1, 0, 0};
    const std::vector<double> r = randomVector(rng, B * T * d);
    std::vector<double> a(B * T * L);
    auto loss = [&] {
        std::vector<double> z(B * T * d);
        ops::uniform_pool_forward(z.data(), a.data(), H.data(), mask.data(), B, L, d, T);
        return dot(z, r);
    };
    loss();
    for (int t = 0; t < T; ++t)
        for (int j = 0; j < L; ++j) {
            QCOMPARE(a[(0 * T + t) * L + j], mask[j] ? 1.0 / 3.0 : 0.0);
            QCOMPARE(a[(1 * T + t) * L + j], j == 1 ? 1.0 : 0.0);
        }
    std::vector<double> dH(H.size(), 0);
    ops::uniform_pool_backward(dH.data(), r.data(), a.data(), B, L, d, T);
    QCOMPARE(checkGradient("uniform pool dH", H, dH, loss), 0);
}

void TestGradcheck::rationaleLoss_data()
{
    QTest::addColumn<bool>("uniform");
    QTest::newRow("scores") << false;
    QTest::newRow("uniform") << true;
}

// MODEL.md 5b's term on its own: sum_t w_t sums_t as a function of the
// scores s (a = softmax of s over the real tokens). Flags on padding are no
// rationale tokens: sample 1 of task 1 has flags on padding only and is not
// in P_t. Uniform pooling: a constant, the mean of log n over P_t.
void TestGradcheck::rationaleLoss()
{
    QFETCH(bool, uniform);
    Rng rng(10);
    const int B = 3, L = 4, T = 2;
    std::vector<double> scores = randomVector(rng, B * T * L, 2.0);
    const std::vector<uint8_t> mask = {1, 1, 1, 1, 1, 1, 0, 0, 1, 0, 0, 0};
    // [b][t][j]
    const std::vector<uint8_t> rationale = {0, 1, 0, 1,  1, 0, 0, 0,
                                            1, 0, 1, 0,  0, 0, 1, 1,
                                            0, 0, 0, 0,  1, 1, 0, 0};
    const std::vector<double> w = {0.7, 1.3};
    std::vector<double> a(scores.size());
    auto softmax = [&] {
        a = scores;
        for (int b = 0; b < B; ++b)
            for (int t = 0; t < T; ++t) ops::masked_softmax(a.data() + (b * T + t) * L, mask.data() + b * L, L);
    };
    std::vector<int> counts(T);
    auto loss = [&] {
        std::vector<double> sums(T);
        ops::rationale_forward(sums.data(), counts.data(), uniform ? nullptr : scores.data(), rationale.data(),
                               mask.data(), B, L, T);
        return w[0] * sums[0] + w[1] * sums[1];
    };
    const double value = loss();
    QCOMPARE(counts, (std::vector<int>{2, 2}));
    if (uniform) {  // -sum_j r_j log(1 / n) = log n: samples of 4, 2 and 1 real tokens
        QVERIFY(std::abs(value - (w[0] * (std::log(4.0) + std::log(2.0)) + w[1] * (std::log(4.0) + std::log(1.0))))
                < 1e-12);
        return;
    }
    softmax();
    std::vector<double> dscore(scores.size(), 0);
    ops::rationale_backward(dscore.data(), a.data(), rationale.data(), mask.data(), w.data(), B, L, T);
    QCOMPARE(checkGradient("rationale dscore", scores, dscore, loss), 0);
    for (int t = 0; t < T; ++t)  // padding scores get nothing
        for (int j = 2; j < L; ++j) QCOMPARE(dscore[(1 * T + t) * L + j], 0.0);
}

namespace {

struct Case {
    ModelConfig config;
    ParamLayout layout;
    std::vector<double> params, mean, std;
    Batch batch;
    std::vector<float> taskWeights;
    float mu = 0;
};

// A small model with non-trivial random weights and a batch with padding,
// missing labels (one task has none at all in tabular cases), task weights
// and rationale flags: task 0 on real tokens (and padding, and in tabular
// cases on a missing feature between real ones), task 1 on padding only
// (P_1 is empty), task 2 on real tokens (in tabular cases a task without
// labels but with rationales). mu weighs the rationale term.
Case makeCase(InputKind input, AttentionMode mode, int layers, uint64_t seed, float mu = 0)
{
    Rng rng(seed);
    Case k;
    ModelConfig &c = k.config;
    c.input = input;
    c.dim = 8;
    c.heads = 2;
    c.ffn = 12;
    c.layers = layers;
    c.mode = mode;
    c.maxLen = 6;
    c.vocabSize = 9;
    c.features = 5;
    c.classes = {3, 2, 2};
    k.layout = ParamLayout(c);
    k.params = randomVector(rng, k.layout.totalSize(), 0.4);
    k.taskWeights = {1.0f, 0.5f, 2.0f};
    const int B = 3, L = input == InputKind::Text ? 6 : 5, T = c.tasks();
    k.batch.resize(B, L, T, input);
    const int lengths[3] = {L, L - 2, 2};
    for (int b = 0; b < B; ++b)
        for (int j = 0; j < L; ++j) {
            const bool real = j < lengths[b];
            k.batch.mask[b * L + j] = real ? 1 : 0;
            if (input == InputKind::Text) k.batch.tokens[b * L + j] = real ? int(2 + rng.below(7)) : 0;
            else k.batch.values[b * L + j] = real ? float(3.0 * rng.normal() + 1.0) : 0.0f;
        }
    // tabular: feature 2 of sample 0 is missing (a masked position between
    // real ones, its value never read), and flagged as task 0's rationale
    if (input == InputKind::Tabular) {
        k.batch.mask[2] = 0;
        k.batch.values[2] = 12345.0f;
    }
    // labels: task 0 all present, task 1 one missing, task 2 missing in text only
    const int labels[3][3] = {{0, 1, -1}, {2, -1, -1}, {1, 0, -1}};
    for (int b = 0; b < B; ++b)
        for (int t = 0; t < T; ++t) k.batch.labels[b * T + t] = labels[b][t];
    if (input == InputKind::Text) k.batch.labels[0 * T + 2] = 1;
    // rationale flags (b, t, j); lengths are L, L - 2 and 2
    k.batch.rationale.assign(size_t(B) * T * L, 0);
    auto flag = [&](int b, int t, int j) { k.batch.rationale[(size_t(b) * T + t) * L + j] = 1; };
    flag(0, 0, 1), flag(0, 0, 2), flag(0, 0, 3), flag(1, 0, 0), flag(1, 0, L - 1);
    flag(1, 1, L - 1), flag(2, 1, L - 1), flag(2, 1, 2);
    flag(0, 2, 0), flag(2, 2, 1);
    k.mu = mu;
    k.mean = randomVector(rng, c.features);
    k.std.assign(c.features, 0.0);
    for (double &s : k.std) s = 0.5 + rng.uniform();
    return k;
}

double caseLoss(Case &k, Activations<double> &acts)
{
    ParamView<const double> p = makeView<const double>(k.layout, k.params.data());
    return forward<double>(k.config, p, k.mean.data(), k.std.data(), k.batch, k.taskWeights, acts, k.mu).total;
}

std::vector<double> caseGradient(Case &k)
{
    Activations<double> acts;
    ParamView<const double> p = makeView<const double>(k.layout, k.params.data());
    const Losses<double> losses = forward<double>(k.config, p, k.mean.data(), k.std.data(), k.batch, k.taskWeights,
                                                  acts, k.mu);
    std::vector<double> grads(k.params.size(), 0.0);
    backward<double>(k.config, p, k.batch, k.taskWeights, losses, acts, makeView<double>(k.layout, grads.data()));
    return grads;
}

} // namespace

const std::vector<AttentionMode> kModes = {AttentionMode::Task, AttentionMode::Shared, AttentionMode::Gated,
                                           AttentionMode::Uniform};

void TestGradcheck::model_data()
{
    QTest::addColumn<int>("input");
    QTest::addColumn<int>("mode");
    QTest::addColumn<int>("layers");
    QTest::addColumn<float>("mu");
    for (int input : {int(InputKind::Text), int(InputKind::Tabular)})
        for (AttentionMode mode : kModes)
            for (int layers : {0, 1, 2})
                for (float mu : {0.0f, 0.7f}) {
                    const QByteArray name = QByteArray(toString(InputKind(input))) + "/" + toString(mode) + "/N="
                                            + QByteArray::number(layers) + "/mu=" + QByteArray::number(mu);
                    QTest::newRow(name.constData()) << input << int(mode) << layers << mu;
                }
}

void TestGradcheck::model()
{
    QFETCH(int, input);
    QFETCH(int, mode);
    QFETCH(int, layers);
    QFETCH(float, mu);
    Case k = makeCase(InputKind(input), AttentionMode(mode), layers, 100 + input * 10 + mode * 3 + layers, mu);
    {
        // The rationale term is in the loss: att_t over P_t, P_1 empty.
        Activations<double> acts;
        const Losses<double> l = forward<double>(k.config, makeView<const double>(k.layout, k.params.data()),
                                                 k.mean.data(), k.std.data(), k.batch, k.taskWeights, acts, k.mu);
        QCOMPARE(l.rationaleCount, (std::vector<int>{2, 0, 2}));
        QVERIFY(l.att[0] > 0 && l.att[1] == 0.0 && l.att[2] > 0);
        double tasks = 0;
        for (int t = 0; t < 3; ++t) tasks += k.taskWeights[size_t(t)] * l.task[size_t(t)];
        QVERIFY(std::abs(l.total - (tasks + k.mu * (l.att[0] + l.att[2]))) < 1e-12);
        // att_t by its definition, from the attention the pass kept: flags on
        // padding and on a missing feature are no rationale tokens.
        const int B = k.batch.B, L = k.batch.L, T = k.config.tasks();
        for (int t = 0; t < T; ++t) {
            double sum = 0;
            int samples = 0;
            for (int b = 0; b < B; ++b) {
                std::vector<int> tokens;
                for (int j = 0; j < L; ++j)
                    if (k.batch.mask[size_t(b * L + j)] && k.batch.rationale[size_t((b * T + t) * L + j)])
                        tokens.push_back(j);
                if (tokens.empty()) continue;
                ++samples;
                for (int j : tokens) sum -= std::log(acts.pool[size_t((b * T + t) * L + j)]) / double(tokens.size());
            }
            QVERIFY(std::abs(l.att[size_t(t)] - (samples ? sum / samples : 0.0)) < 1e-12);
        }
    }
    const std::vector<double> grads = caseGradient(k);
    Activations<double> acts;
    for (const TensorSpec &spec : k.layout.tensors()) {
        std::vector<double> sub(k.params.begin() + long(spec.offset), k.params.begin() + long(spec.offset + spec.size));
        std::vector<double> dsub(grads.begin() + long(spec.offset), grads.begin() + long(spec.offset + spec.size));
        auto loss = [&] {
            std::copy(sub.begin(), sub.end(), k.params.begin() + long(spec.offset));
            return caseLoss(k, acts);
        };
        double worst = 0;
        const int bad = checkGradient(spec.name.c_str(), sub, dsub, loss, &worst);
        std::copy(sub.begin(), sub.end(), k.params.begin() + long(spec.offset));
        if (bad) qWarning("%s: %d mismatches, worst error %.3g", spec.name.c_str(), bad, worst);
        QCOMPARE(bad, 0);
    }
}

// A gradient check passes trivially when everything is zero: make sure the
// case reaches every parameter. The one exception is the key bias of
// self-attention: it adds q . b_k to every score of a query's row, which the
// softmax cancels, so its gradient is zero in exact arithmetic (it must be tiny).
void TestGradcheck::gradientsAreNotTrivial()
{
    for (int input : {int(InputKind::Text), int(InputKind::Tabular)}) {
        Case k = makeCase(InputKind(input), AttentionMode::Gated, 2, 7);
        const std::vector<double> grads = caseGradient(k);
        for (const TensorSpec &spec : k.layout.tensors()) {
            // tabular cases leave task 2 without labels: it must add nothing
            const bool unlabelledHead = input == int(InputKind::Tabular) && spec.name.starts_with("heads.2.");
            if (unlabelledHead) {
                for (size_t i = 0; i < spec.size; ++i) QCOMPARE(grads[spec.offset + i], 0.0);
                continue;
            }
            if (spec.name.ends_with("attn.k.bias")) {
                for (size_t i = 0; i < spec.size; ++i) QVERIFY(std::abs(grads[spec.offset + i]) < 1e-12);
                continue;
            }
            double norm = 0;
            for (size_t i = 0; i < spec.size; ++i) norm += std::abs(grads[spec.offset + i]);
            if (norm <= 1e-9) qWarning("%s has a zero gradient", spec.name.c_str());
            QVERIFY2(norm > 1e-9, spec.name.c_str());
        }
    }
}

void TestGradcheck::paddingChangesNothing_data()
{
    QTest::addColumn<int>("input");
    QTest::newRow("text") << int(InputKind::Text);
    QTest::newRow("tabular") << int(InputKind::Tabular);
}

// MODEL.md 2: a sample padded to any length gives the same losses and
// attention on its real tokens, the same gradients, and exactly zero
// attention on padding.
void TestGradcheck::paddingChangesNothing()
{
    QFETCH(int, input);
    const InputKind kind = InputKind(input);
    Case k = makeCase(kind, AttentionMode::Gated, 2, 11);
    if (kind == InputKind::Tabular) {
        // tabular "padding" is a missing feature: mask the last one of sample 0
        Case masked = k;
        masked.batch.mask[k.batch.L - 1] = 0;
        masked.batch.values[k.batch.L - 1] = 12345.0f;  // the value behind a mask is never read
        Case zeroed = masked;
        zeroed.batch.values[k.batch.L - 1] = 0.0f;
        Activations<double> a1, a2;
        QCOMPARE(caseLoss(masked, a1), caseLoss(zeroed, a2));
        QCOMPARE(a1.pool, a2.pool);
        QCOMPARE(caseGradient(masked), caseGradient(zeroed));
        for (int t = 0; t < k.config.tasks(); ++t) QCOMPARE(a1.pool[t * k.batch.L + k.batch.L - 1], 0.0);
        return;
    }
    // text: the same batch padded by 3 more positions
    Case wide = k;
    const int B = k.batch.B, L = k.batch.L, W = L, T = k.config.tasks();
    // maxLen is 6 = L, so make room for padding positions first
    wide.config.maxLen = k.config.maxLen = L + 3;
    k.layout = wide.layout = ParamLayout(k.config);
    Rng rng(3);
    k.params = randomVector(rng, k.layout.totalSize(), 0.4);
    wide.params = k.params;
    wide.batch.resize(B, W + 3, T, kind);
    for (int b = 0; b < B; ++b)
        for (int j = 0; j < W; ++j) {
            wide.batch.tokens[b * (W + 3) + j] = k.batch.tokens[b * L + j];
            wide.batch.mask[b * (W + 3) + j] = k.batch.mask[b * L + j];
        }
    wide.batch.labels = k.batch.labels;
    Activations<double> a1, a2;
    const double l1 = caseLoss(k, a1), l2 = caseLoss(wide, a2);
    QVERIFY(std::abs(l1 - l2) < 1e-12);
    for (int b = 0; b < B; ++b)
        for (int t = 0; t < T; ++t)
            for (int j = 0; j < W + 3; ++j) {
                const double wideA = a2.pool[(b * T + t) * (W + 3) + j];
                if (!wide.batch.mask[b * (W + 3) + j]) QCOMPARE(wideA, 0.0);
                else QVERIFY(std::abs(wideA - a1.pool[(b * T + t) * L + j]) < 1e-12);
            }
    const std::vector<double> g1 = caseGradient(k), g2 = caseGradient(wide);
    for (size_t i = 0; i < g1.size(); ++i) QVERIFY(std::abs(g1[i] - g2[i]) < 1e-10);
}

// The rationale term alone moves the attention: tabular task 2 has no label,
// so its query gets a gradient only when mu > 0, and its head none at all.
void TestGradcheck::rationaleAloneReachesTheQuery()
{
    for (float mu : {0.0f, 0.7f}) {
        Case k = makeCase(InputKind::Tabular, AttentionMode::Task, 1, 8, mu);
        const std::vector<double> grads = caseGradient(k);
        const TensorSpec *query = k.layout.find("pool.query");
        QVERIFY(query);
        double norm = 0;
        for (int e = 0; e < k.config.dim; ++e) norm += std::abs(grads[query->offset + size_t(2 * k.config.dim + e)]);
        if (mu == 0.0f) QCOMPARE(norm, 0.0);
        else QVERIFY(norm > 1e-6);
        for (const char *name : {"heads.2.weight", "heads.2.bias"}) {
            const TensorSpec *head = k.layout.find(name);
            for (size_t i = 0; i < head->size; ++i) QCOMPARE(grads[head->offset + i], 0.0);
        }
    }
}

void TestGradcheck::embeddingGradient_data()
{
    QTest::addColumn<int>("input");
    QTest::addColumn<int>("mode");
    QTest::addColumn<int>("layers");
    for (int input : {int(InputKind::Text), int(InputKind::Tabular)})
        for (AttentionMode mode : kModes)
            for (int layers : {0, 2}) {
                const QByteArray name = QByteArray(toString(InputKind(input))) + "/" + toString(mode) + "/N="
                                        + QByteArray::number(layers);
                QTest::newRow(name.constData()) << input << int(mode) << layers;
            }
}

// What the explanations read (MODEL.md 9): backwardFromLogits without
// parameter gradients, seeded with d f / d logits for f = sum over rows b of
// log softmax(logits[t_b])[c_b], leaves d f / d e in scratch.dh; checked
// against central differences of forwardFromEmbedding over e itself. Padding
// rows of e get exactly zero.
void TestGradcheck::embeddingGradient()
{
    QFETCH(int, input);
    QFETCH(int, mode);
    QFETCH(int, layers);
    Case k = makeCase(InputKind(input), AttentionMode(mode), layers, 300 + input * 10 + mode * 3 + layers);
    const ParamView<const double> p = makeView<const double>(k.layout, k.params.data());
    const int B = k.batch.B, L = k.batch.L, T = k.config.tasks(), d = k.config.dim;
    const int task[3] = {0, 2, 1}, cls[3] = {2, 0, 1};  // row b explains class cls[b] of task task[b]
    Activations<double> acts;
    embed<double>(k.config, p, k.mean.data(), k.std.data(), k.batch, acts);
    std::vector<double> e = acts.embed;
    auto f = [&] {
        acts.embed = e;
        forwardFromEmbedding<double>(k.config, p, k.batch, {}, acts);
        double sum = 0;
        for (int b = 0; b < B; ++b) {
            const int C = k.config.classes[size_t(task[b])];
            sum += std::log(acts.probs[size_t(task[b])][size_t(b * C + cls[b])]);
        }
        return sum;
    };
    f();
    std::vector<std::vector<double>> dlogits(static_cast<size_t>(T));
    for (int b = 0; b < B; ++b) {
        const int t = task[b], C = k.config.classes[size_t(t)];
        dlogits[size_t(t)].resize(size_t(B) * C, 0.0);
        for (int c = 0; c < C; ++c)
            dlogits[size_t(t)][size_t(b * C + c)] = (c == cls[b] ? 1.0 : 0.0) - acts.probs[size_t(t)][size_t(b * C + c)];
    }
    backwardFromLogits<double>(k.config, p, k.batch, dlogits, nullptr, acts, ParamView<double>{});
    const std::vector<double> de = acts.scratch.dh;
    QCOMPARE(de.size(), e.size());
    for (int b = 0; b < B; ++b)
        for (int j = 0; j < L; ++j)
            if (!k.batch.mask[size_t(b * L + j)])
                for (int x = 0; x < d; ++x) QCOMPARE(de[size_t((b * L + j) * d + x)], 0.0);
    QCOMPARE(checkGradient("d f / d e", e, de, f), 0);
}


namespace {

// NaN in every element of every activation and scratch buffer; the scratch
// buffers also made larger, as a longer batch before would have left them.
// A backward op that is to set a buffer (Write::Set) and leaves an element
// of it unwritten, or a forward op that reads an output of its own before it
// writes it, then turns gradients into NaN.
template <class T>
void poisonAll(Activations<T> &a)
{
    const T nan = std::numeric_limits<T>::quiet_NaN();
    auto fill = [&](std::vector<T> &v) { std::fill(v.begin(), v.end(), nan); };
    auto grow = [&](std::vector<T> &v) { v.assign(v.size() * 2 + 64, nan); };
    for (std::vector<T> *v : {&a.embed, &a.std_values, &a.last, &a.H, &a.fln_mean, &a.fln_rstd, &a.keys, &a.queries,
                              &a.poolScores, &a.pool, &a.z})
        fill(*v);
    for (LayerActivations<T> &l : a.layers)
        for (std::vector<T> *v : {&l.in, &l.ln1, &l.ln1_mean, &l.ln1_rstd, &l.q, &l.k, &l.v, &l.att, &l.att_out,
                                  &l.mid, &l.ln2, &l.ln2_mean, &l.ln2_rstd, &l.gelu_grad, &l.act})
            fill(*v);
    for (std::vector<T> &v : a.logits) fill(v);
    for (std::vector<T> &v : a.probs) fill(v);
    auto &s = a.scratch;
    for (std::vector<T> *v : {&s.zt, &s.dzt, &s.dz, &s.dH, &s.dkeys, &s.dq, &s.dh, &s.dact, &s.dln, &s.dattn, &s.dqkv,
                              &s.dscore, &s.scale})
        grow(*v);
    for (std::vector<T> &v : s.dlogits) fill(v);
}

int differing(const std::vector<double> &a, const std::vector<double> &b)
{
    int n = 0;
    for (size_t i = 0; i < a.size(); ++i) n += a[i] == b[i] || (std::isnan(a[i]) && std::isnan(b[i])) ? 0 : 1;
    return n;
}

} // namespace

void TestGradcheck::poisonedScratch_data()
{
    QTest::addColumn<int>("input");
    QTest::addColumn<int>("mode");
    QTest::addColumn<int>("layers");
    QTest::addColumn<int>("heads");
    QTest::addColumn<float>("mu");
    for (int input : {int(InputKind::Text), int(InputKind::Tabular)})
        for (AttentionMode mode : kModes)
            for (int layers : {0, 1, 3})
                for (int heads : {1, 2, 4})
                    for (float mu : {0.0f, 0.7f})
                        QTest::addRow("%d/%d/N=%d/h=%d/mu=%g", input, int(mode), layers, heads, double(mu))
                            << input << int(mode) << layers << heads << mu;
}

// Forward and backward on buffers full of NaN (review21's check) give the
// gradient of fresh, zeroed buffers bit for bit: every buffer backward sets
// (Write::Set) is written whole before it is read. Fresh buffers cannot
// show a missed write: std::vector zeroes them, as adding to zeros would.
void TestGradcheck::poisonedScratch()
{
    QFETCH(int, input);
    QFETCH(int, mode);
    QFETCH(int, layers);
    QFETCH(int, heads);
    QFETCH(float, mu);
    Case k = makeCase(InputKind(input), AttentionMode(mode), layers, 700 + input * 10 + mode * 3 + layers, mu);
    k.config.heads = heads;
    k.layout = ParamLayout(k.config);
    QCOMPARE(k.layout.totalSize(), k.params.size());
    const std::vector<double> fresh = caseGradient(k);
    ParamView<const double> p = makeView<const double>(k.layout, k.params.data());
    Activations<double> acts;
    forward<double>(k.config, p, k.mean.data(), k.std.data(), k.batch, k.taskWeights, acts, k.mu);  // sizes them
    poisonAll(acts);
    const Losses<double> losses = forward<double>(k.config, p, k.mean.data(), k.std.data(), k.batch, k.taskWeights,
                                                  acts, k.mu);
    std::vector<double> grads(k.params.size(), 0.0);
    backward<double>(k.config, p, k.batch, k.taskWeights, losses, acts, makeView<double>(k.layout, grads.data()));
    QCOMPARE(differing(grads, fresh), 0);
}

// The same through forwardBackward in float with 1, 2 and 3 threads: a
// StepWorkspace used by a step of other weights, then filled with NaN, gives
// the gradient of a fresh one bit for bit.
void TestGradcheck::reusedWorkspace()
{
    QFETCH(int, input);
    QFETCH(int, mode);
    QFETCH(int, layers);
    QFETCH(int, heads);
    QFETCH(float, mu);
    Case k = makeCase(InputKind(input), AttentionMode(mode), layers, 900 + input * 10 + mode * 3 + layers, mu);
    k.config.heads = heads;
    Model model;
    model.config = k.config;
    model.initialise(5);
    for (size_t i = 0; i < model.params.size(); ++i) model.params[i] = float(k.params[i]);
    model.inputMean.assign(k.mean.begin(), k.mean.end());
    model.inputStd.assign(k.std.begin(), k.std.end());
    Model other = model;
    for (float &x : other.params) x *= 1.5f;
    for (int threads : {1, 2, 3}) {
        StepWorkspace fresh, reused;
        std::vector<float> want(model.params.size(), 0.0f), got(model.params.size(), 0.0f),
            otherGrads(model.params.size(), 0.0f);
        forwardBackward(model, k.batch, k.taskWeights, threads, fresh, makeView(model.layout, want.data()), mu);
        forwardBackward(other, k.batch, {}, threads, reused, makeView(other.layout, otherGrads.data()), 0.3f);
        for (Activations<float> &a : reused.acts) poisonAll(a);
        forwardBackward(model, k.batch, k.taskWeights, threads, reused, makeView(model.layout, got.data()), mu);
        QCOMPARE(differing(std::vector<double>(got.begin(), got.end()), std::vector<double>(want.begin(), want.end())),
                 0);
    }
}

QTEST_APPLESS_MAIN(TestGradcheck)
#include "test_gradcheck.moc"
