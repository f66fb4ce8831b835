// Attention from outside models (core/attentionfile.h): every kind of file
// read to the numbers it holds (fixtures in tests/data/attention, written by
// make_fixtures.py with numbers exact in every float type), a file written by
// attnscope-cli read back to the floats the core computes, the Python
// snippet of docs/attention.md run against a stand-in for transformers, and
// every malformed file refused with a message that names it and what is
// wrong, before it can cost a large allocation.
#include "attentionfile.h"
#include "checkpoint.h"
#include "data/load.h"
#include "dataset.h"
#include "trainer.h"

#include <QDir>
#include <QFile>
#include <QProcess>
#include <QProcessEnvironment>
#include <QRegularExpression>
#include <QTemporaryDir>
#include <QTest>

#include <cmath>
#include <unistd.h>

#include "clirun.h"
#include "specialfiles.h"

using namespace attnscope;

namespace {

QString fixture(const QString &name)
{
    return QStringLiteral(ATTNSCOPE_SOURCE_DIR "/tests/data/attention/") + name;
}

QString q(const std::string &s) { return QString::fromStdString(s); }

bool spit(const QString &path, const QByteArray &bytes)
{
    QFile f(path);
    return f.open(QIODevice::WriteOnly) && f.write(bytes) == bytes.size();
}

// Reads path; on failure the test fails with the message.
AttentionFile read(const QString &path, const AttentionFileLimits &limits = {})
{
    AttentionFile file;
    std::string error;
    if (!readAttentionFile(path.toStdString(), &file, &error, limits))
        qWarning().noquote() << "unexpected error:" << q(error);
    return file;
}

// The error reading path gives ("" when it reads).
QString refusal(const QString &path, const AttentionFileLimits &limits = {})
{
    AttentionFile file;
    file.path = "untouched";
    std::string error;
    if (readAttentionFile(path.toStdString(), &file, &error, limits)) return {};
    if (file.path != "untouched") return "a failed read changed the value";
    return q(error);
}

// Every row of every map, every pooling vector and every probability
// vector sums to 1 within 1e-6: what the reader promises to return.
bool wellFormed(const AttentionFile &f)
{
    for (const AttentionFileSample &s : f.samples) {
        const size_t L = s.tokens.size();
        if (L == 0 || s.weights.size() != f.tasks.size()) return false;
        const SelfAttentionMaps &m = s.selfAttention;
        if (m.layers != f.layers || m.heads != f.heads || m.maps.size() != size_t(f.layers * f.heads)) return false;
        if (!m.empty() && size_t(m.n) != L) return false;
        for (const std::vector<float> &map : m.maps) {
            if (map.size() != L * L) return false;
            for (size_t i = 0; i < L; ++i) {
                double sum = 0;
                for (size_t j = 0; j < L; ++j) sum += map[i * L + j];
                if (std::fabs(sum - 1) > 1e-3) return false;
            }
        }
        for (const std::vector<float> &w : s.weights)
            if (w.size() != L) return false;
        if (!s.probs.empty() && s.probs.size() != f.tasks.size()) return false;
        for (size_t t = 0; t < s.probs.size(); ++t)
            if (s.probs[t].size() != f.tasks[t].classes.size()) return false;
    }
    return true;
}

// A one-sample BertViz-style JSON of one layer: maps, comma-separated, are its heads.
QByteArray oneMap(const QStringList &tokens, const QString &maps)
{
    QStringList quoted;
    for (const QString &t : tokens) quoted << '"' + t + '"';
    return QStringLiteral("{\"tokens\": [%1], \"attention\": [[%2]]}\n").arg(quoted.join(", "), maps).toUtf8();
}

// The start of a float32 .npy of this shape ("(2, 3)"): magic, version 1.0
// and the header, padded to 64 bytes as numpy pads it; the data follows.
QByteArray npyStart(const QByteArray &shape)
{
    QByteArray header = "{'descr': '<f4', 'fortran_order': False, 'shape': " + shape + ", }";
    header += QByteArray(63 - (10 + header.size()) % 64, ' ') + '\n';
    QByteArray start("\x93NUMPY\x01\x00", 8);
    start += char(header.size() & 0xFF);
    start += char(header.size() >> 8);
    return start + header;
}

} // namespace

class TestAttentionFile : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void cliSchema();
    void bertVizOne();
    void bertVizList();
    void npyWithTokensBeside();
    void npyFloatTypes_data();
    void npyFloatTypes();
    void npz();
    void npzPoolingOnly();
    void malformed_data();
    void malformed();
    void failedReadKeepsValue();
    void rowTolerance();
    void hugeShapesRefusedFromTheHeader();
    void budgetStopsJsonEarly();
    void headsAndLayersCapped();
    void fileSizeCap();
    void specialFilesRefused();
    void npyTokensPath();
    void cliFileReadsBackTheSameNumbers_data();
    void cliFileReadsBackTheSameNumbers();
    void pythonSnippetOfTheDocs();
};

void TestAttentionFile::cliSchema()
{
    const AttentionFile f = read(fixture("cli.json"));
    QCOMPARE(f.format, AttentionFileFormat::Json);
    QCOMPARE(f.samples.size(), size_t(2));
    QCOMPARE(f.layers, 1);
    QCOMPARE(f.heads, 2);
    QCOMPARE(f.tasks.size(), size_t(2));
    QCOMPARE(q(f.tasks[0].name), QStringLiteral("sentiment"));
    QCOMPARE(q(f.tasks[1].name), QStringLiteral("topic"));
    // Classes are named by the predictions where a sample names its most probable one.
    QCOMPARE(f.tasks[0].classes, (std::vector<std::string>{"negative", "positive"}));
    QCOMPARE(f.tasks[1].classes, (std::vector<std::string>{"class 0", "delivery", "screen", "class 3"}));
    QVERIFY(f.hasPredictions());
    const AttentionFileSample &s = f.samples[0];
    QCOMPARE(s.tokens, (std::vector<std::string>{"the", "screen", "is", "not", "good"}));
    QCOMPARE(s.selfAttention.n, 5);
    QCOMPARE(s.probs[0], (std::vector<float>{0.75f, 0.25f}));
    QCOMPARE(s.probs[1], (std::vector<float>{0.125f, 0.125f, 0.5f, 0.25f}));
    QCOMPARE(f.samples[1].tokens.size(), size_t(3));
    QCOMPARE(f.samples[1].selfAttention.n, 3);
    QVERIFY(s.line > 1);  // the sample's line, for messages
    QVERIFY(wellFormed(f));
}

void TestAttentionFile::bertVizOne()
{
    const AttentionFile f = read(fixture("bertviz.json"));
    QCOMPARE(f.samples.size(), size_t(1));
    QCOMPARE(f.layers, 2);
    QCOMPARE(f.heads, 2);
    QCOMPARE(f.tasks.size(), size_t(1));
    QCOMPARE(q(f.tasks[0].name), QStringLiteral("negation"));
    QVERIFY(f.tasks[0].classes.empty());
    QVERIFY(!f.hasPredictions());
    QVERIFY(f.samples[0].probs.empty());
    QVERIFY(wellFormed(f));
    // Every weight is a multiple of 1/8 (make_fixtures.py).
    for (const std::vector<float> &map : f.samples[0].selfAttention.maps)
        for (const float w : map) QCOMPARE(w * 8, std::round(w * 8));
}

void TestAttentionFile::bertVizList()
{
    const AttentionFile f = read(fixture("bertviz_list.json"));
    QCOMPARE(f.samples.size(), size_t(2));
    QCOMPARE(f.layers, 1);
    QCOMPARE(f.heads, 1);
    QVERIFY(f.tasks.empty());
    QCOMPARE(f.samples[0].selfAttention.n, 5);
    QCOMPARE(f.samples[1].selfAttention.n, 3);
    QCOMPARE(f.samples[1].tokens[2], std::string("!"));
    QVERIFY(wellFormed(f));
}

void TestAttentionFile::npyWithTokensBeside()
{
    const AttentionFile f = read(fixture("layers.npy"));
    QCOMPARE(f.format, AttentionFileFormat::Npy);
    QCOMPARE(f.samples.size(), size_t(1));
    QCOMPARE(f.layers, 2);
    QCOMPARE(f.heads, 3);
    QCOMPARE(f.samples[0].tokens, (std::vector<std::string>{"the", "screen", "is", "not", "good"}));
    QVERIFY(f.tasks.empty());
    QVERIFY(wellFormed(f));
    // [heads, L, L] is one layer.
    const AttentionFile h = read(fixture("heads.npy"));
    QCOMPARE(h.layers, 1);
    QCOMPARE(h.heads, 2);
    QCOMPARE(h.samples[0].selfAttention.n, 3);
    QVERIFY(wellFormed(h));
}

// float16, float32 big-endian and float64 hold the same eighths: the .npy
// numbers equal those of the same maps written as JSON.
void TestAttentionFile::npyFloatTypes_data()
{
    QTest::addColumn<QString>("name");
    QTest::newRow("float16") << "half.npy";
    QTest::newRow("float32 big-endian") << "bigendian.npy";
    QTest::newRow("float64 [heads, L, L]") << "heads.npy";
}

void TestAttentionFile::npyFloatTypes()
{
    QFETCH(QString, name);
    const AttentionFile f = read(fixture(name));
    QCOMPARE(f.samples.size(), size_t(1));
    QVERIFY(wellFormed(f));
    double total = 0;
    for (const std::vector<float> &map : f.samples[0].selfAttention.maps)
        for (const float w : map) {
            QCOMPARE(w * 8, std::round(w * 8));
            total += w;
        }
    // Each row sums to exactly 1 when every weight read back exactly.
    QCOMPARE(total, double(f.layers * f.heads * f.samples[0].selfAttention.n));
}

void TestAttentionFile::npz()
{
    const AttentionFile f = read(fixture("sample.npz"));
    QCOMPARE(f.format, AttentionFileFormat::Npz);
    QCOMPARE(f.layers, 2);
    QCOMPARE(f.heads, 2);
    QCOMPARE(f.tasks.size(), size_t(2));
    QCOMPARE(q(f.tasks[0].name), QStringLiteral("sentiment"));
    QCOMPARE(q(f.tasks[1].name), QStringLiteral("topic"));  // float64 pooling, read as float
    QCOMPARE(f.samples[0].tokens[1], std::string("screen"));
    QVERIFY(wellFormed(f));
    // Tokens saved as bytes (np.array of bytes, dtype 'S') read as UTF-8.
    const AttentionFile b = read(fixture("bytes_tokens.npz"));
    QCOMPARE(b.samples[0].tokens, (std::vector<std::string>{"fast", "delivery", "!"}));
}

void TestAttentionFile::npzPoolingOnly()
{
    const AttentionFile f = read(fixture("pooling_only.npz"));
    QCOMPARE(f.samples.size(), size_t(1));
    QCOMPARE(f.layers, 0);
    QVERIFY(f.samples[0].selfAttention.empty());
    QCOMPARE(q(f.tasks[0].name), QStringLiteral("urgency"));
    QCOMPARE(f.samples[0].weights[0].size(), size_t(3));
    QVERIFY(wellFormed(f));
}

void TestAttentionFile::malformed_data()
{
    QTest::addColumn<QString>("name");
    QTest::addColumn<QString>("message");  // a regular expression the message matches, after "<path>"
    QTest::newRow("ragged map") << "bad_ragged.json"
                                << ":\\d+: sample 0: 'attention': layer 0, head 0, row 2: 4 weights, the first row 5 \\(a ragged map\\)";
    QTest::newRow("row sum") << "bad_rowsum.json"
                             << ":\\d+: sample 0: layer 0, head 0, row 3: sums to 0.875, not 1 \\(within 0.001\\)";
    QTest::newRow("NaN (null)") << "bad_nan.json"
                                << ":\\d+: sample 0: 'attention': layer 0, head 0, row 1, column 2 is null, not a number";
    QTest::newRow("NaN (Python)") << "bad_python_nan.json"
                                  << ":\\d+: sample 0: 'attention': layer 0, head 0, row 1, column 2 is NaN, not a number "
                                     "\\(Python's json.dump writes a NaN or infinite float so; JSON has no such number\\)";
    QTest::newRow("-Infinity (Python)") << "bad_python_neginf.json"
                                        << ":\\d+: sample 0: 'attention': layer 0, head 0, row 1, column 2 is -Infinity, not a number";
    QTest::newRow("negative") << "bad_negative.json" << "row 4: weight 1 is negative \\(-0.25\\)";
    QTest::newRow("token count") << "bad_token_count.json" << "its maps are 5 x 5 but it has 4 tokens";
    QTest::newRow("batch level") << "bad_batch_level.json" << "is an array, not a number \\(one array level too many\\?\\)";
    QTest::newRow("heads differ") << "bad_heads.json" << "layer 1: 1 heads, layer 0 has 2";
    QTest::newRow("pooling sum") << "bad_pooling_sum.json" << "task 'sentiment': its pooling weights: sums to 0.75";
    QTest::newRow("tasks differ") << "bad_tasks_differ.json" << "sample 1: its tasks differ from sample 0's";
    QTest::newRow("layers differ") << "bad_layers_differ.json" << "sample 1: 2 layers of 1 heads, sample 0 has 1 of 1";
    QTest::newRow("probabilities") << "bad_probabilities.json" << "prediction for 'a': its probabilities: sums to 0.75";
    QTest::newRow("no samples") << "bad_no_samples.json" << ": no samples";
    QTest::newRow("not attention") << "bad_not_attention.json" << ":\\d+: neither 'samples' nor the members of one sample";
    QTest::newRow("no tokens") << "bad_no_tokens.json" << "sample 0: no 'tokens'";
    QTest::newRow("truncated") << "bad_truncated.json" << ":\\d+: expected ',' or '\\]', found the end of the file";
    QTest::newRow("given twice") << "bad_twice.json" << ":1: sample 0: 'layers' given twice \\(or 'layers' and 'attention' both\\)";
    QTest::newRow("npy without tokens") << "bad_no_tokens.npy"
                                        << ": a .npy holds no tokens: write them to .*bad_no_tokens.tokens.json as a JSON list";
    QTest::newRow("npy Fortran order") << "bad_fortran.npy" << ": it is in Fortran order";
    QTest::newRow("npy int") << "bad_int.npy" << ": it holds '<i4' values: floats";
    QTest::newRow("npy NaN") << "bad_nan.npy" << ": layer 0, head 0, row 1: weight 1 is NaN";
    QTest::newRow("npy token count") << "bad_token_count.npy" << ": its maps are 4 x 4 but .*bad_token_count.tokens.json has 3 tokens";
    QTest::newRow("npy 10^9 weights") << "bad_huge.npy"
                                      << ": its data is 36 bytes, while its shape \\(1000, 1000, 1000\\) of '<f4' needs 4000000000";
    QTest::newRow("npz compressed") << "bad_compressed.npz"
                                    << ": member 'tokens.npy': compressed \\(numpy.savez_compressed deflates its arrays, which "
                                       "AttnScope does not read\\): save it with numpy.savez";
    QTest::newRow("npz unnamed arrays") << "bad_unnamed.npz" << ": no 'attention' \\(nor 'pooling_<task>'\\) array: name the arrays";
    QTest::newRow("npz no tokens") << "bad_npz_no_tokens.npz" << ": no 'tokens' array";
    QTest::newRow("npz object tokens") << "bad_object_tokens.npz"
                                       << ": member 'tokens.npy': it holds Python objects \\(a pickle\\)";
    QTest::newRow("npz token count") << "bad_npz_token_count.npz" << ": its 'attention' has maps of 4 x 4 but 'tokens' has 3";
    QTest::newRow("npz pooling length") << "bad_pooling_length.npz" << ": task 'a': 4 pooling weights for 3 tokens";
    QTest::newRow("npz CRC") << "bad_crc.npz" << ": member 'attention.npy': its CRC-32 does not match its data";
    QTest::newRow("npz 10^9 weights") << "bad_npz_huge.npz" << ": member 'attention.npy': its data is 36 bytes, while its shape "
                                                               "\\(1000, 1000, 1000\\)";
}

void TestAttentionFile::malformed()
{
    QFETCH(QString, name);
    QFETCH(QString, message);
    const QString path = fixture(name);
    const QString error = refusal(path);
    QVERIFY2(error.startsWith(path), qPrintable(error));
    const QRegularExpression expected('^' + QRegularExpression::escape(path) + ".*" + message);
    QVERIFY2(expected.match(error).hasMatch(), qPrintable(error));
}

void TestAttentionFile::failedReadKeepsValue()
{
    AttentionFile f = read(fixture("cli.json"));
    std::string error;
    QVERIFY(!readAttentionFile(fixture("bad_ragged.json").toStdString(), &f, &error));
    QCOMPARE(f.samples.size(), size_t(2));
    QCOMPARE(q(f.path), fixture("cli.json"));
}

// Rows sum to 1 within 1e-3 (float16's rounding is at most 2^-11 of a sum);
// the tolerance is a limit the caller may change.
void TestAttentionFile::rowTolerance()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString inside = dir.filePath("inside.json"), outside = dir.filePath("outside.json");
    QVERIFY(spit(inside, oneMap({"a", "b"}, "[[0.5, 0.5009], [0.25, 0.75]]")));
    QVERIFY(spit(outside, oneMap({"a", "b"}, "[[0.5, 0.5011], [0.25, 0.75]]")));
    QCOMPARE(refusal(inside), QString());
    QVERIFY(refusal(outside).endsWith("layer 0, head 0, row 0: sums to 1.0011, not 1 (within 0.001)"));
    AttentionFileLimits loose;
    loose.tolerance = 0.01;
    QCOMPARE(refusal(outside, loose), QString());
    // A row of zeros (a padding query some models leave empty) is not a distribution.
    const QString zeros = dir.filePath("zeros.json");
    QVERIFY(spit(zeros, oneMap({"a", "b"}, "[[0.5, 0.5], [0, 0]]")));
    QVERIFY(refusal(zeros).endsWith("row 1: sums to 0, not 1 (within 0.001)"));
    // Numbers below the smallest float read as 0; above the largest they are refused.
    const QString tiny = dir.filePath("tiny.json"), huge = dir.filePath("huge.json");
    QVERIFY(spit(tiny, oneMap({"a", "b"}, "[[1e-60, 1], [1, 0]]")));
    QVERIFY(spit(huge, oneMap({"a", "b"}, "[[1e60, 1], [1, 0]]")));
    QCOMPARE(read(tiny).samples.at(0).selfAttention.at(0, 0, 0, 0), 0.0f);
    QVERIFY(refusal(huge).endsWith("row 0, column 0: 1e60 is beyond the range of a float"));
    // Beyond a double too: 1e999 read as 0 ("row 0: sums to 0"), 1e-999 is 0.
    const QString tinier = dir.filePath("tinier.json"), huger = dir.filePath("huger.json");
    QVERIFY(spit(tinier, oneMap({"a", "b"}, "[[1e-999, 1], [1, 0]]")));
    QVERIFY(spit(huger, oneMap({"a", "b"}, "[[-1E+999, 1], [1, 0]]")));
    QCOMPARE(read(tinier).samples.at(0).selfAttention.at(0, 0, 0, 0), 0.0f);
    QVERIFY2(refusal(huger).endsWith("row 0, column 0: -1E+999 is beyond the range of a float"), qPrintable(refusal(huger)));
}

// A shape over the budget is refused from the .npy header, before its
// data is read: a sparse file of 4 GB whose reading would allocate 4 GB
// (ASan's and the fuzzer's rss limits would stop that) is refused at once.
void TestAttentionFile::hugeShapesRefusedFromTheHeader()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString path = dir.filePath("huge.npy");
    const QByteArray start = npyStart("(1000, 1000, 1000)");
    QVERIFY(spit(path, start));
    QVERIFY(::truncate(path.toLocal8Bit().constData(), off_t(start.size()) + off_t(4000000000LL)) == 0);
    QVERIFY(spit(dir.filePath("huge.tokens.json"), "[\"a\"]"));
    AttentionFileLimits limits;
    limits.maxFileBytes = int64_t(8) << 30;
    QCOMPARE(refusal(path, limits), path + ": its maps are 1000 x 1000 but " + dir.filePath("huge.tokens.json")
                                           + " has 1 tokens");
    // With 1000 tokens the shape check is the budget's.
    QStringList thousand;
    for (int i = 0; i < 1000; ++i) thousand << QStringLiteral("\"t%1\"").arg(i);
    QVERIFY(spit(dir.filePath("huge.tokens.json"), ('[' + thousand.join(',') + ']').toUtf8()));
    QCOMPARE(refusal(path, limits), path + ": its shape (1000, 1000, 1000) is 1000000000 weights, 3815 MiB as floats: "
                                           "holds more than 256 MiB, the most attention read from one file "
                                           "(save fewer samples, layers or tokens)");
    // The default cap on a file's size stops it before anything else.
    QVERIFY(refusal(path).endsWith(": 3815 MiB, more than the 1024 MiB an attention file may have"));
}

// JSON is counted as it is read: the reader stops at the budget, and a
// first row of n weights reserves n x n only when they fit.
void TestAttentionFile::budgetStopsJsonEarly()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString path = dir.filePath("wide.json");
    // One row of 20,000 weights promises a 20,000 x 20,000 map: 1.6 GB.
    QByteArray row = "[1";
    for (int j = 1; j < 20000; ++j) row += ",0";
    row += ']';
    QVERIFY(spit(path, "{\"tokens\": [\"a\"], \"attention\": [[[" + row + "]]]}"));
    const QString error = refusal(path);
    // Said by the map the row implies, not as if the file (234 KB) held it (accept25 D17).
    QCOMPARE(error, path + ":1: sample 0: 'attention': layer 0, head 0, row 0: 20000 weights, so each map would be "
                           "20000 x 20000 (1526 MiB): holds more than 256 MiB, the most attention read from one file "
                           "(save fewer samples, layers or tokens)");
    AttentionFileLimits small;
    small.maxBytes = 1000;
    QVERIFY(refusal(fixture("cli.json"), small).contains(": holds more than 1000 bytes"));
}

// More than 1024 layers or heads is a wrong array, not a model (and no
// head grid could show it), however small each map.
void TestAttentionFile::headsAndLayersCapped()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    QStringList heads(1025, QStringLiteral("[[1]]"));  // 1025 maps of 1 x 1 in layer 0
    const QString json = dir.filePath("heads.json"), fewer = dir.filePath("fewer.json");
    QVERIFY(spit(json, oneMap({"a"}, heads.join(','))));
    QCOMPARE(refusal(json), json + ":1: sample 0: 'attention': layer 0: more than 1024 heads");
    heads.removeLast();
    QVERIFY(spit(fewer, oneMap({"a"}, heads.join(','))));
    QCOMPARE(read(fewer).heads, 1024);

    const QString npy = dir.filePath("layers.npy");
    QByteArray bytes = npyStart("(1025, 1, 1, 1)");
    const float one = 1.0f;
    for (int k = 0; k < 1025; ++k) bytes += QByteArray(reinterpret_cast<const char *>(&one), 4);
    QVERIFY(spit(npy, bytes));
    QVERIFY(spit(dir.filePath("layers.tokens.json"), "[\"a\"]"));
    QCOMPARE(refusal(npy), npy + ": its shape (1025, 1, 1, 1) has more than 1024 layers or 1024 heads");
}

void TestAttentionFile::fileSizeCap()
{
    AttentionFileLimits limits;
    limits.maxFileBytes = 1000;
    const QString path = fixture("cli.json");
    QCOMPARE(refusal(path, limits), path + ": 2 KiB, more than the 1000 bytes an attention file may have");
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    QVERIFY(spit(dir.filePath("empty.json"), {}));
    QCOMPARE(refusal(dir.filePath("empty.json")), dir.filePath("empty.json") + ": an empty file");
}

void TestAttentionFile::specialFilesRefused()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString fifo = dir.filePath("attention.json");
    QVERIFY(makeFifo(fifo));
    QCOMPARE(refusal(fifo), fifo + ": is a FIFO (named pipe), not a regular file");
    QCOMPARE(refusal(dir.path()), dir.path() + ": is a directory, not a regular file");
    QVERIFY(refusal(dir.filePath("absent.json")).startsWith(dir.filePath("absent.json") + ": cannot open: "));
    // The tokens beside a .npy are checked the same way.
    QVERIFY(QFile::copy(fixture("layers.npy"), dir.filePath("x.npy")));
    QVERIFY(makeFifo(dir.filePath("x.tokens.json")));
    QCOMPARE(refusal(dir.filePath("x.npy")), dir.filePath("x.tokens.json") + ": is a FIFO (named pipe), not a regular file");
}

void TestAttentionFile::npyTokensPath()
{
    QCOMPARE(q(attnscope::npyTokensPath("dir/review.npy")), QStringLiteral("dir/review.tokens.json"));
    QCOMPARE(q(attnscope::npyTokensPath("a.b/c")), QStringLiteral("a.b/c.tokens.json"));
    QCOMPARE(q(attnscope::npyTokensPath("x.v2.npy")), QStringLiteral("x.v2.tokens.json"));
    QCOMPARE(q(attnscope::npyTokensPath(".hidden")), QStringLiteral(".hidden.tokens.json"));
}

// attnscope-cli attention writes a file that reads back to exactly the floats
// the core computes for the same samples (inspect(), as the CLI runs it: one
// chunk of at most 128 samples, encoded with the checkpoint's vocabulary).
void TestAttentionFile::cliFileReadsBackTheSameNumbers_data()
{
    QTest::addColumn<QString>("data");
    QTest::addColumn<QStringList>("model");
    QTest::newRow("text, 2 layers") << "builtin:reviews?n=40" << QStringList{"--layers", "2", "--heads", "2"};
    QTest::newRow("text, 0 layers") << "builtin:reviews?n=40" << QStringList{"--layers", "0"};
    QTest::newRow("tabular, missing features") << "builtin:sensors?n=40&missing=0.3" << QStringList{"--layers", "1"};
}

void TestAttentionFile::cliFileReadsBackTheSameNumbers()
{
    QFETCH(QString, data);
    QFETCH(QStringList, model);
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString checkpoint = dir.filePath("model.safetensors"), out = dir.filePath("attention.json");
    Run run = cli(QStringList{"train", "--data", data, "--steps", "30", "--dim", "16", "--ffn", "32", "--out", checkpoint}
                  + model);
    QVERIFY2(run.code == 0, qPrintable(run.err));
    run = cli({"attention", "--checkpoint", checkpoint, "--data", data, "--out", out});
    QVERIFY2(run.code == 0, qPrintable(run.err));

    const AttentionFile f = read(out);
    Model m;
    Dataset d;
    std::string error;
    QVERIFY2(loadCheckpoint(checkpoint.toStdString(), &m, &error), error.c_str());
    QVERIFY2(loadDataset(data.toStdString(), &d, &error), error.c_str());
    std::vector<int> all(d.samples.size());
    for (size_t i = 0; i < all.size(); ++i) all[i] = int(i);
    const Vocabulary vocab = m.config.input == InputKind::Text ? Vocabulary(m.vocab) : Vocabulary();
    const EncodedDataset encoded = encodeDataset(d, all, vocab, m.config.maxLen);
    const std::vector<SampleOutputs> expected = inspect(m, encoded, all);

    QCOMPARE(f.samples.size(), expected.size());
    QCOMPARE(f.layers, m.config.layers);
    QCOMPARE(f.heads, m.config.layers > 0 ? m.config.heads : 0);
    QCOMPARE(f.tasks.size(), m.tasks.size());
    for (size_t t = 0; t < m.tasks.size(); ++t) {
        QCOMPARE(f.tasks[t].name, m.tasks[t].name);
        QCOMPARE(f.tasks[t].classes.size(), m.tasks[t].classes.size());
        for (size_t c = 0; c < m.tasks[t].classes.size(); ++c)  // each named, or not predicted by any sample
            QVERIFY(f.tasks[t].classes[c] == m.tasks[t].classes[c] || f.tasks[t].classes[c] == "class " + std::to_string(c));
    }
    for (size_t i = 0; i < expected.size(); ++i) {
        const AttentionFileSample &s = f.samples[i];
        const SampleOutputs &e = expected[i];
        if (m.config.input == InputKind::Text) {
            QCOMPARE(s.tokens.size(), encoded.samples[i].tokens.size());
            for (size_t j = 0; j < s.tokens.size(); ++j) QCOMPARE(s.tokens[j], encoded.samples[i].tokens[j].text);
        } else {
            QCOMPARE(s.tokens, m.features);
        }
        QCOMPARE(s.weights, e.pool);   // every float equal, not close
        QCOMPARE(s.probs, e.probs);
        QCOMPARE(s.selfAttention.layers, e.selfAttention.layers);
        QVERIFY(s.selfAttention.maps == e.selfAttention.maps);
        if (!e.selfAttention.empty()) {  // with 0 layers the core keeps its heads and n, the file has neither
            QCOMPARE(s.selfAttention.heads, e.selfAttention.heads);
            QCOMPARE(s.selfAttention.n, e.selfAttention.n);
        }
    }
    QVERIFY(wellFormed(f));
}

// The Python of docs/attention.md, run as written against a stand-in for
// transformers (tests/data/attention/fake_transformers: the same calls, a
// small model's worth of row-stochastic maps from torch.softmax): the .npz
// and the JSON it writes both read, to the same numbers.
void TestAttentionFile::pythonSnippetOfTheDocs()
{
    QFile doc(QStringLiteral(ATTNSCOPE_SOURCE_DIR "/docs/attention.md"));
    QVERIFY(doc.open(QIODevice::ReadOnly));
    const QString text = QString::fromUtf8(doc.readAll());
    const QRegularExpression block("<!-- snippet: huggingface -->\\s*```python\\n(.*?)```",
                                   QRegularExpression::DotMatchesEverythingOption);
    const QRegularExpressionMatch match = block.match(text);
    QVERIFY2(match.hasMatch(), "docs/attention.md has no python block after <!-- snippet: huggingface -->");
    const QString snippet = match.captured(1);
    QVERIFY(snippet.contains("output_attentions=True"));

    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    QProcess python;
    python.setWorkingDirectory(dir.path());
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert("PYTHONPATH", fixture("fake_transformers"));
    python.setProcessEnvironment(env);
    python.start("/usr/bin/python3", {"-"});
    QVERIFY(python.waitForStarted());
    python.write(snippet.toUtf8());
    python.closeWriteChannel();
    QVERIFY(python.waitForFinished(120000));
    QVERIFY2(python.exitStatus() == QProcess::NormalExit && python.exitCode() == 0,
             python.readAllStandardError().constData());

    const AttentionFile npz = read(dir.filePath("review.npz"));
    const AttentionFile json = read(dir.filePath("review.json"));
    QCOMPARE(npz.format, AttentionFileFormat::Npz);
    QCOMPARE(json.format, AttentionFileFormat::Json);
    // The stand-in: 3 layers of 4 heads over "[CLS] the screen is not good [SEP]".
    QCOMPARE(npz.layers, 3);
    QCOMPARE(npz.heads, 4);
    QCOMPARE(npz.samples[0].tokens,
             (std::vector<std::string>{"[CLS]", "the", "screen", "is", "not", "good", "[SEP]"}));
    QCOMPARE(json.samples[0].tokens, npz.samples[0].tokens);
    QVERIFY(json.samples[0].selfAttention.maps == npz.samples[0].selfAttention.maps);
    QVERIFY(wellFormed(npz));
}

QTEST_GUILESS_MAIN(TestAttentionFile)
#include "test_attentionfile.moc"
