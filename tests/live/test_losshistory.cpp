// LossHistory, the loss plot's numbers without a widget (attnscope_live
// alone: Qt Core, no QApplication): points arrive in any pieces and are
// kept whole, the debiased moving average against its definition, block
// summaries kept up to date, and the CSV export read back with core's parser
// and written as core writes a whole file.
#include "../csvrecords.h"
#include "../specialfiles.h"
#include "losshistory.h"

#include <QTemporaryDir>
#include <QtTest>

#include <algorithm>
#include <cmath>

using namespace attnscope;

namespace {

// Steps [first, first + count): task 0's loss 1/i, task 1's missing on every
// fifth step; an evaluation every 10 steps.
TrainingSnapshot steps(int64_t first, int64_t count)
{
    TrainingSnapshot s;
    for (int64_t i = first; i < first + count; ++i) {
        const float a = 1.0f / float(i), b = i % 5 == 0 ? NAN : 2.0f - a;
        s.steps.push_back({i, double(i) / 20.0, a + b, {a, b}, 0.001f * float(i), 1.0f});
        if (i % 10 == 0)
            s.evals.push_back({i, double(i) / 20.0, 0.5, {0.25, 0.75}, {0.9, 0.6}, {}, {}});
    }
    return s;
}

QString csvOf(const LossHistory &history)
{
    return QString::fromStdString(history.csv());
}

} // namespace

class TestLossHistory : public QObject {
    Q_OBJECT

private slots:
    // The same points whether they arrive at once or in uneven pieces: the
    // curves, the smoothed curves and their block summaries.
    void piecesEqualTheWhole()
    {
        // New, before any setTasks: the total's series alone, which a plot can draw.
        const LossHistory fresh;
        QCOMPARE(fresh.seriesCount(), 1);
        QCOMPARE(fresh.series(0).loss.size(), size_t(0));
        QVERIFY(fresh.tasks().isEmpty());

        LossHistory whole, pieces;
        for (LossHistory *h : {&whole, &pieces})
            h->setTasks({QStringLiteral("a"), QStringLiteral("b")});
        whole.append(steps(1, 1000));
        for (int64_t first = 1; first <= 1000;) {
            const int64_t count = std::min<int64_t>(first % 7 * 37 + 1, 1001 - first);
            pieces.append(steps(first, count));
            first += count;
        }
        QCOMPARE(pieces.seriesCount(), 3);
        QCOMPARE(pieces.steps(), whole.steps());
        QCOMPARE(pieces.epochs(), whole.epochs());
        QCOMPARE(pieces.learningRates(), whole.learningRates());
        QCOMPARE(pieces.evalSteps().size(), size_t(100));
        for (int s = 0; s < 3; ++s) {
            const LossHistory::Series &p = pieces.series(s), &w = whole.series(s);
            QCOMPARE(p.loss.size(), size_t(1000));
            for (size_t i = 0; i < p.loss.size(); ++i) {
                QVERIFY(p.loss[i] == w.loss[i] || (std::isnan(p.loss[i]) && std::isnan(w.loss[i])));
                QCOMPARE(p.smoothed[i], w.smoothed[i]);
            }
            QCOMPARE(p.evalLoss, w.evalLoss);
            QCOMPARE(p.evalAccuracy.size(), s == 0 ? size_t(0) : size_t(100));  // the total has no accuracy
            QCOMPARE(p.lossBlocks.size(), size_t(1000));
            QCOMPARE(p.smoothedBlocks.size(), size_t(1000));
            QCOMPARE(p.evalLossBlocks.size(), size_t(100));
            QCOMPARE(p.lossBlocks.levels(), w.lossBlocks.levels());
            for (int level = 0; level < p.lossBlocks.levels(); ++level) {
                const SeriesPyramid::Block &pb = p.lossBlocks.block(level, 0), &wb = w.lossBlocks.block(level, 0);
                QCOMPARE(pb.count, wb.count);
                QCOMPARE(pb.minIndex, wb.minIndex);
                QCOMPARE(pb.maxIndex, wb.maxIndex);
            }
        }
        // A task the snapshot does not report: missing, as a task without a label.
        TrainingSnapshot short_;
        short_.steps.push_back({1001, 50.05, 1.0f, {1.0f}, 0.001f, 1.0f});
        pieces.append(short_);
        QVERIFY(std::isnan(pieces.series(2).loss.back()));
    }

    // smoothed[i] = ema_i / (1 - beta^(i + 1)) with ema_i = beta ema_(i-1) +
    // (1 - beta) x_i over the finite x (a missing loss keeps the average);
    // a new beta recomputes every curve and its blocks.
    void smoothingIsTheDebiasedAverage()
    {
        LossHistory history;
        history.setTasks({QStringLiteral("a"), QStringLiteral("b")});
        history.append(steps(1, 300));
        for (const double beta : {0.9, 0.0, 0.5, 0.999}) {
            history.setSmoothing(beta);
            QCOMPARE(history.smoothing(), beta);
            for (int s = 0; s < 3; ++s) {
                const LossHistory::Series &series = history.series(s);
                double ema = 0;
                for (size_t i = 0; i < series.loss.size(); ++i) {
                    if (std::isfinite(series.loss[i]))
                        ema = beta * ema + (1 - beta) * series.loss[i];
                    const double expected = ema / (1 - std::pow(beta, double(i + 1)));
                    QVERIFY2(std::abs(series.smoothed[i] - expected) <= 1e-12 * std::max(1.0, std::abs(expected)),
                             qPrintable(QStringLiteral("beta %1 series %2 step %3").arg(beta).arg(s).arg(i)));
                }
                // The blocks summarise the new curve: the mean of all equals the curve's.
                std::vector<Column> columns;
                std::vector<double> keys = history.steps();
                reduceToColumns(keys, series.smoothed, series.smoothedBlocks, 0, keys.size(), 1, 301, 1, &columns);
                QCOMPARE(columns.size(), size_t(1));
                double sum = 0;
                for (double v : series.smoothed)
                    sum += v;
                QVERIFY(std::abs(columns[0].sum - sum) <= 1e-9 * std::abs(sum));
            }
        }
        QCOMPARE(history.smoothing(), 0.999);
        history.setSmoothing(2);  // at most 0.999
        QCOMPARE(history.smoothing(), 0.999);
    }

    // The CSV: a column per series and metric, names quoted where they need
    // it, validation on evaluation steps only, a change on the step after it.
    // The best evaluation is the lowest total validation loss, the first of
    // equals, never a NaN: the rule of attnscope-cli train --keep-best
    // (core/bestevaluation.h), whichever pieces the evaluations come in.
    void bestEvaluationFollowsTheKeepBestRule()
    {
        LossHistory history;
        history.setTasks({QStringLiteral("a")});
        QCOMPARE(history.bestEvaluation(), -1);
        const double losses[] = {NAN, 0.8, 0.5, 0.7, 0.5, 0.4, 0.45};
        const int expected[] = {-1, 1, 2, 2, 2, 5, 5};
        for (int i = 0; i < 7; ++i) {
            TrainingSnapshot s;
            s.evals.push_back({10 * (i + 1), double(i + 1), losses[i], {losses[i]}, {0.5}, {}, {}});
            history.append(s);
            QCOMPARE(history.bestEvaluation(), expected[i]);
        }
        QCOMPARE(history.evalSteps()[size_t(history.bestEvaluation())], 60.0);
        LossHistory whole;  // the same, at once
        whole.setTasks({QStringLiteral("a")});
        whole.append(history.points());
        QCOMPARE(whole.bestEvaluation(), 5);
        history.clear();
        QCOMPARE(history.bestEvaluation(), -1);
    }

    // A long run of frequent evaluations of a large split: what the history
    // keeps of their confusion stays within ConfusionBudget, the first and
    // the latest evaluation's kept, the rest spread over the run.
    void confusionStaysWithinItsBudget()
    {
        LossHistory history;
        history.setTasks({QStringLiteral("a"), QStringLiteral("b"), QStringLiteral("c")});
        Confusion full;  // 5,000 misses of 3 classes: about 60 KB a task
        full.classes = 3;
        full.counts.assign(9, 1);
        for (int i = 0; i < Confusion::MaxMissSamples; ++i) full.misses.push_back({i, 0, 1});
        const int evaluations = 2000;  // 200,000 steps, one every 100: 360 MB if all were kept
        for (int i = 0; i < evaluations; ++i) {
            TrainingSnapshot s;
            s.evals.push_back({100 * (i + 1), double(i + 1), 0.5, {0.5, 0.5, 0.5}, {0.5, 0.5, 0.5}, {}, {full, full, full}});
            history.append(s);
            QVERIFY2(history.confusionBytes() <= LossHistory::ConfusionBudget, qPrintable(QString::number(i)));
            QCOMPARE(history.confusion(size_t(i)).size(), size_t(3));  // the latest: kept
        }
        QCOMPARE(history.confusion(0).size(), size_t(3));  // the first: kept
        size_t kept = 0, bytes = 0, widest = 0, last = 0;
        for (size_t i = 0; i < size_t(evaluations); ++i)
            if (!history.confusion(i).empty()) {
                QCOMPARE(history.confusion(i)[1], full);
                for (const Confusion &c : history.confusion(i)) bytes += c.bytes();
                widest = std::max(widest, i - last);
                last = i;
                ++kept;
            }
        QCOMPARE(bytes, history.confusionBytes());
        QVERIFY2(bytes > LossHistory::ConfusionBudget / 2, qPrintable(QString::number(bytes)));  // not thinned more than needed
        qInfo("%zu of %d evaluations keep their confusion, %.1f MB", kept, evaluations, double(bytes) / (1 << 20));
        QVERIFY2(widest <= size_t(evaluations) / kept * 2 + 1, qPrintable(QString::number(widest)));  // spread
        history.clear();
        QCOMPARE(history.confusionBytes(), size_t(0));
    }

    void csvHasEverySeries()
    {
        LossHistory history;
        const QString odd = QStringLiteral("b, \"quoted\"\rline");
        history.setTasks({QStringLiteral("a"), odd});
        TrainingSnapshot s = steps(1, 20);
        s.changes.push_back({4, 0.2, QStringLiteral("lr 0.01")});
        s.changes.push_back({4, 0.2, QStringLiteral("weights 1, 2")});
        history.append(s);
        QCOMPARE(history.changes().size(), size_t(2));
        const QString csv = csvOf(history);
        QVERIFY(csv.startsWith(QStringLiteral("step,epoch,lr,loss,loss_a,\"loss_b, \"\"quoted\"\"\rline\",")));
        const auto rows = csvRecords(csv);
        QCOMPARE(rows.size(), size_t(21));
        const std::vector<std::string> header = rows[0];
        const std::vector<std::string> expected = {
            "step", "epoch", "lr", "loss", "loss_a", "loss_" + odd.toStdString(), "smoothed_loss", "smoothed_loss_a",
            "smoothed_loss_" + odd.toStdString(), "val_loss", "val_loss_a", "val_loss_" + odd.toStdString(),
            "val_accuracy_a", "val_accuracy_" + odd.toStdString(), "change"};
        QCOMPARE(header, expected);
        for (size_t r = 1; r < rows.size(); ++r) {
            const std::vector<std::string> &row = rows[r];
            QCOMPARE(row.size(), header.size());
            QCOMPARE(row[0], std::to_string(r));
            QCOMPARE(float(std::stod(row[4])), 1.0f / float(r));     // 9 digits: the float exactly
            QCOMPARE(row[5].empty(), r % 5 == 0);                    // missing label: empty
            QCOMPARE(row[9].empty(), r % 10 != 0);                   // validation on evaluation steps
            if (r % 10 == 0)
                QCOMPARE(row[13], std::string("0.6"));
            QCOMPARE(row[14], r == 5 ? std::string("lr 0.01; weights 1, 2") : std::string());
        }
        // Written to a file whole, with core's atomic writer: a failed write
        // names the file and leaves the old one as it was.
        QTemporaryDir dir;
        QString error;
        const QString path = dir.filePath(QStringLiteral("curves.csv"));
        QVERIFY2(history.exportCsv(path, &error), qPrintable(error));
        QFile file(path);
        QVERIFY(file.open(QIODevice::ReadOnly));
        QCOMPARE(QString::fromUtf8(file.readAll()), csv);
        QVERIFY(!history.exportCsv(dir.filePath(QStringLiteral("missing/curves.csv")), &error));
        QVERIFY2(error.contains(QStringLiteral("missing/curves.csv")), qPrintable(error));
        // Cleared: no point, the same tasks.
        history.clear();
        QCOMPARE(history.steps().size(), size_t(0));
        QCOMPARE(history.changes().size(), size_t(0));
        QCOMPARE(history.seriesCount(), 3);
        QCOMPARE(csvRecords(csvOf(history)).size(), size_t(1));
    }

    // The export is core's writeFileAtomically: a FIFO or a device in the
    // path's place is refused and stays (QSaveFile renamed a regular file
    // over it), a link's target is replaced and the link stays.
    void exportReplacesOnlyFiles()
    {
        LossHistory history;
        history.setTasks({QStringLiteral("a")});
        history.append(steps(1, 20));
        QTemporaryDir dir;
        QString error;
        const QString fifo = dir.filePath(QStringLiteral("fifo.csv"));
        QVERIFY(makeFifo(fifo));
        QVERIFY(!history.exportCsv(fifo, &error));
        QVERIFY2(error.startsWith(fifo + QLatin1Char(':')), qPrintable(error));
        QCOMPARE(fileType(fifo), unsigned(S_IFIFO));
        const QString device = dir.filePath(QStringLiteral("null.csv"));
        if (makeNullDevice(device)) {
            QVERIFY(!history.exportCsv(device, &error));
            QCOMPARE(fileType(device), unsigned(S_IFCHR));
        }
        const QString target = dir.filePath(QStringLiteral("target.csv"));
        const QString link = dir.filePath(QStringLiteral("link.csv"));
        QFile old(target);
        QVERIFY(old.open(QIODevice::WriteOnly));
        old.write(QByteArray(100000, 'x'));  // longer than the CSV: nothing of it may stay
        old.close();
        QVERIFY(QFile::link(target, link));
        QVERIFY2(history.exportCsv(link, &error), qPrintable(error));
        QCOMPARE(fileType(link), unsigned(S_IFLNK));
        QFile written(target);
        QVERIFY(written.open(QIODevice::ReadOnly));
        QCOMPARE(written.readAll().toStdString(), history.csv());
        // No temporary left: the FIFO, the device, the target and the link.
        QCOMPARE(QDir(dir.path()).entryList(QDir::Files | QDir::Hidden | QDir::System).size(),
                 fileType(device) ? 4 : 3);
    }
};

QTEST_GUILESS_MAIN(TestLossHistory)
#include "test_losshistory.moc"
