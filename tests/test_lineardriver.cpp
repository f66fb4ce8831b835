// The linear maps' driver of the AVX-512 build (core/ops_eigen_gemm.inc)
// runs Eigen's packing and kernel in its own order: W packed once, each
// block of rows started (zero, bias, residual) just before its products,
// several products sharing one packing or one output. Its promise is Eigen's
// own product's bits. This suite holds it to them, entry for entry, against
// Eigen's product expressions built with the same instructions
// (lineardriver/eigen_products_avx512.cpp), at the model's shapes, at
// several blocks of rows and of depth, and at odd sizes. test_kernels holds
// the fused ops to the separate ones; this, the separate ones to Eigen.
// Elsewhere than on AVX-512 the ops run Eigen's expressions and the suite
// has nothing to compare: it skips.

#include "lineardriver/eigen_products.h"
#include "ops.h"
#include "random.h"

#include <QTest>

#include <cstring>
#include <vector>

using namespace attnscope;

namespace {

std::vector<float> randomFloats(Rng &rng, size_t n, double scale = 1.0)
{
    std::vector<float> v(n);
    for (float &x : v) x = float(scale * rng.normal());
    return v;
}

// The index of the first entry whose bits differ, or -1.
long firstDifference(const std::vector<float> &a, const std::vector<float> &b)
{
    if (a.size() != b.size()) return 0;
    for (size_t i = 0; i < a.size(); ++i)
        if (std::memcmp(&a[i], &b[i], sizeof(float)) != 0) return long(i);
    return -1;
}

#define COMPARE_BITS(what, got, want)                                                                            \
    do {                                                                                                         \
        const long at = firstDifference(got, want);                                                              \
        if (at >= 0)                                                                                             \
            QFAIL(qPrintable(QString("%1: entry %2 is %3, Eigen's product gives %4")                             \
                                 .arg(what)                                                                      \
                                 .arg(at)                                                                        \
                                 .arg(double(got.at(size_t(at))), 0, 'g', 9)                                     \
                                 .arg(double(want.at(size_t(at))), 0, 'g', 9)));                                 \
    } while (false)

} // namespace

class TestLinearDriver : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void init();
    void forwardIsEigensProduct_data();
    void forwardIsEigensProduct();
    void inputGradientIsEigensProduct_data();
    void inputGradientIsEigensProduct();
    void sharedOperandsAreEigensProducts_data();
    void sharedOperandsAreEigensProducts();
};

void TestLinearDriver::init()
{
    if (QLatin1String(ops::kernelIsa()) != QLatin1String("avx512"))
        QSKIP(qPrintable(QString("the driver is the AVX-512 build's; the ops run the %1 build (Eigen's expressions)").arg(ops::kernelIsa())));
}

// N rows, depth I, O outputs: the step's shapes (blocks of 296 rows; depth
// 1024 is two blocks of depth), and odd ones at the edges of the kernel's
// panels (48 x 4) and of Eigen's choice of path (below 20 in all, one row).
static void shapes()
{
    QTest::addColumn<int>("N");
    QTest::addColumn<int>("I");
    QTest::addColumn<int>("O");
    QTest::newRow("1 row, 17 x 13") << 1 << 17 << 13;
    QTest::newRow("5 rows, 7 x 3") << 5 << 7 << 3;
    QTest::newRow("37 rows, 45 x 29") << 37 << 45 << 29;
    QTest::newRow("130 rows, 64 x 49") << 130 << 64 << 49;
    QTest::newRow("300 rows, 256 x 256") << 300 << 256 << 256;
    QTest::newRow("597 rows, 256 x 1024") << 597 << 256 << 1024;
    QTest::newRow("601 rows, 1024 x 256") << 601 << 1024 << 256;
    QTest::newRow("2048 rows, 256 x 256") << 2048 << 256 << 256;
}

void TestLinearDriver::forwardIsEigensProduct_data() { shapes(); }

// Y = [residual +] [bias +] X W^T: every start, and the residual being Y.
void TestLinearDriver::forwardIsEigensProduct()
{
    QFETCH(int, N);
    QFETCH(int, I);
    QFETCH(int, O);
    Rng rng(static_cast<uint64_t>(N * 7919 + I * 31 + O));
    const size_t NI = size_t(N) * I, NO = size_t(N) * O;
    const std::vector<float> x = randomFloats(rng, NI), w = randomFloats(rng, size_t(O) * I, 0.1),
                             b = randomFloats(rng, size_t(O)), r = randomFloats(rng, NO);
    for (const bool withBias : {false, true})
        for (const int residual : {0, 1, 2}) {  // none, another buffer, Y itself
            const QString what = QString("forward, %1 bias, %2")
                                     .arg(withBias ? "with" : "no")
                                     .arg(residual == 0 ? "no residual" : residual == 1 ? "residual" : "residual in place");
            std::vector<float> got(NO, 7.0f), want(NO, 7.0f);
            if (residual == 2) got = want = r;
            const float *gotResidual = residual == 1 ? r.data() : residual == 2 ? got.data() : nullptr;
            const float *wantResidual = residual == 1 ? r.data() : residual == 2 ? want.data() : nullptr;
            const float *bias = withBias ? b.data() : nullptr;
            ops::linear_forward(got.data(), x.data(), w.data(), bias, N, I, O, gotResidual);
            test::eigenLinearForward(want.data(), x.data(), w.data(), bias, N, I, O, wantResidual);
            COMPARE_BITS(what, got, want);
        }
}

void TestLinearDriver::inputGradientIsEigensProduct_data() { shapes(); }

// dX = dY W (Write::Set) and dX += dY W (Write::Add).
void TestLinearDriver::inputGradientIsEigensProduct()
{
    QFETCH(int, N);
    QFETCH(int, I);
    QFETCH(int, O);
    Rng rng(static_cast<uint64_t>(N * 104729 + I * 37 + O));
    const size_t NI = size_t(N) * I;
    const std::vector<float> dy = randomFloats(rng, size_t(N) * O), w = randomFloats(rng, size_t(O) * I, 0.1),
                             before = randomFloats(rng, NI);
    for (const bool set : {true, false}) {
        std::vector<float> got = before, want = before;
        ops::linear_backward(got.data(), static_cast<float *>(nullptr), static_cast<float *>(nullptr), dy.data(),
                             static_cast<const float *>(nullptr), w.data(), N, I, O,
                             set ? ops::Write::Set : ops::Write::Add);
        test::eigenLinearInput(want.data(), dy.data(), w.data(), N, I, O, set);
        COMPARE_BITS(QString("dX, %1").arg(set ? "set" : "added"), got, want);
    }
}

void TestLinearDriver::sharedOperandsAreEigensProducts_data()
{
    shapes();
}

// Several maps of one input (Q, K, V: each block of X packed once) give each
// map's own product; several products into one output (dln from dQ, dK, dV)
// give Eigen's products added one after the other. With 3 (the model's) and
// with 5, more than the driver takes in one call (they run one by one).
void TestLinearDriver::sharedOperandsAreEigensProducts()
{
    QFETCH(int, N);
    QFETCH(int, I);
    QFETCH(int, O);
    Rng rng(static_cast<uint64_t>(N * 15485863 + I * 41 + O));
    const size_t NI = size_t(N) * I, NO = size_t(N) * O;
    const std::vector<float> x = randomFloats(rng, NI);
    for (const int count : {3, 5}) {
        std::vector<std::vector<float>> w, b, dy, got, want;
        std::vector<const float *> ws, bs, dys;
        std::vector<float *> outs;
        for (int j = 0; j < count; ++j) {
            w.push_back(randomFloats(rng, size_t(O) * I, 0.1));
            b.push_back(randomFloats(rng, size_t(O)));
            dy.push_back(randomFloats(rng, NO));
            got.emplace_back(NO, 3.0f);
            want.emplace_back(NO, 3.0f);
        }
        for (int j = 0; j < count; ++j) {
            ws.push_back(w[size_t(j)].data());
            bs.push_back(j == 1 ? nullptr : b[size_t(j)].data());  // one map without a bias
            dys.push_back(dy[size_t(j)].data());
            outs.push_back(got[size_t(j)].data());
        }
        ops::linear_forward_many(outs.data(), x.data(), ws.data(), bs.data(), count, N, I, O);
        for (int j = 0; j < count; ++j) {
            test::eigenLinearForward(want[size_t(j)].data(), x.data(), ws[size_t(j)], bs[size_t(j)], N, I, O, nullptr);
            COMPARE_BITS(QString("map %1 of %2 on one input").arg(j).arg(count), got[size_t(j)], want[size_t(j)]);
        }
        std::vector<float> dx(NI, 5.0f), dxWant(NI, 5.0f);
        ops::linear_backward_input_sum(dx.data(), dys.data(), ws.data(), count, N, I, O, ops::Write::Set);
        for (int j = 0; j < count; ++j) test::eigenLinearInput(dxWant.data(), dys[size_t(j)], ws[size_t(j)], N, I, O, j == 0);
        COMPARE_BITS(QString("sum of %1 products' dX").arg(count), dx, dxWant);
    }
}

QTEST_GUILESS_MAIN(TestLinearDriver)
#include "test_lineardriver.moc"
