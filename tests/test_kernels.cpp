// The float kernels as training runs them (this processor's build, see
// ops::kernelIsa()): the same bits wherever their buffers lie in memory (a
// sum whose grouping follows the address, or an entry that takes a scalar
// path at an unaligned edge, would break resumed and data-parallel runs that
// must repeat bit for bit), and the masked softmax's contract at lengths
// around its pack of 16 entries, and self-attention's products against plain
// sums at the edges of its tiles. The gradients are test_gradcheck's; the
// numbers against PyTorch test_reference's.

#include "ops.h"
#include "random.h"

#include <QTest>

#include <cmath>
#include <cstring>
#include <functional>
#include <limits>
#include <vector>

using namespace attnscope;

namespace {

std::vector<float> randomFloats(Rng &rng, size_t n, double scale = 1.0)
{
    std::vector<float> v(n);
    for (float &x : v) x = float(scale * rng.normal());
    return v;
}

// Buffers that start `shift` floats into a larger block, so that the same
// numbers lie at another address and alignment.
struct Shifted {
    std::vector<float> block;
    float *data;
    Shifted(const std::vector<float> &values, int shift) : block(values.size() + 16, 0.0f)
    {
        data = block.data() + shift;
        std::copy(values.begin(), values.end(), data);
    }
    std::vector<float> values(size_t n) const { return std::vector<float>(data, data + n); }
};

bool sameBits(const std::vector<float> &a, const std::vector<float> &b)
{
    return a.size() == b.size() && std::memcmp(a.data(), b.data(), a.size() * sizeof(float)) == 0;
}

// run(shift) returns the kernel's outputs computed in buffers shifted by
// `shift` floats; each shift must give the bits of shift 0.
void checkEveryShift(const char *what, const std::function<std::vector<float>(int)> &run)
{
    const std::vector<float> first = run(0);
    for (int shift = 1; shift < 16; ++shift)
        QVERIFY2(sameBits(run(shift), first), qPrintable(QString("%1 differs at shift %2").arg(what).arg(shift)));
}

} // namespace

class TestKernels : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void sameBitsAtAnyAddress_data();
    void sameBitsAtAnyAddress();
    void softmaxContract_data();
    void softmaxContract();
    void geluMatchesFormula_data();
    void geluMatchesFormula();
    void attentionMatchesPlainSums_data();
    void attentionMatchesPlainSums();
    void linearMatchesPlainSums_data();
    void linearMatchesPlainSums();
    void fusedLinearMatchesSeparateOps_data();
    void fusedLinearMatchesSeparateOps();
};

void TestKernels::sameBitsAtAnyAddress_data()
{
    QTest::addColumn<int>("n");  // row length: below, at and around the pack of 16
    for (int n : {3, 16, 21, 40, 64, 130}) QTest::newRow(qPrintable(QString::number(n))) << n;
}

void TestKernels::sameBitsAtAnyAddress()
{
    QFETCH(int, n);
    Rng rng(static_cast<uint64_t>(7 + n));
    const int rows = 5;
    const size_t N = size_t(rows) * n;
    const std::vector<float> x = randomFloats(rng, N, 3.0), dy = randomFloats(rng, N);
    const std::vector<float> w = randomFloats(rng, size_t(n)), b = randomFloats(rng, size_t(n));
    std::vector<uint8_t> keep(size_t(n), 1);
    for (int j = 0; j < n; j += 3) keep[size_t(j)] = uint8_t(j % 2);

    checkEveryShift("masked_softmax", [&](int shift) {
        Shifted s(x, shift);
        for (int r = 0; r < rows; ++r) ops::masked_softmax(s.data + size_t(r) * n, keep.data(), n);
        return s.values(N);
    });
    checkEveryShift("layernorm", [&](int shift) {
        Shifted in(x, shift), out(std::vector<float>(N), shift), g(dy, shift), dx(std::vector<float>(N), shift);
        std::vector<float> mean(static_cast<size_t>(rows)), rstd(static_cast<size_t>(rows)), dw(static_cast<size_t>(n)), db(static_cast<size_t>(n));
        ops::layernorm_forward(out.data, mean.data(), rstd.data(), in.data, w.data(), b.data(), rows, n);
        ops::layernorm_backward(dx.data, dw.data(), db.data(), g.data, in.data, w.data(), mean.data(), rstd.data(), rows, n);
        std::vector<float> all = out.values(N);
        for (const std::vector<float> &v : {dx.values(N), mean, rstd, dw, db}) all.insert(all.end(), v.begin(), v.end());
        return all;
    });
    checkEveryShift("gelu", [&](int shift) {
        Shifted in(x, shift), out(std::vector<float>(N), shift), g(dy, shift), dx(std::vector<float>(N), shift);
        ops::gelu_forward(out.data, in.data, N);
        ops::gelu_backward(dx.data, in.data, g.data, N);
        std::vector<float> all = out.values(N), d = dx.values(N);
        all.insert(all.end(), d.begin(), d.end());
        return all;
    });
    // attention over n positions, 2 samples, d 16, 2 heads
    const int B = 2, d = 16, h = 2;
    const size_t BLd = size_t(B) * n * d;
    const std::vector<float> q = randomFloats(rng, BLd), k = randomFloats(rng, BLd), v = randomFloats(rng, BLd),
                             dout = randomFloats(rng, BLd);
    std::vector<uint8_t> mask(size_t(B) * n, 1);
    for (int j = n / 2 + 1; j < n; ++j) mask[size_t(n + j)] = 0;  // the second sample padded
    checkEveryShift("attention", [&](int shift) {
        Shifted sq(q, shift), sk(k, shift), sv(v, shift), sd(dout, shift), out(std::vector<float>(BLd), shift);
        Shifted att(std::vector<float>(size_t(B) * h * n * n), shift);
        Shifted dq(std::vector<float>(BLd), shift), dk(std::vector<float>(BLd), shift), dv(std::vector<float>(BLd), shift);
        ops::attention_forward(out.data, att.data, sq.data, sk.data, sv.data, mask.data(), B, n, d, h);
        ops::attention_backward(dq.data, dk.data, dv.data, sd.data, att.data, sq.data, sk.data, sv.data, B, n, d, h);
        std::vector<float> all = out.values(BLd);
        for (const std::vector<float> &g : {att.values(size_t(B) * h * n * n), dq.values(BLd), dk.values(BLd), dv.values(BLd)})
            all.insert(all.end(), g.begin(), g.end());
        return all;
    });
}

void TestKernels::softmaxContract_data()
{
    QTest::addColumn<int>("n");
    for (int n : {1, 2, 15, 16, 17, 31, 32, 33, 100}) QTest::newRow(qPrintable(QString::number(n))) << n;
}

// Masked entries are exactly 0 (even where the input there is not finite),
// kept ones are the softmax over the kept entries, a row with none kept is 0.
void TestKernels::softmaxContract()
{
    QFETCH(int, n);
    Rng rng(static_cast<uint64_t>(n));
    std::vector<float> x = randomFloats(rng, size_t(n), 4.0);
    std::vector<uint8_t> keep(size_t(n), 1);
    for (int j = 1; j < n; j += 4) keep[size_t(j)] = 0;
    if (n > 2) x[1] = std::numeric_limits<float>::infinity();  // masked: never read
    const std::vector<float> in = x;
    ops::masked_softmax(x.data(), keep.data(), n);
    double mx = -1e300, sum = 0;
    for (int j = 0; j < n; ++j)
        if (keep[size_t(j)]) mx = std::max(mx, double(in[size_t(j)]));
    for (int j = 0; j < n; ++j)
        if (keep[size_t(j)]) sum += std::exp(double(in[size_t(j)]) - mx);
    for (int j = 0; j < n; ++j) {
        if (!keep[size_t(j)]) {
            QCOMPARE(x[size_t(j)], 0.0f);
            continue;
        }
        const double want = std::exp(double(in[size_t(j)]) - mx) / sum;
        QVERIFY2(std::abs(x[size_t(j)] - want) <= 1e-6 * want + 1e-12,
                 qPrintable(QString("entry %1: %2, want %3").arg(j).arg(x[size_t(j)]).arg(want)));
    }
    std::vector<uint8_t> none(size_t(n), 0);
    std::vector<float> y = randomFloats(rng, size_t(n));
    ops::masked_softmax(y.data(), none.data(), n);
    for (float a : y) QCOMPARE(a, 0.0f);
}

void TestKernels::geluMatchesFormula_data()
{
    QTest::addColumn<int>("n");  // whole packs of 16 and a tail of each length's remainder
    for (int n : {1, 7, 15, 16, 17, 33, 100, 4099}) QTest::newRow(qPrintable(QString::number(n))) << n;
}

// GELU and its derivative against 0.5 x (1 + erf(x / sqrt 2)) and
// Phi(x) + x phi(x) in double, every entry up to the last (the AVX-512
// build's tail goes through a masked load), both writes of the backward;
// and the forward that keeps the derivative (the FFN's) with the bits of
// gelu_forward and, times dy, of gelu_backward.
void TestKernels::geluMatchesFormula()
{
    QFETCH(int, n);
    Rng rng(static_cast<uint64_t>(100 + n));
    const std::vector<float> x = randomFloats(rng, size_t(n), 3.0), dy = randomFloats(rng, size_t(n)),
                             before = randomFloats(rng, size_t(n));
    std::vector<float> y(static_cast<size_t>(n)), dx(static_cast<size_t>(n)), dxAdd = before, inPlace = dy;
    ops::gelu_forward(y.data(), x.data(), size_t(n));
    ops::gelu_backward(dx.data(), x.data(), dy.data(), size_t(n), ops::Write::Set);
    ops::gelu_backward(dxAdd.data(), x.data(), dy.data(), size_t(n), ops::Write::Add);
    ops::gelu_backward(inPlace.data(), x.data(), inPlace.data(), size_t(n), ops::Write::Set);
    auto near = [](double got, double want) { return std::abs(got - want) <= 2e-6 * (1 + std::abs(want)); };
    for (int j = 0; j < n; ++j) {
        const double v = x[size_t(j)], cdf = 0.5 * (1 + std::erf(v / std::sqrt(2.0)));
        const double grad = double(dy[size_t(j)]) * (cdf + v * std::exp(-0.5 * v * v) / std::sqrt(2 * M_PI));
        QVERIFY2(near(y[size_t(j)], v * cdf), qPrintable(QString("gelu at %1: %2, want %3").arg(j).arg(y[size_t(j)]).arg(v * cdf)));
        QVERIFY2(near(dx[size_t(j)], grad), qPrintable(QString("gelu' at %1: %2, want %3").arg(j).arg(dx[size_t(j)]).arg(grad)));
        QVERIFY2(near(dxAdd[size_t(j)], before[size_t(j)] + grad), qPrintable(QString("gelu' added at %1").arg(j)));
        QCOMPARE(inPlace[size_t(j)], dx[size_t(j)]);
    }

    std::vector<float> yKept(static_cast<size_t>(n)), grad(static_cast<size_t>(n)), gradInPlace = x;
    ops::gelu_forward_grad(yKept.data(), grad.data(), x.data(), size_t(n));
    QVERIFY2(sameBits(yKept, y), "gelu_forward_grad's gelu is not gelu_forward's");
    std::vector<float> dxKept(static_cast<size_t>(n));
    for (size_t j = 0; j < size_t(n); ++j) dxKept[j] = dy[j] * grad[j];
    QVERIFY2(sameBits(dxKept, dx), "dy gelu_forward_grad's gelu' is not gelu_backward's");
    ops::gelu_forward_grad(yKept.data(), gradInPlace.data(), gradInPlace.data(), size_t(n));
    QVERIFY2(sameBits(gradInPlace, grad), "gelu' in place");
}

void TestKernels::attentionMatchesPlainSums_data()
{
    QTest::addColumn<int>("L");
    QTest::addColumn<int>("d");
    QTest::addColumn<int>("h");
    QTest::addColumn<bool>("empty");  // the second sample all padding (else its second half)
    // heads narrower than, as wide as and wider than a vector of 16 floats, and
    // lengths that leave partial tiles of rows
    QTest::newRow("L 13, 2 heads of 20") << 13 << 40 << 2 << false;
    QTest::newRow("L 37, 3 heads of 32") << 37 << 96 << 3 << false;
    QTest::newRow("L 30, 4 heads of 8") << 30 << 32 << 4 << false;
    QTest::newRow("L 1, 1 head of 48") << 1 << 48 << 1 << false;
    QTest::newRow("L 64, 2 heads of 16") << 64 << 32 << 2 << false;
    // the AVX-512 build's blocks of query rows (24 forward, 48 backward) with a
    // partial last one, and att large enough (4 MB) to be stored past the caches
    QTest::newRow("L 130, 2 heads of 32") << 130 << 64 << 2 << false;
    QTest::newRow("L 512, 2 heads of 16") << 512 << 32 << 2 << false;
    // a sample with no kept token: its attention, output and gradients all 0
    QTest::newRow("L 30, 4 heads of 8, a sample all padding") << 30 << 32 << 4 << true;
    QTest::newRow("L 130, 2 heads of 32, a sample all padding") << 130 << 64 << 2 << true;
}

// attention_forward and attention_backward (both writes) against the
// formulas of ops.h summed in double, on padded samples.
void TestKernels::attentionMatchesPlainSums()
{
    QFETCH(int, L);
    QFETCH(int, d);
    QFETCH(int, h);
    QFETCH(bool, empty);
    const int B = 2, dh = d / h;
    Rng rng(static_cast<uint64_t>(L * 1000 + d));
    const size_t BLd = size_t(B) * L * d, att = size_t(B) * h * L * L;
    const std::vector<float> q = randomFloats(rng, BLd), k = randomFloats(rng, BLd), v = randomFloats(rng, BLd),
                             dout = randomFloats(rng, BLd), before = randomFloats(rng, BLd);
    std::vector<uint8_t> mask(size_t(B) * L, 1);
    for (int j = empty ? 0 : L / 2 + 1; j < L; ++j) mask[size_t(L + j)] = 0;  // the second sample padded
    std::vector<float> out(BLd), a(att), dq(BLd), dk(BLd), dv(BLd);
    ops::attention_forward(out.data(), a.data(), q.data(), k.data(), v.data(), mask.data(), B, L, d, h);
    ops::attention_backward(dq.data(), dk.data(), dv.data(), dout.data(), a.data(), q.data(), k.data(), v.data(), B, L,
                            d, h, ops::Write::Set);
    std::vector<float> dqAdd = before, dkAdd = before, dvAdd = before;
    ops::attention_backward(dqAdd.data(), dkAdd.data(), dvAdd.data(), dout.data(), a.data(), q.data(), k.data(),
                            v.data(), B, L, d, h);

    auto near = [](double got, double want) { return std::abs(got - want) <= 1e-5 * (1 + std::abs(want)); };
    const double scale = 1 / std::sqrt(double(dh));
    for (int b = 0; b < B; ++b)
        for (int i = 0; i < h; ++i) {
            auto at = [&](const std::vector<float> &x, int j, int e) { return double(x[(size_t(b) * L + j) * d + size_t(i) * dh + e]); };
            const float *A = a.data() + (size_t(b) * h + i) * L * L;
            // A = softmax over the kept keys of Q K^T / sqrt(d_h); O = A V
            std::vector<double> P(size_t(L) * L), dS(size_t(L) * L);
            for (int r = 0; r < L; ++r) {
                double mx = -1e300, sum = 0;
                std::vector<double> s(static_cast<size_t>(L));
                for (int c = 0; c < L; ++c) {
                    for (int e = 0; e < dh; ++e) s[size_t(c)] += at(q, r, e) * at(k, c, e) * scale;
                    if (mask[size_t(b) * L + c]) mx = std::max(mx, s[size_t(c)]);
                }
                for (int c = 0; c < L; ++c) sum += mask[size_t(b) * L + c] ? std::exp(s[size_t(c)] - mx) : 0.0;
                if (sum == 0)
                    sum = 1;  // no key kept: a row of zeros
                for (int c = 0; c < L; ++c) {
                    P[size_t(r) * L + c] = mask[size_t(b) * L + c] ? std::exp(s[size_t(c)] - mx) / sum : 0.0;
                    QVERIFY2(near(A[size_t(r) * L + c], P[size_t(r) * L + c]), qPrintable(QString("A at %1, %2").arg(r).arg(c)));
                }
                for (int e = 0; e < dh; ++e) {
                    double o = 0;
                    for (int c = 0; c < L; ++c) o += P[size_t(r) * L + c] * at(v, c, e);
                    QVERIFY2(near(at(out, r, e), o), qPrintable(QString("O at %1, %2").arg(r).arg(e)));
                }
                // dS = A (dA - rowsum(A dA)) / sqrt(d_h), dA = dO V^T
                std::vector<double> dA(static_cast<size_t>(L));
                double dot = 0;
                for (int c = 0; c < L; ++c) {
                    for (int e = 0; e < dh; ++e) dA[size_t(c)] += at(dout, r, e) * at(v, c, e);
                    dot += P[size_t(r) * L + c] * dA[size_t(c)];
                }
                for (int c = 0; c < L; ++c) dS[size_t(r) * L + c] = P[size_t(r) * L + c] * (dA[size_t(c)] - dot) * scale;
            }
            // dV = A^T dO, dQ = dS K, dK = dS^T Q; Write::Add adds them to what was there
            for (int j = 0; j < L; ++j)
                for (int e = 0; e < dh; ++e) {
                    double wantV = 0, wantQ = 0, wantK = 0;
                    for (int c = 0; c < L; ++c) {
                        wantV += P[size_t(c) * L + j] * at(dout, c, e);
                        wantQ += dS[size_t(j) * L + c] * at(k, c, e);
                        wantK += dS[size_t(c) * L + j] * at(q, c, e);
                    }
                    const QString where = QString(" at sample %1, head %2, %3, %4").arg(b).arg(i).arg(j).arg(e);
                    QVERIFY2(near(at(dv, j, e), wantV) && near(at(dvAdd, j, e), at(before, j, e) + wantV), qPrintable("dV" + where));
                    QVERIFY2(near(at(dq, j, e), wantQ) && near(at(dqAdd, j, e), at(before, j, e) + wantQ), qPrintable("dQ" + where));
                    QVERIFY2(near(at(dk, j, e), wantK) && near(at(dkAdd, j, e), at(before, j, e) + wantK), qPrintable("dK" + where));
                }
        }
}

void TestKernels::linearMatchesPlainSums_data()
{
    QTest::addColumn<int>("N");  // rows (the batch's tokens): the depth of dW = dY^T X
    QTest::addColumn<int>("I");
    QTest::addColumn<int>("O");
    // dW's tiles are 12 rows (of O) by 32 columns (of I), its depth in blocks of 256
    // rows: partial tiles, a narrower last panel, a depth over one block
    QTest::newRow("no rows") << 0 << 5 << 3;
    QTest::newRow("1 row, 17 x 13") << 1 << 17 << 13;
    QTest::newRow("13 rows, 33 x 25") << 13 << 33 << 25;
    QTest::newRow("300 rows, 40 x 12") << 300 << 40 << 12;
    QTest::newRow("29 rows, 70 x 1") << 29 << 70 << 1;
    QTest::newRow("530 rows, 64 x 48") << 530 << 64 << 48;
    QTest::newRow("7 rows, 1 x 30") << 7 << 1 << 30;
    QTest::newRow("40 rows, 300 x 37") << 40 << 300 << 37;
    // the AVX-512 build's driver of Eigen's kernel: several blocks of rows and of depth
    QTest::newRow("700 rows, 600 x 70") << 700 << 600 << 70;
}

// linear_forward and linear_backward (both writes of dX, dW and db added to
// what was there) against the formulas of ops.h summed in double, and the
// same bits for dW wherever the buffers lie.
void TestKernels::linearMatchesPlainSums()
{
    QFETCH(int, N);
    QFETCH(int, I);
    QFETCH(int, O);
    Rng rng(static_cast<uint64_t>(N * 7919 + I * 31 + O));
    const size_t NI = size_t(N) * I, NO = size_t(N) * O, OI = size_t(O) * I;
    const std::vector<float> x = randomFloats(rng, NI), w = randomFloats(rng, OI), b = randomFloats(rng, size_t(O)),
                             r = randomFloats(rng, NO), dy = randomFloats(rng, NO), dwBefore = randomFloats(rng, OI),
                             dbBefore = randomFloats(rng, size_t(O)), dxBefore = randomFloats(rng, NI);
    std::vector<float> y(NO), yr(NO), dx(NI), dxAdd = dxBefore, dw = dwBefore, db = dbBefore;
    ops::linear_forward(y.data(), x.data(), w.data(), b.data(), N, I, O);
    ops::linear_forward(yr.data(), x.data(), w.data(), b.data(), N, I, O, r.data());
    // a residual without a bias, from another buffer and from the output itself
    std::vector<float> yrOnly(NO), yInPlace = r;
    ops::linear_forward(yrOnly.data(), x.data(), w.data(), static_cast<const float *>(nullptr), N, I, O, r.data());
    ops::linear_forward(yInPlace.data(), x.data(), w.data(), static_cast<const float *>(nullptr), N, I, O,
                        yInPlace.data());
    ops::linear_backward(dx.data(), dw.data(), db.data(), dy.data(), x.data(), w.data(), N, I, O, ops::Write::Set);
    ops::linear_backward<float>(dxAdd.data(), nullptr, nullptr, dy.data(), x.data(), w.data(), N, I, O);

    // |got - want| within float round-off of a sum of `terms` (the sum of the terms' sizes)
    auto near = [](double got, double want, double terms) { return std::abs(got - want) <= 1e-5 * (1 + terms); };
    for (int n = 0; n < N; ++n)
        for (int o = 0; o < O; ++o) {
            double want = b[size_t(o)], terms = std::abs(want);
            for (int i = 0; i < I; ++i) {
                const double t = double(x[size_t(n) * I + i]) * w[size_t(o) * I + i];
                want += t;
                terms += std::abs(t);
            }
            const size_t at = size_t(n) * O + o;
            QVERIFY2(near(y[at], want, terms), qPrintable(QString("Y at %1, %2").arg(n).arg(o)));
            QVERIFY2(near(yr[at], want + r[at], terms + std::abs(r[at])), qPrintable(QString("Y + R at %1, %2").arg(n).arg(o)));
            const double noBias = want - b[size_t(o)] + r[at];
            QVERIFY2(near(yrOnly[at], noBias, terms + std::abs(r[at])), qPrintable(QString("X W^T + R at %1, %2").arg(n).arg(o)));
            QVERIFY2(near(yInPlace[at], noBias, terms + std::abs(r[at])), qPrintable(QString("Y += X W^T at %1, %2").arg(n).arg(o)));
        }
    for (int n = 0; n < N; ++n)
        for (int i = 0; i < I; ++i) {
            double want = 0, terms = 0;
            for (int o = 0; o < O; ++o) {
                const double t = double(dy[size_t(n) * O + o]) * w[size_t(o) * I + i];
                want += t;
                terms += std::abs(t);
            }
            const size_t at = size_t(n) * I + i;
            QVERIFY2(near(dx[at], want, terms), qPrintable(QString("dX at %1, %2").arg(n).arg(i)));
            QVERIFY2(near(dxAdd[at], dxBefore[at] + want, terms + std::abs(dxBefore[at])),
                     qPrintable(QString("dX (added) at %1, %2").arg(n).arg(i)));
        }
    for (int o = 0; o < O; ++o) {
        double wantB = dbBefore[size_t(o)], termsB = std::abs(wantB);
        for (int n = 0; n < N; ++n) {
            wantB += dy[size_t(n) * O + o];
            termsB += std::abs(dy[size_t(n) * O + o]);
        }
        QVERIFY2(near(db[size_t(o)], wantB, termsB), qPrintable(QString("db at %1").arg(o)));
        for (int i = 0; i < I; ++i) {
            const size_t at = size_t(o) * I + i;
            double want = dwBefore[at], terms = std::abs(want);
            for (int n = 0; n < N; ++n) {
                const double t = double(dy[size_t(n) * O + o]) * x[size_t(n) * I + i];
                want += t;
                terms += std::abs(t);
            }
            QVERIFY2(near(dw[at], want, terms), qPrintable(QString("dW at %1, %2").arg(o).arg(i)));
        }
    }
    // db is the plain loop's sum, row after row, to the bit (it is summed on
    // dW's pass over dY, in blocks of rows), wherever the buffers lie
    std::vector<float> dbPlain = dbBefore;
    for (int n = 0; n < N; ++n)
        for (int o = 0; o < O; ++o) dbPlain[size_t(o)] += dy[size_t(n) * O + o];
    QVERIFY2(sameBits(db, dbPlain), "db is not the plain loop's sum");
    checkEveryShift("linear dW and db", [&](int shift) {
        Shifted sx(x, shift), sdy(dy, shift), sdw(dwBefore, shift), sdb(dbBefore, shift);
        ops::linear_backward<float>(nullptr, sdw.data, sdb.data, sdy.data, sx.data, w.data(), N, I, O);
        std::vector<float> all = sdw.values(OI), b = sdb.values(size_t(O));
        all.insert(all.end(), b.begin(), b.end());
        return all;
    });
}

void TestKernels::fusedLinearMatchesSeparateOps_data()
{
    QTest::addColumn<int>("N");
    QTest::addColumn<int>("I");
    QTest::addColumn<int>("O");
    QTest::newRow("1 row, 17 x 13") << 1 << 17 << 13;  // Eigen's matrix-vector product
    QTest::newRow("13 rows, 33 x 25") << 13 << 33 << 25;
    QTest::newRow("300 rows, 64 x 48") << 300 << 64 << 48;
    QTest::newRow("700 rows, 600 x 70") << 700 << 600 << 70;  // several blocks of rows and of depth
    QTest::newRow("530 rows, 70 x 600") << 530 << 70 << 600;
}

// The fused linear ops (Q, K and V of one input; dln from three products;
// their dW and db with one input;
// the FFN's up map with GELU and its down map's dX with GELU's backward)
// give the bits of the separate ops they replace, and the linear maps'
// forward and dX the same bits wherever their buffers lie.
void TestKernels::fusedLinearMatchesSeparateOps()
{
    QFETCH(int, N);
    QFETCH(int, I);
    QFETCH(int, O);
    Rng rng(static_cast<uint64_t>(N * 131 + I * 7 + O));
    const size_t NI = size_t(N) * I, NO = size_t(N) * O, OI = size_t(O) * I;
    const std::vector<float> x = randomFloats(rng, NI), r = randomFloats(rng, NO), dxBefore = randomFloats(rng, NI);
    std::vector<std::vector<float>> w, b, dy;
    for (int j = 0; j < 3; ++j) {
        w.push_back(randomFloats(rng, OI, 0.2));
        b.push_back(randomFloats(rng, size_t(O)));
        dy.push_back(randomFloats(rng, NO));
    }

    // three products of one input (the second without a bias)
    std::vector<std::vector<float>> sep(3, std::vector<float>(NO)), fused(3, std::vector<float>(NO, 7.0f));
    const float *bias[3] = {b[0].data(), nullptr, b[2].data()};
    for (int j = 0; j < 3; ++j) ops::linear_forward(sep[size_t(j)].data(), x.data(), w[size_t(j)].data(), bias[j], N, I, O);
    float *outs[3] = {fused[0].data(), fused[1].data(), fused[2].data()};
    const float *ws[3] = {w[0].data(), w[1].data(), w[2].data()};
    ops::linear_forward_many(outs, x.data(), ws, bias, 3, N, I, O);
    for (int j = 0; j < 3; ++j) QVERIFY2(sameBits(fused[size_t(j)], sep[size_t(j)]), qPrintable(QString("output %1").arg(j)));

    // dX summed over three products, set and added
    const float *douts[3] = {dy[0].data(), dy[1].data(), dy[2].data()};
    for (ops::Write write : {ops::Write::Set, ops::Write::Add}) {
        std::vector<float> dxSep = dxBefore, dxFused = dxBefore;
        for (int j = 0; j < 3; ++j)
            ops::linear_backward<float>(dxSep.data(), nullptr, nullptr, douts[j], nullptr, ws[j], N, I, O,
                                        j == 0 ? write : ops::Write::Add);
        ops::linear_backward_input_sum(dxFused.data(), douts, ws, 3, N, I, O, write);
        QVERIFY2(sameBits(dxFused, dxSep), write == ops::Write::Set ? "dX sum, set" : "dX sum, added");
    }

    // dW and db of three products of one input, added to what the buffers hold (the second without db)
    {
        std::vector<std::vector<float>> dwSep, dbSep;
        for (int j = 0; j < 3; ++j) {
            dwSep.push_back(randomFloats(rng, OI));
            dbSep.push_back(randomFloats(rng, size_t(O)));
        }
        std::vector<std::vector<float>> dwFused = dwSep, dbFused = dbSep;
        for (int j = 0; j < 3; ++j)
            ops::linear_backward<float>(nullptr, dwSep[size_t(j)].data(), j == 1 ? nullptr : dbSep[size_t(j)].data(),
                                        douts[j], x.data(), nullptr, N, I, O);
        float *dws[3] = {dwFused[0].data(), dwFused[1].data(), dwFused[2].data()};
        float *dbs[3] = {dbFused[0].data(), nullptr, dbFused[2].data()};
        ops::linear_backward_weights_many(dws, dbs, douts, x.data(), 3, N, I, O);
        for (int j = 0; j < 3; ++j) {
            QVERIFY2(sameBits(dwFused[size_t(j)], dwSep[size_t(j)]), qPrintable(QString("dW %1").arg(j)));
            QVERIFY2(sameBits(dbFused[size_t(j)], dbSep[size_t(j)]), qPrintable(QString("db %1").arg(j)));
        }
    }

    // the up map with GELU: up (N, O), act = gelu(up), and gelu'(up) kept for the backward
    std::vector<float> up(NO), act(NO), actF(NO, 7.0f), gradF(NO, 7.0f);
    ops::linear_forward(up.data(), x.data(), ws[0], bias[0], N, I, O);
    ops::gelu_forward(act.data(), up.data(), NO);
    ops::linear_gelu_forward(actF.data(), gradF.data(), x.data(), ws[0], bias[0], N, I, O);
    QVERIFY2(sameBits(actF, act), "gelu(up)");
    {
        std::vector<float> actG(NO), grad(NO);
        ops::gelu_forward_grad(actG.data(), grad.data(), up.data(), NO);
        QVERIFY2(sameBits(gradF, grad), "gelu'(up)");
    }

    // the down map's dX with GELU's backward: dact (N, I) = (dout W) gelu'(pre), pre (N, I), from
    // gelu'(pre) as the forward keeps it, against gelu_backward from pre
    const std::vector<float> pre = randomFloats(rng, NI, 2.0);
    std::vector<float> dact(NI), dactF(NI, 7.0f), actPre(NI), gradPre(NI);
    ops::linear_backward<float>(dact.data(), nullptr, nullptr, douts[1], nullptr, ws[1], N, I, O, ops::Write::Set);
    ops::gelu_backward(dact.data(), pre.data(), dact.data(), NI, ops::Write::Set);
    ops::gelu_forward_grad(actPre.data(), gradPre.data(), pre.data(), NI);
    ops::linear_gelu_backward_input(dactF.data(), douts[1], ws[1], gradPre.data(), N, I, O);
    QVERIFY2(sameBits(dactF, dact), "dX with gelu'");

    // forward (bias and residual) and dX (added): the same bits at every address
    checkEveryShift("linear forward and dX", [&](int shift) {
        Shifted sx(x, shift), sr(r, shift), sy(std::vector<float>(NO), shift), sdy(dy[0], shift), sdx(dxBefore, shift);
        Shifted sw(w[0], shift);
        ops::linear_forward(sy.data, sx.data, sw.data, b[0].data(), N, I, O, sr.data);
        ops::linear_backward<float>(sdx.data, nullptr, nullptr, sdy.data, nullptr, sw.data, N, I, O);
        std::vector<float> all = sy.values(NO), d = sdx.values(NI);
        all.insert(all.end(), d.begin(), d.end());
        return all;
    });
}

QTEST_GUILESS_MAIN(TestKernels)
#include "test_kernels.moc"
