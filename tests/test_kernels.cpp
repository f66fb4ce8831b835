// The float kernels as training runs them (this processor's build, see
// ops::kernelIsa()): the same bits wherever their buffers lie in memory (a
// sum whose grouping follows the address, or an entry that takes a scalar
// path at an unaligned edge, would break resumed and data-parallel runs that
// must repeat bit for bit), and the masked softmax's contract at lengths
// around its pack of 16 entries. The gradients are test_gradcheck's; the
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

QTEST_GUILESS_MAIN(TestKernels)
#include "test_kernels.moc"
