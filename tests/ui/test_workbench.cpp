// The training workbench: the control state machine, the toolbar driving the
// real worker on builtin:reviews?n=200, closing mid-training, the plot
// receiving every point, exports writing valid files, invalid model fields
// refused at the field, a checkpoint restoring the model, CSV column roles
// chosen in the Dataset panel, a failed load keeping the open dataset, the
// asynchronous load (progress, a responsive event loop, the same result), a
// new run built on a thread for large data, the
// dataset summary, Space with a spin box focused, the shortcuts, the
// light/dark palette persisting, files of 10,000 tasks, a megabyte column
// name or 100,000 classes, and --screenshot of a file that fails to load.
#include "appearance.h"
#include "checkpoint.h"
#include "data/csvreader.h"
#include "trainer.h"
#include "attentionpanel.h"
#include "appenvironment.h"
#include "fruitdata.h"
#include "flowlayout.h"
#include "collapsiblesection.h"
#include "confirmations.h"
#include "controlstate.h"
#include "datasetpanel.h"
#include "datasetsummaryview.h"
#include "disagreementview.h"
#include "historyview.h"
#include "probeeditor.h"
#include "probeset.h"
#include "taskheatmap.h"
#include "tasknames.h"
#include "lossplot.h"
#include "mainwindow.h"
#include "modelpanel.h"
#include "restorebest.h"
#include "textview.h"
#include "trainingpanel.h"
#include "trainingstatus.h"
#include "runplan.h"

#include <QAction>
#include <QCheckBox>
#include <QComboBox>
#include <QDoubleSpinBox>
#include <QImage>
#include <QLabel>
#include <QVBoxLayout>
#include <QLineEdit>
#include <QMenu>
#include <QMenuBar>
#include <QProgressBar>
#include <QProcess>
#include <QPushButton>
#include <QSpinBox>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QAbstractTextDocumentLayout>
#include <QTextBlock>
#include <QTextCursor>
#include <QTextDocument>
#include <QTextDocumentFragment>
#include <QTextLayout>
#include <QStatusBar>
#include <QTableWidget>
#include <QTimer>
#include <QToolButton>
#include <QtTest>

#include <qcustomplot.h>

#include <array>
#include <random>
#include <set>

#include "../live/roundtrip.h"
#include "../specialfiles.h"

using namespace attnscope;
using State = TrainingWorker::State;

namespace {

constexpr int Timeout = 20000;
const QString Data = QStringLiteral("builtin:reviews?n=200");

// The entries of a legend: a wrapped legend's last row may have empty
// cells, which QCPLegend::itemCount counts.
int legendEntries(const QCPLegend *legend)
{
    const QList<QCPLayoutElement *> cells = legend->elements(false);
    return int(cells.size() - cells.count(nullptr));
}

void smallModel(MainWindow &w)
{
    ModelConfig c;
    c.dim = 16;
    c.heads = 2;
    c.ffn = 32;
    c.maxLen = 32;
    w.modelPanel()->setConfig(c, 1);
}

QString example(const char *name)
{
    return QStringLiteral(ATTNSCOPE_SOURCE_DIR "/resources/datasets/") + QLatin1String(name);
}

QStringList taskNamesOf(const Dataset &data)
{
    QStringList names;
    for (const TaskInfo &t : data.tasks)
        names << QString::fromStdString(t.name);
    return names;
}

QString roleOf(DatasetPanel *panel, const QString &column)
{
    QComboBox *combo = panel->roleField(column);
    return combo ? combo->currentText() : QStringLiteral("(none)");
}

void setRole(DatasetPanel *panel, const QString &column, ColumnRole role)
{
    QComboBox *combo = panel->roleField(column);
    QVERIFY2(combo, qPrintable(column));
    const int index = combo->findData(int(role));
    QVERIFY2(index >= 0, qPrintable(column));
    combo->setCurrentIndex(index);
}

// openDatasetAsync's result: waits for datasetLoadFinished; true if it opened.
bool waitForLoad(QSignalSpy &finished)
{
    if (finished.isEmpty() && !finished.wait(60000))
        return false;
    return finished.takeFirst().at(1).toBool();
}

// A CSV of `rows` rows of about 400 bytes: text, two tasks (sentiment from
// the first word, topic from the second), so that it reads in several pieces.
void writeLargeCsv(const QString &path, int rows)
{
    static const char *const first[] = {"good", "bad", "fine", "awful"};
    static const char *const topic[] = {"food", "film", "book"};
    QFile f(path);
    QVERIFY(f.open(QIODevice::WriteOnly));
    QByteArray out = "text,sentiment,topic\n";
    for (int i = 0; i < rows; ++i) {
        QByteArray text = QByteArray(first[i % 4]) + ' ' + topic[(i / 4) % 3];
        for (int w = 0; w < 60; ++w)
            text += " w" + QByteArray::number((i * 31 + w * 7) % 997);
        out += text + ',' + ((i % 4) % 2 ? "negative" : "positive") + ',' + topic[(i / 4) % 3] + '\n';
        if (out.size() > (1 << 20)) {
            f.write(out);
            out.clear();
        }
    }
    f.write(out);
}

// A CSV of `rows` rows: a text column and `tasks` task columns task0,
// task1, ... of two classes each (a and b, both in every column).
void writeTasksCsv(const QString &path, int tasks, int rows)
{
    QFile f(path);
    QVERIFY(f.open(QIODevice::WriteOnly));
    QByteArray out = "text";
    for (int t = 0; t < tasks; ++t)
        out += ",task" + QByteArray::number(t);
    out += '\n';
    for (int r = 0; r < rows; ++r) {
        out += "good film number " + QByteArray::number(r);
        for (int t = 0; t < tasks; ++t)
            out += (r + t) % 2 ? ",a" : ",b";
        out += '\n';
    }
    f.write(out);
}

// The probe choice as its comment says it (probeset.h), one pass over the
// samples for every class of every task, for comparison.
std::vector<int> chooseProbesBruteForce(const EncodedDataset &data, const std::vector<TaskInfo> &tasks,
                                        std::vector<int> chosen, int perClass, int maxSamples)
{
    const auto take = [&](int i) {
        if (int(chosen.size()) < maxSamples && std::find(chosen.begin(), chosen.end(), i) == chosen.end())
            chosen.push_back(i);
    };
    const int n = int(data.samples.size());
    const auto count = [&](size_t t, int c) {
        int k = 0;
        for (const EncodedSample &s : data.samples)
            k += t < s.labels.size() && s.labels[t] == c;
        return k;
    };
    // Each task's classes by count, the most frequent first, ties in class order.
    std::vector<std::vector<int>> ranked(tasks.size());
    for (size_t t = 0; t < tasks.size(); ++t) {
        for (int c = 0; c < int(tasks[t].classes.size()); ++c)
            if (count(t, c) > 0)
                ranked[t].push_back(c);
        std::stable_sort(ranked[t].begin(), ranked[t].end(), [&](int a, int b) { return count(t, a) > count(t, b); });
    }
    // How many chosen samples have class c of task t.
    const auto covered = [&](size_t t, int c) {
        int k = 0;
        for (int i : chosen)
            k += t < data.samples[size_t(i)].labels.size() && data.samples[size_t(i)].labels[t] == c;
        return k;
    };
    for (int round = 0; round < perClass; ++round)
        for (size_t rank = 0; rank < 100; ++rank)
            for (size_t t = 0; t < tasks.size(); ++t) {
                if (rank >= ranked[t].size() || covered(t, ranked[t][rank]) > round)
                    continue;
                // The sample of the class covering the most classes of other
                // tasks with at most `round` probes, the most frequent first.
                int best = -1, bestFresh = -1, bestRank = 0;
                for (int i = 0; i < n; ++i) {
                    const std::vector<int32_t> &labels = data.samples[size_t(i)].labels;
                    if (t >= labels.size() || labels[t] != ranked[t][rank]
                        || std::find(chosen.begin(), chosen.end(), i) != chosen.end())
                        continue;
                    int fresh = 0, freshRank = 1 << 30;
                    for (size_t u = 0; u < tasks.size(); ++u)
                        if (u != t && u < labels.size() && labels[u] >= 0 && covered(u, labels[u]) <= round) {
                            ++fresh;
                            const auto at = std::find(ranked[u].begin(), ranked[u].end(), labels[u]);
                            freshRank = std::min(freshRank, int(at - ranked[u].begin()));
                        }
                    if (fresh > bestFresh || (fresh == bestFresh && fresh > 0 && freshRank < bestRank)) {
                        best = i;
                        bestFresh = fresh;
                        bestRank = freshRank;
                    }
                }
                if (best >= 0)
                    take(best);
            }
    if (chosen.empty())
        for (int i = 0; i < std::min(n, std::max(1, std::min(maxSamples, 8))); ++i)
            take(i);
    return chosen;
}

// The window's questions (Confirmations), asked of the test: each one
// kept, each answered with `answer`.
struct Answers {
    explicit Answers(MainWindow &w)
    {
        w.confirmations()->setAsk([this](const QString &question, const QString &) {
            asked << question;
            return answer;
        });
    }
    QStringList asked;
    bool answer = false;
};

QByteArray readAll(const QString &path)
{
    QFile f(path);
    return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
}

} // namespace

class TestWorkbench : public QObject {
    Q_OBJECT

private slots:
    void initTestCase()
    {
        QCoreApplication::setOrganizationName(QStringLiteral("AttnScopeTest"));
        QSettings().clear();
    }

    void controlStateMachine_data()
    {
        QTest::addColumn<int>("state");
        QTest::addColumn<bool>("valid");
        QTest::addColumn<QString>("enabled");  // s t a r t, p ause, R esume, S tep, o stop, x reset
        QTest::newRow("empty") << int(State::Empty) << true << QString();
        QTest::newRow("ready") << int(State::Ready) << true << QStringLiteral("sS");
        QTest::newRow("ready, invalid fields") << int(State::Ready) << false << QString();
        QTest::newRow("running") << int(State::Running) << true << QStringLiteral("pox");
        QTest::newRow("paused") << int(State::Paused) << true << QStringLiteral("pRSox");
        QTest::newRow("stopped") << int(State::Stopped) << true << QStringLiteral("sx");
        QTest::newRow("finished") << int(State::Finished) << true << QStringLiteral("sx");
    }
    void controlStateMachine()
    {
        QFETCH(int, state);
        QFETCH(bool, valid);
        QFETCH(QString, enabled);
        const ControlState c = controlState(State(state), valid);
        QString got;
        if (c.start) got += QLatin1Char('s');
        if (c.pause) got += QLatin1Char('p');
        if (c.resume) got += QLatin1Char('R');
        if (c.step) got += QLatin1Char('S');
        if (c.stop) got += QLatin1Char('o');
        if (c.reset) got += QLatin1Char('x');
        QCOMPARE(got, enabled);
    }

    void toolbarDrivesTheWorker()
    {
        MainWindow w;
        smallModel(w);
        QVERIFY(!w.startAction()->isEnabled());  // no data yet
        QVERIFY(w.openDataset(Data));
        QTRY_COMPARE_WITH_TIMEOUT(w.training()->state(), State::Ready, Timeout);
        // A run long enough not to finish before it is paused below, however fast the machine.
        w.trainingPanel()->findChild<QSpinBox *>(QStringLiteral("epochs"))->setValue(1000);
        QTRY_COMPARE_WITH_TIMEOUT(w.training()->state(), State::Ready, Timeout);
        QVERIFY(w.startAction()->isEnabled());
        QVERIFY(!w.pauseAction()->isEnabled());

        w.stepAction()->trigger();
        QTRY_COMPARE_WITH_TIMEOUT(w.curves()->pointCount(), int64_t(1), Timeout);
        QTRY_COMPARE_WITH_TIMEOUT(w.training()->state(), State::Paused, Timeout);
        QCOMPARE(w.pauseAction()->iconText(), QStringLiteral("Resume"));

        w.pauseAction()->trigger();  // resume
        QTRY_COMPARE_WITH_TIMEOUT(w.training()->state(), State::Running, Timeout);
        QVERIFY(!w.startAction()->isEnabled());
        QVERIFY(w.stopAction()->isEnabled());
        QTRY_VERIFY_WITH_TIMEOUT(w.curves()->pointCount() >= 25, Timeout);
        w.pauseAction()->trigger();  // pause
        QTRY_COMPARE_WITH_TIMEOUT(w.training()->state(), State::Paused, Timeout);
        // The plot got every step, and a validation point per epoch (5 steps of 32 from 160).
        QTRY_COMPARE_WITH_TIMEOUT(w.curves()->pointCount(), w.training()->currentStep(), Timeout);
        QVERIFY(w.curves()->evalCount() >= 5);
        QVERIFY(w.curves()->redrawCount() > 0);
        QTRY_VERIFY_WITH_TIMEOUT(w.curves()->drawnPoints(0) > 0, Timeout);

        // A learning-rate change while paused is marked at the next step.
        w.trainingPanel()->learningRateField()->setValue(0.001);
        w.stepAction()->trigger();
        QTRY_COMPARE_WITH_TIMEOUT(w.curves()->changeCount(), 1, Timeout);

        w.stopAction()->trigger();
        QTRY_COMPARE_WITH_TIMEOUT(w.training()->state(), State::Stopped, Timeout);
        QVERIFY(w.startAction()->isEnabled());
        QVERIFY(!w.stepAction()->isEnabled());

        w.resetAction()->trigger();
        QTRY_COMPARE_WITH_TIMEOUT(w.training()->state(), State::Ready, Timeout);
        QTRY_COMPARE_WITH_TIMEOUT(w.curves()->pointCount(), int64_t(0), Timeout);
    }

    // MODEL.md 5b's mu applies at the next step through the controller and is
    // marked on the curves like the learning rate; on data without rationales
    // the field is off and says why.
    void rationaleWeightAppliesAtTheNextStep()
    {
        MainWindow w;
        smallModel(w);
        QVERIFY(w.openDataset(Data));
        QTRY_COMPARE_WITH_TIMEOUT(w.training()->state(), State::Ready, Timeout);
        QDoubleSpinBox *mu = w.trainingPanel()->rationaleWeightField();
        QVERIFY(mu->isEnabled());
        w.stepAction()->trigger();
        QTRY_COMPARE_WITH_TIMEOUT(w.training()->state(), State::Paused, Timeout);
        mu->setValue(1.0);
        w.stepAction()->trigger();
        QTRY_COMPARE_WITH_TIMEOUT(w.curves()->changeCount(), 1, Timeout);
        QCOMPARE(w.curves()->history().changes().front().what, QStringLiteral("mu 1"));
        QCOMPARE(w.curves()->history().changes().front().step, int64_t(1));  // before step 2
        QCOMPARE(w.trainingPanel()->config().rationaleWeight, 1.0f);

        QVERIFY(w.openDataset(QStringLiteral(ATTNSCOPE_SOURCE_DIR "/tests/data/csv/tabular.tsv")));
        QTRY_VERIFY_WITH_TIMEOUT(!mu->isEnabled(), Timeout);
        QCOMPARE(mu->value(), 0.0);
        auto *note = w.trainingPanel()->findChild<QLabel *>(QStringLiteral("rationaleWeightNote"));
        QVERIFY(note && !note->isHidden());
        QVERIFY2(note->text().contains(QStringLiteral("no rationales")), qPrintable(note->text()));
    }

    // The uniform control of MODEL.md 4 is a mode of the Model panel and builds a run in it.
    void uniformModeBuildsAUniformRun()
    {
        MainWindow w;
        smallModel(w);
        QVERIFY(w.openDataset(Data));
        QTRY_COMPARE_WITH_TIMEOUT(w.training()->state(), State::Ready, Timeout);
        auto *mode = w.modelPanel()->findChild<QComboBox *>(QStringLiteral("mode"));
        const int uniform = mode->findData(QStringLiteral("uniform"));
        QVERIFY(uniform >= 0);
        const auto before = w.training()->setup();
        mode->setCurrentIndex(uniform);
        QCOMPARE(w.modelPanel()->config().mode, AttentionMode::Uniform);
        QTRY_VERIFY_WITH_TIMEOUT(w.training()->setup() != before, Timeout);
        QCOMPARE(w.training()->setup()->model.config.mode, AttentionMode::Uniform);
        QTRY_COMPARE_WITH_TIMEOUT(w.training()->state(), State::Ready, Timeout);
        w.stepAction()->trigger();
        QTRY_COMPARE_WITH_TIMEOUT(w.curves()->pointCount(), int64_t(1), Timeout);
    }

    // Issue 15: the window trained 20 epochs, attnscope-cli train 10; one
    // default, the core's (TrainConfig).
    void oneDefaultEpochs()
    {
        TrainingPanel panel;
        QCOMPARE(panel.config().epochs, TrainConfig().epochs);  // the CLI's: test_cli_realdata
    }

    // Issue 15: the vocabulary's size and least count in the Model panel
    // build the next run's vocabulary (the core took both, no field did).
    void vocabularyFieldsBuildTheVocabulary()
    {
        MainWindow w;
        smallModel(w);
        QVERIFY(w.openDataset(Data));
        QTRY_COMPARE_WITH_TIMEOUT(w.training()->state(), State::Ready, Timeout);
        const int full = int(w.training()->setup()->model.vocab.size());
        QVERIFY(full > 12);
        auto *maxVocab = w.modelPanel()->findChild<QSpinBox *>(QStringLiteral("maxVocab"));
        QVERIFY(maxVocab);
        auto before = w.training()->setup();
        maxVocab->setValue(12);
        QTRY_VERIFY_WITH_TIMEOUT(w.training()->setup() != before, Timeout);
        QCOMPARE(w.training()->setup()->model.vocab.size(), size_t(12));
        QCOMPARE(w.training()->setup()->model.config.maxVocab, 12);
        maxVocab->setValue(20000);
        auto *minFreq = w.modelPanel()->findChild<QSpinBox *>(QStringLiteral("minFreq"));
        QVERIFY(minFreq);
        before = w.training()->setup();
        minFreq->setValue(1000000);  // no token is that frequent: the specials only
        QTRY_VERIFY_WITH_TIMEOUT(w.training()->setup() != before && w.training()->setup()->model.config.minFreq == 1000000,
                                 Timeout);
        QCOMPARE(w.training()->setup()->model.vocab.size(), size_t(2));
        QTRY_COMPARE_WITH_TIMEOUT(w.training()->state(), State::Ready, Timeout);
    }

    void closingMidTraining()
    {
        for (int i = 0; i < 2; ++i) {
            auto w = std::make_unique<MainWindow>();
            smallModel(*w);
            w->show();
            QVERIFY(w->openDataset(Data));
            QTRY_COMPARE_WITH_TIMEOUT(w->training()->state(), State::Ready, Timeout);
            w->startAction()->trigger();
            QTRY_VERIFY_WITH_TIMEOUT(w->curves()->pointCount() >= 3, Timeout);
            QVERIFY(w->close());
            w.reset();
        }
    }

    void newDatasetWhileTraining()
    {
        MainWindow w;
        smallModel(w);
        QVERIFY(w.openDataset(Data));
        QTRY_COMPARE_WITH_TIMEOUT(w.training()->state(), State::Ready, Timeout);
        w.startAction()->trigger();
        QTRY_VERIFY_WITH_TIMEOUT(w.curves()->pointCount() >= 3, Timeout);
        QVERIFY(w.openDataset(QStringLiteral("builtin:reviews?n=100&seed=3")));
        QTRY_COMPARE_WITH_TIMEOUT(w.training()->state(), State::Ready, Timeout);
        QTRY_COMPARE_WITH_TIMEOUT(w.curves()->pointCount(), int64_t(0), Timeout);
        QVERIFY(w.datasetPanel()->summaryText().contains(QStringLiteral("<b>100</b>")));
    }

    // A wrapped row gives its spare room to what expands: where a line has
    // an item that expands and the next has none, the first line's last
    // items go to the next while they fit. Same lines, same order. The
    // attention panel's sample box read "#3 [negative, s…" at 1600 x 1000
    // beside a second line that held the Scale group alone.
    void flowRowGivesRoomToWhatExpands_data()
    {
        QTest::addColumn<bool>("room");
        QTest::newRow("words wrap") << false;
        QTest::newRow("room for what expands") << true;
    }
    void flowRowGivesRoomToWhatExpands()
    {
        QFETCH(bool, room);
        QWidget host;
        auto *flow = new FlowLayout(&host, 10, 4);
        flow->setRoomForExpanding(room);
        auto *box = new QComboBox;
        box->setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Fixed);
        box->setMinimumWidth(100);
        box->setMaximumWidth(QWIDGETSIZE_MAX);
        QList<QWidget *> fixed;
        for (const int width : {300, 150, 150}) {
            auto *w = new QPushButton(QStringLiteral("w%1").arg(fixed.size()));
            w->setFixedWidth(width);
            fixed << w;
        }
        flow->addWidget(box);
        for (QWidget *w : fixed)
            flow->addWidget(w);
        const int lineWidth = 700;  // the box (100), 300 and 150 fit on a line; the last 150 does not
        flow->setGeometry(QRect(0, 0, lineWidth, flow->heightForWidth(lineWidth)));
        QCOMPARE(flow->lineCount(), 2);
        if (room) {
            // All three fixed ones fit on the second line (620 of 700): the
            // box has the first line to itself.
            QCOMPARE(box->width(), lineWidth);
            for (QWidget *w : fixed)
                QVERIFY(w->y() > box->y());
            QCOMPARE(fixed[0]->x(), 0);
            QCOMPARE(fixed[1]->x(), 310);  // in their order
            QCOMPARE(fixed[2]->x(), 470);
        } else {
            // As words wrap: the box keeps what the last 150 left over.
            QCOMPARE(fixed[0]->y(), box->y());
            QCOMPARE(fixed[1]->y(), box->y());
            QVERIFY(fixed[2]->y() > box->y());
            QCOMPARE(box->width(), lineWidth - 2 * 10 - 300 - 150);
            QCOMPARE(fixed[0]->x(), box->width() + 10);
        }
    }

    // A section's title wider than the section goes on a second line
    // before anything is cut: the Setup dock at 1600 x 1000 and 150 % read
    // "Vocabulary and leng…". Two lines not enough: the second is cut at its
    // end, the title whole in the tooltip.
    void sectionTitleWrapsBeforeItIsCut()
    {
        QWidget host;
        auto *layout = new QVBoxLayout(&host);
        auto *section = new CollapsibleSection(QStringLiteral("Vocabulary and lengths"), new QLabel(QStringLiteral("x")));
        layout->addWidget(section);
        const QFontMetrics metrics(section->header()->font());
        // room for "Vocabulary and" and a little, not for the whole title
        host.resize(metrics.horizontalAdvance(QStringLiteral("Vocabulary and leng")) + 60, 200);
        host.show();
        QVERIFY(QTest::qWaitForWindowExposed(&host));
        QTRY_VERIFY2_WITH_TIMEOUT(section->header()->text().contains(QLatin1Char('\n')),
                                  qPrintable(section->header()->text()), Timeout);
        QCOMPARE(section->header()->text(), QStringLiteral("Vocabulary and\nlengths"));
        QVERIFY(section->header()->toolTip().isEmpty());  // nothing cut
        QVERIFY(section->header()->height() >= 2 * metrics.lineSpacing());
        QVERIFY(section->header()->width() >= section->header()->sizeHint().width());

        const int room = metrics.horizontalAdvance(QStringLiteral("Vocabulary and"));
        QCOMPARE(CollapsibleSection::wrappedTitle(QStringLiteral("Vocabulary and lengths"), metrics, 10000),
                 QStringLiteral("Vocabulary and lengths"));
        const QString cut = CollapsibleSection::wrappedTitle(QStringLiteral("Vocabulary and the lengths of its texts"),
                                                             metrics, room);
        QVERIFY2(cut.startsWith(QStringLiteral("Vocabulary and\n")) && cut.endsWith(QChar(0x2026)), qPrintable(cut));
        for (const QString &line : cut.split(QLatin1Char('\n')))
            QVERIFY2(metrics.horizontalAdvance(line) <= room, qPrintable(line));
        const QString one = CollapsibleSection::wrappedTitle(QStringLiteral("Vocabulary"), metrics,
                                                             metrics.horizontalAdvance(QStringLiteral("Voca")));
        QVERIFY2(!one.contains(QLatin1Char('\n')) && one.endsWith(QChar(0x2026)), qPrintable(one));
    }

    // A task's classes wrap indented under its name, each line beginning
    // with a class, not a separator: in the dock at 1600 x 1000 and 150 %
    // "positive 1,009" and "· screen 496" began flush left (stop 28's look).
    void classLinesWrapIndented()
    {
        MainWindow w;
        QVERIFY(w.openDataset(QStringLiteral("builtin:reviews?n=200")));
        QTRY_VERIFY_WITH_TIMEOUT(w.datasetPanel()->summaryText().contains(QStringLiteral("positive")), Timeout);
        QTextDocument doc;
        doc.setDefaultFont(w.datasetPanel()->font());
        doc.setHtml(w.datasetPanel()->summaryText());
        // Room for one class and a half on a line.
        doc.setTextWidth(QFontMetrics(doc.defaultFont()).horizontalAdvance(QStringLiteral("    negative 991 · posi")));
        doc.documentLayout()->documentSize();  // laid out
        const auto at = [&](const QString &word) {
            const QTextCursor c = doc.find(word);
            if (c.isNull())
                return QPointF(-1000, -1000);
            const QTextLayout *layout = c.block().layout();
            const QTextLine line = layout->lineForTextPosition(c.positionInBlock() - int(word.size()));
            const QRectF block = doc.documentLayout()->blockBoundingRect(c.block());
            return QPointF(block.x() + line.cursorToX(c.positionInBlock() - int(word.size())), block.y() + line.y());
        };
        const QPointF negative = at(QStringLiteral("negative")), positive = at(QStringLiteral("positive")),
                      task = at(QStringLiteral("sentiment"));
        QVERIFY2(positive.y() > negative.y(), "the classes did not wrap");
        QVERIFY2(negative.x() > task.x() - 1, qPrintable(QStringLiteral("%1 %2").arg(negative.x()).arg(task.x())));
        QCOMPARE(positive.x(), negative.x());
        QTextCursor walk(&doc);
        do {
            const QTextBlock b = walk.block();
            for (int i = 0; i < b.layout()->lineCount(); ++i) {
                const QTextLine line = b.layout()->lineAt(i);
                const QString text = b.text().mid(line.textStart(), line.textLength()).trimmed();
                QVERIFY2(!text.startsWith(QChar(0x00b7)), qPrintable(text));
            }
        } while (walk.movePosition(QTextCursor::NextBlock));
    }

    // A long class name and its count fit the room they get: glued by a
    // non-breaking space, "noun.communication 5,603 ·" set the width of
    // the classes' cell, and in the dock at 1024 x 768 and 150 % every
    // line of lexname's classes ran off the dock's edge, cut
    // ("noun.communication 5,60", "and 37 m").
    void longClassNamesStayInTheRoom()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("lexnames.csv"));
        {
            QFile file(path);
            QVERIFY(file.open(QIODevice::WriteOnly));
            const char *names[] = {"noun.communication", "noun.act", "verb.communication", "adj.all"};
            QByteArray csv = "text,lexname\n";
            for (int i = 0; i < 120; ++i)
                csv += QByteArray("a gloss of ") + QByteArray::number(i) + " words about thing " + QByteArray::number(i % 7)
                       + "," + names[i % 4] + "\n";
            file.write(csv);
        }
        MainWindow w;
        QVERIFY(w.openDataset(path));
        QTRY_VERIFY_WITH_TIMEOUT(w.datasetPanel()->summaryText().contains(QStringLiteral("noun.communication")), Timeout);
        QTextDocument doc;
        doc.setDefaultFont(w.datasetPanel()->font());
        QTextOption wrap = doc.defaultTextOption();
        wrap.setWrapMode(QTextOption::WordWrap);  // as a QLabel's (a document's own breaks words anywhere)
        doc.setDefaultTextOption(wrap);
        doc.setHtml(w.datasetPanel()->summaryText());
        // Room for the indent and the name, not for its count as well.
        const qreal room = QFontMetrics(doc.defaultFont()).horizontalAdvance(QStringLiteral("      noun.communication 3"));
        doc.setTextWidth(room);
        // The right end of every line as laid out (a line wider than the
        // cell runs past the room: the layout does not count it).
        qreal right = 0;
        QTextCursor walk(&doc);
        do {
            const QTextBlock b = walk.block();
            const QRectF box = doc.documentLayout()->blockBoundingRect(b);
            for (int i = 0; i < b.layout()->lineCount(); ++i) {
                const QTextLine line = b.layout()->lineAt(i);
                right = std::max(right, box.x() + line.x() + line.naturalTextWidth());
            }
        } while (walk.movePosition(QTextCursor::NextBlock));
        QVERIFY2(right <= room + 1, qPrintable(QStringLiteral("lines to x %1 in %2 px").arg(right).arg(room)));
        // Short names keep their counts beside them.
        QVERIFY(w.datasetPanel()->summaryText().contains(QStringLiteral("adj.all&nbsp;")));
    }

    // Nothing a click does by accident loses work: opening a dataset while
    // a run is paused, Start after a stopped run and a model change after
    // opening a checkpoint ask first, and No keeps the run, its curves and
    // the checkpoint (each went ahead without a word before).
    void confirmationsKeepTheWork()
    {
        MainWindow w;
        smallModel(w);
        Answers confirm(w);
        QStringList &asked = confirm.asked;
        bool &answer = confirm.answer;
        QVERIFY(w.openDataset(Data));
        QTRY_COMPARE_WITH_TIMEOUT(w.training()->state(), State::Ready, Timeout);
        w.setSpeed(100, /*persist=*/false);  // still training when paused
        w.startAction()->trigger();
        QTRY_VERIFY_WITH_TIMEOUT(w.curves()->pointCount() >= 3, Timeout);
        QVERIFY(asked.isEmpty());  // nothing had trained: nothing to lose
        w.pauseAction()->trigger();
        QTRY_COMPARE_WITH_TIMEOUT(w.training()->state(), State::Paused, Timeout);

        const QString other = QStringLiteral("builtin:reviews?n=100&seed=3");
        w.openDatasetAsync(other);
        QCOMPARE(asked.size(), 1);
        QVERIFY2(asked[0].contains(other), qPrintable(asked[0]));
        QVERIFY(!w.isLoadingDataset());
        QVERIFY(!w.openDataset(other));
        QCOMPARE(asked.size(), 2);
        QCOMPARE(w.dataSpec(), Data);
        QCOMPARE(w.training()->state(), State::Paused);

        w.stopAction()->trigger();
        QTRY_COMPARE_WITH_TIMEOUT(w.training()->state(), State::Stopped, Timeout);
        const int64_t points = w.curves()->pointCount();
        w.startAction()->trigger();
        QCOMPARE(asked.size(), 3);
        QVERIFY2(asked[2].contains(QStringLiteral("Start again")), qPrintable(asked[2]));
        QCOMPARE(w.training()->state(), State::Stopped);
        QCOMPARE(w.curves()->pointCount(), points);

        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("kept.safetensors"));
        QVERIFY(w.saveCheckpoint(path));
        QVERIFY(w.openCheckpoint(path));
        QVERIFY(w.session()->checkpoint());
        auto *heads = w.modelPanel()->findChild<QSpinBox *>(QStringLiteral("heads"));
        QVERIFY(heads);
        QCOMPARE(heads->value(), 2);
        heads->setValue(4);
        QCOMPARE(asked.size(), 4);
        QVERIFY2(asked[3].contains(QStringLiteral("kept.safetensors")), qPrintable(asked[3]));
        QCOMPARE(heads->value(), 2);  // the checkpoint's model again
        QVERIFY(w.session()->checkpoint());
        answer = true;
        heads->setValue(4);
        QCOMPARE(asked.size(), 5);
        QCOMPARE(heads->value(), 4);
        QVERIFY(!w.session()->checkpoint());
    }

    // Training > Restore best weights: disabled before an evaluation; after a
    // run that overfits, it names the best evaluation's step (the one the
    // plot's star marks), asks first (No keeps the weights), and Yes puts the
    // weights of that evaluation back with the curves kept; then it is
    // disabled, the weights being the best ones.
    void restoreBestWeights()
    {
        MainWindow w;
        smallModel(w);
        Answers confirm(w);
        QStringList &asked = confirm.asked;
        bool &answer = confirm.answer;
        RestoreBestAction *restore = w.restoreBestAction();
        QVERIFY(!restore->isEnabled());
        QVERIFY(w.openDataset(Data));
        w.trainingPanel()->findChild<QSpinBox *>(QStringLiteral("epochs"))->setValue(30);
        w.trainingPanel()->learningRateField()->setValue(0.03);
        QTRY_COMPARE_WITH_TIMEOUT(w.training()->state(), State::Ready, Timeout);
        QVERIFY(!restore->isEnabled());
        w.startAction()->trigger();
        QTRY_COMPARE_WITH_TIMEOUT(w.training()->state(), State::Finished, Timeout);
        QTRY_COMPARE_WITH_TIMEOUT(w.curves()->pointCount(), w.training()->currentStep(), Timeout);
        const LossHistory &history = w.curves()->history();
        const int best = history.bestEvaluation();
        QVERIFY(best >= 0);
        const int64_t bestStep = int64_t(history.evalSteps()[size_t(best)]);
        QVERIFY2(bestStep < w.training()->currentStep(), "the run should overfit: its best evaluation is its last");
        QTRY_COMPARE_WITH_TIMEOUT(restore->bestStep(), bestStep, Timeout);
        QVERIFY(restore->isEnabled());
        QVERIFY2(restore->text().contains(QString::number(bestStep)), qPrintable(restore->text()));
        // The star is placed by the plot's next redraw, which a timer coalesces:
        // the last evaluation's point may be counted before it is drawn.
        QTRY_VERIFY_WITH_TIMEOUT(w.curves()->bestMark(), Timeout);
        QCOMPARE(w.curves()->bestMark()->name(), QStringLiteral("best val. loss: step %1").arg(bestStep));
        bool inMenu = false;  // Training > Restore best weights
        for (QAction *menu : w.menuBar()->actions())
            inMenu = inMenu || (menu->menu() && menu->menu()->actions().contains(restore));
        QVERIFY(inMenu);
        const std::shared_ptr<Model> before = w.training()->modelCopy();
        const int changes = w.curves()->changeCount();

        restore->trigger();  // No
        QCOMPARE(asked.size(), 1);
        QVERIFY2(asked[0].contains(QStringLiteral("step %1?").arg(bestStep)), qPrintable(asked[0]));
        QVERIFY(roundTrip(*w.training()) >= 0);
        QVERIFY(w.training()->modelCopy()->params == before->params);
        QCOMPARE(w.curves()->changeCount(), changes);

        answer = true;
        restore->trigger();
        QCOMPARE(asked.size(), 2);
        QTRY_COMPARE_WITH_TIMEOUT(w.curves()->changeCount(), changes + 1, Timeout);
        QCOMPARE(history.changes().back().what, QStringLiteral("weights of step %1 (best)").arg(bestStep));
        QTRY_VERIFY_WITH_TIMEOUT(!restore->isEnabled(), Timeout);
        QVERIFY(restore->atBest());
        const std::shared_ptr<Model> after = w.training()->modelCopy();
        QVERIFY(after->params != before->params);
        const std::shared_ptr<const TrainingSetup> setup = w.training()->setup();
        QCOMPARE(evaluate(*after, setup->val, setup->config.taskWeights).loss, history.series(0).evalLoss[size_t(best)]);
        QCOMPARE(w.curves()->pointCount(), w.training()->currentStep());  // the curves stay
        // (The whole line is the status bar's tooltip; the message is cut to the bar's width.)
        QTRY_VERIFY_WITH_TIMEOUT(w.statusBar()->toolTip().contains(QStringLiteral("weights of step %1").arg(bestStep)),
                                 Timeout);
    }

    // "Settings changed: Reset starts a new run" is said while it is true:
    // it stayed after the field was set back and after the new run.
    void settingsNoteGoesWhenNoLongerTrue()
    {
        MainWindow w;
        smallModel(w);
        QVERIFY(w.openDataset(Data));
        QTRY_COMPARE_WITH_TIMEOUT(w.training()->state(), State::Ready, Timeout);
        w.training()->step();
        QTRY_COMPARE_WITH_TIMEOUT(w.training()->currentStep(), int64_t(1), Timeout);
        QTRY_COMPARE_WITH_TIMEOUT(w.training()->state(), State::Paused, Timeout);
        auto *heads = w.modelPanel()->findChild<QSpinBox *>(QStringLiteral("heads"));
        QVERIFY(heads);
        const int was = heads->value();
        const int other = was == 2 ? 4 : 2;
        heads->setValue(other);
        QVERIFY2(w.statusMessage().contains(QStringLiteral("Settings changed")), qPrintable(w.statusMessage()));
        heads->setValue(was);
        QVERIFY2(w.statusMessage().isEmpty(), qPrintable(w.statusMessage()));
        heads->setValue(other);
        QVERIFY2(w.statusMessage().contains(QStringLiteral("Settings changed")), qPrintable(w.statusMessage()));
        w.resetAction()->trigger();  // the new run, with them
        QTRY_VERIFY_WITH_TIMEOUT(w.training()->setup() && w.training()->setup()->model.config.heads == other, Timeout);
        QTRY_VERIFY_WITH_TIMEOUT(!w.statusMessage().contains(QStringLiteral("Settings changed")), Timeout);
    }

    // A model change on large data builds the new run on a thread: the event
    // loop keeps turning, the controls wait, and the run that arrives has the
    // settings of the last change (one made during the build wins).
    void largeDataRebuildsOffTheGuiThread()
    {
        MainWindow w;
        smallModel(w);
        QVERIFY(w.openDataset(QStringLiteral("builtin:reviews?n=60000")));
        QTRY_COMPARE_WITH_TIMEOUT(w.training()->state(), State::Ready, Timeout);
        const auto before = w.training()->setup();
        QVERIFY(before->train.samples.size() + before->val.samples.size() >= MainWindow::AsyncSetupSamples);
        QVERIFY(!w.isPreparingRun());
        QVERIFY(w.startAction()->isEnabled());
        int ticks = 0;
        QTimer timer;
        timer.setInterval(0);
        connect(&timer, &QTimer::timeout, [&ticks]() { ++ticks; });
        timer.start();
        w.modelPanel()->headsField()->setValue(4);
        QVERIFY(w.isPreparingRun());
        QVERIFY(!w.startAction()->isEnabled());
        QVERIFY(!w.stepAction()->isEnabled());
        QCOMPARE(w.training()->setup(), before);  // the old run until the new one is ready
        w.modelPanel()->widthField()->setValue(32);
        QVERIFY(w.isPreparingRun());
        QTRY_VERIFY_WITH_TIMEOUT(!w.isPreparingRun(), 60000);
        timer.stop();
        QVERIFY2(ticks > 10, qPrintable(QString::number(ticks)));  // the event loop ran while it built
        QTRY_VERIFY_WITH_TIMEOUT(w.training()->setup() != before, Timeout);
        QCOMPARE(w.training()->setup()->model.config.heads, 4);
        QCOMPARE(w.training()->setup()->model.config.dim, 32);
        QTRY_COMPARE_WITH_TIMEOUT(w.training()->state(), State::Ready, Timeout);
        QVERIFY(w.startAction()->isEnabled());
        // Closing while a build runs waits for it (the destructor), no crash.
        w.modelPanel()->headsField()->setValue(2);
        QVERIFY(w.isPreparingRun());
    }

    void exportsWriteValidFiles()
    {
        MainWindow w;
        w.resize(1200, 800);
        w.show();
        smallModel(w);
        QVERIFY(w.openDataset(Data));
        QTRY_COMPARE_WITH_TIMEOUT(w.training()->state(), State::Ready, Timeout);
        for (int i = 0; i < 12; ++i)
            w.training()->step();
        QTRY_COMPARE_WITH_TIMEOUT(w.curves()->pointCount(), int64_t(12), Timeout);
        QTemporaryDir dir;
        const QString csv = dir.filePath(QStringLiteral("curves.csv"));
        QVERIFY(w.exportCurves(csv));
        const QList<QByteArray> rows = readAll(csv).trimmed().split('\n');
        QCOMPARE(rows.size(), 13);  // header + one row per step
        QVERIFY(rows[0].startsWith("step,epoch,lr,loss,loss_sentiment,loss_topic,loss_urgency"));
        QVERIFY(rows[0].contains("val_accuracy_topic"));
        QCOMPARE(rows[0].count(','), rows[5].count(','));
        QVERIFY(rows[5].split(',')[0] == "5");
        // Validation columns filled on the epoch's last step (5 steps of 32 samples).
        QVERIFY(!rows[5].split(',').at(11).isEmpty());

        const QString png = dir.filePath(QStringLiteral("curves.png"));
        QVERIFY(w.exportPlot(png));
        QVERIFY(readAll(png).startsWith("\x89PNG\r\n\x1a\n"));
        const QString svg = dir.filePath(QStringLiteral("curves.svg"));
        QVERIFY(w.exportPlot(svg));
        const QByteArray svgText = readAll(svg);
        QVERIFY(svgText.startsWith("<?xml"));
        QVERIFY(svgText.contains("<svg"));
        QVERIFY(svgText.trimmed().endsWith("</svg>"));
        const QString pdf = dir.filePath(QStringLiteral("curves.pdf"));
        QVERIFY(w.exportPlot(pdf));
        QVERIFY(readAll(pdf).startsWith("%PDF"));
        QVERIFY(!w.exportPlot(dir.filePath(QStringLiteral("curves.bmpx"))));
        QVERIFY(w.lastError().contains(QStringLiteral("unknown image type")));
    }

    // A device or FIFO named in a save dialog is refused with a message and
    // stays what it was: a checkpoint or curves CSV used to be renamed over
    // it, and a picture written into a FIFO blocks the window.
    void savingNeverReplacesDevices()
    {
        MainWindow w;
        smallModel(w);
        QVERIFY(w.openDataset(Data));
        QTRY_COMPARE_WITH_TIMEOUT(w.training()->state(), State::Ready, Timeout);
        w.training()->step();
        QTRY_COMPARE_WITH_TIMEOUT(w.curves()->pointCount(), int64_t(1), Timeout);
        QTemporaryDir dir;
        QStringList targets;
        const QString device = dir.filePath(QStringLiteral("device.png"));
        if (makeNullDevice(device))
            targets << device;
        const QString fifo = dir.filePath(QStringLiteral("fifo.png"));
        QVERIFY(makeFifo(fifo));
        targets << fifo;
        for (const QString &target : targets) {
            QVERIFY(!w.saveCheckpoint(target));
            QVERIFY2(w.lastError().startsWith(target + QStringLiteral(": is a")), qPrintable(w.lastError()));
            QVERIFY(!w.exportCurves(target));
            QVERIFY2(w.lastError().contains(QStringLiteral("not a regular file")), qPrintable(w.lastError()));
            QVERIFY(!w.exportPlot(target));
            QVERIFY2(w.lastError().contains(QStringLiteral("not a regular file")), qPrintable(w.lastError()));
        }
        QCOMPARE(fileType(fifo), unsigned(S_IFIFO));
        if (targets.size() == 1)
            QSKIP("mknod needs root: the device case did not run");
        QCOMPARE(fileType(device), unsigned(S_IFCHR));
    }

    void invalidFieldsAreRefused()
    {
        MainWindow w;
        QVERIFY(w.openDataset(Data));
        QTRY_COMPARE_WITH_TIMEOUT(w.training()->state(), State::Ready, Timeout);
        QVERIFY(w.startAction()->isEnabled());
        w.modelPanel()->headsField()->setValue(3);  // 64 is not a multiple of 3
        QVERIFY(!w.modelPanel()->isValid());
        QVERIFY2(w.modelPanel()->problem().contains(QStringLiteral("not a multiple of 3")),
                 qPrintable(w.modelPanel()->problem()));
        QVERIFY(!w.startAction()->isEnabled());
        QVERIFY(!w.stepAction()->isEnabled());
        QVERIFY(!w.modelPanel()->widthField()->styleSheet().isEmpty());
        w.modelPanel()->widthField()->setValue(48);
        QVERIFY(w.modelPanel()->isValid());
        QTRY_COMPARE_WITH_TIMEOUT(w.training()->state(), State::Ready, Timeout);
        QVERIFY(w.startAction()->isEnabled());
        QTRY_COMPARE_WITH_TIMEOUT(w.training()->setup()->model.config.dim, 48, Timeout);
        QCOMPARE(w.training()->setup()->model.config.heads, 3);
    }

    void checkpointRestoresTheModel()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("model.safetensors"));
        std::vector<float> trained;
        {
            MainWindow w;
            smallModel(w);
            QVERIFY(w.openDataset(Data));
            QTRY_COMPARE_WITH_TIMEOUT(w.training()->state(), State::Ready, Timeout);
            for (int i = 0; i < 10; ++i)
                w.training()->step();
            QTRY_COMPARE_WITH_TIMEOUT(w.training()->currentStep(), int64_t(10), Timeout);
            QTRY_COMPARE_WITH_TIMEOUT(w.training()->state(), State::Paused, Timeout);
            QVERIFY(w.saveCheckpoint(path));
            trained = w.training()->modelCopy()->params;
        }
        MainWindow w;  // default fields: dim 64, heads 4
        QVERIFY(w.openDataset(Data));
        QVERIFY(w.openCheckpoint(path));
        QTRY_COMPARE_WITH_TIMEOUT(w.training()->state(), State::Ready, Timeout);
        QTRY_VERIFY_WITH_TIMEOUT(w.training()->modelCopy() && w.training()->modelCopy()->params == trained, Timeout);
        QCOMPARE(w.modelPanel()->config().dim, 16);
        QCOMPARE(w.modelPanel()->config().heads, 2);
        // The lesson's note (builtin:reviews: 0 layers) is not the checkpoint's depth.
        QVERIFY2(w.modelPanel()->lessonNote().isEmpty(), qPrintable(w.modelPanel()->lessonNote()));
        QCOMPARE(w.training()->setup()->model.vocab.size(), size_t(w.training()->setup()->model.config.vocabSize));
        const EvalResult r = w.evaluateNow();
        QCOMPARE(r.samples, 40);
        QCOMPARE(r.tasks.size(), size_t(3));
        QVERIFY(r.tasks[0].accuracy > 0);
        // Training > Evaluate now: the same figures, from a thread, in the status bar.
        QVERIFY(w.evaluateAction()->isEnabled());
        w.evaluateAction()->trigger();
        QVERIFY(w.isEvaluating());
        QVERIFY(!w.evaluateAction()->isEnabled());
        QTRY_VERIFY_WITH_TIMEOUT(!w.isEvaluating(), Timeout);
        QVERIFY(w.evaluateAction()->isEnabled());
        const QString message = w.statusMessage();
        QVERIFY2(message.contains(QStringLiteral("(40 samples): loss %1").arg(r.loss, 0, 'f', 4)), qPrintable(message));
        QVERIFY2(message.contains(QStringLiteral("sentiment %1").arg(r.tasks[0].accuracy, 0, 'f', 3)), qPrintable(message));
        QVERIFY(!w.openCheckpoint(dir.filePath(QStringLiteral("missing.safetensors"))));
    }

    // Evaluate now's line keeps a task's name as it is, "%1" in it included
    // (it took the accuracy's place), and names 8 tasks, then "N more".
    void evaluationMessageKeepsNames()
    {
        EvalResult result;
        result.samples = 40;
        result.loss = 0.5;
        std::vector<TaskInfo> tasks;
        for (int t = 0; t < 10; ++t) {
            tasks.push_back(TaskInfo{t == 0 ? "rate %1" : "task" + std::to_string(t), {"a", "b"}});
            TaskMetrics metrics;
            metrics.accuracy = 0.75;
            result.tasks.push_back(metrics);
        }
        const QString message = evaluationMessage(7, result, tasks);
        QVERIFY2(message.startsWith(QStringLiteral("Validation at step 7 (40 samples): loss 0.5000, accuracy rate %1 0.750, task1 0.750")),
                 qPrintable(message));
        QVERIFY2(message.endsWith(QStringLiteral("task7 0.750, and 2 more tasks")), qPrintable(message));
    }

    // The load's problem under the column table showed its quotes as
    // &quot;: the text was escaped for rich text, and the label, seeing no
    // tag, showed it as plain.
    void rolesProblemShowsItsQuotes()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("tworat.csv"));
        {
            QFile f(path);
            QVERIFY(f.open(QIODevice::WriteOnly));
            f.write("text,label,rationale_label,rationales_label\n");
            for (int r = 0; r < 8; ++r)
                f.write("the cat sat down,a,0-3,0-3\nthe dog ran off,b,0-3,0-3\n");
        }
        MainWindow w;
        smallModel(w);
        QVERIFY(!w.openDataset(path));
        auto *problem = w.datasetPanel()->findChild<QLabel *>(QStringLiteral("rolesProblem"));
        QVERIFY(problem && problem->isVisibleTo(w.datasetPanel()));
        const bool rich = problem->textFormat() == Qt::RichText
                          || (problem->textFormat() == Qt::AutoText && Qt::mightBeRichText(problem->text()));
        const QString shown = rich ? QTextDocumentFragment::fromHtml(problem->text()).toPlainText() : problem->text();
        QVERIFY2(shown.contains(QStringLiteral("\"rationale_label\"")), qPrintable(shown));
    }

    // A CSV whose first row the reader cannot read (a quote never closed)
    // has no role guessed: every column read "ignore", and the table said
    // "Choose the input: a text column or ...", as if the roles were what was
    // wrong; chosen, Load failed on the same quote. The table says the
    // reader's problem (stop 30).
    void unguessedRolesSayTheReadersProblem()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("quote.csv"));
        {
            QFile f(path);
            QVERIFY(f.open(QIODevice::WriteOnly));
            f.write("text,label\n\"the cat sat down,a\nthe dog ran off,b\n");
        }
        MainWindow w;
        smallModel(w);
        QVERIFY(!w.openDataset(path));
        DatasetPanel *panel = w.datasetPanel();
        QCOMPARE(roleOf(panel, QStringLiteral("text")), QStringLiteral("ignore"));
        QCOMPARE(roleOf(panel, QStringLiteral("label")), QStringLiteral("ignore"));
        auto *problem = panel->findChild<QLabel *>(QStringLiteral("rolesProblem"));
        QVERIFY(problem && problem->isVisibleTo(panel));
        const QString shown = QTextDocumentFragment::fromHtml(problem->text()).toPlainText();
        QVERIFY2(shown.contains(QStringLiteral("quote.csv:2")) && shown.contains(QStringLiteral("never closed")),
                 qPrintable(shown));
        QVERIFY(!panel->reloadButton()->isEnabled());
    }

    // Open a CSV: the guessed roles are shown; change one, load again, and the
    // core got a dataset with those roles.
    void columnRolesRoundTrip()
    {
        MainWindow w;
        smallModel(w);
        DatasetPanel *panel = w.datasetPanel();
        QVERIFY(w.openDataset(example("reviews.csv")));
        QVERIFY(panel->columnsSection()->isVisibleTo(panel));
        QCOMPARE(roleOf(panel, QStringLiteral("text")), QStringLiteral("text"));
        QCOMPARE(roleOf(panel, QStringLiteral("sentiment")), QStringLiteral("task (label)"));
        QCOMPARE(roleOf(panel, QStringLiteral("topic")), QStringLiteral("task (label)"));
        QCOMPARE(roleOf(panel, QStringLiteral("split")), QStringLiteral("split"));
        QCOMPARE(roleOf(panel, QStringLiteral("rationale_sentiment")), QStringLiteral("rationale"));
        QCOMPARE(taskNamesOf(*w.dataset()), (QStringList{QStringLiteral("sentiment"), QStringLiteral("topic")}));
        QVERIFY(w.dataset()->hasRationales());

        setRole(panel, QStringLiteral("topic"), ColumnRole::Ignored);
        setRole(panel, QStringLiteral("rationale_sentiment"), ColumnRole::Ignored);
        QVERIFY(panel->rolesProblem().isEmpty());
        QVERIFY(panel->reloadButton()->isEnabled());
        QSignalSpy finished(&w, &MainWindow::datasetLoadFinished);
        panel->reloadButton()->click();  // asynchronous
        QVERIFY(waitForLoad(finished));
        QCOMPARE(taskNamesOf(*w.dataset()), QStringList{QStringLiteral("sentiment")});
        QVERIFY(!w.dataset()->hasRationales());
        QCOMPARE(w.dataset()->input, InputKind::Text);
        QTRY_COMPARE_WITH_TIMEOUT(w.training()->state(), State::Ready, Timeout);
        QCOMPARE(w.training()->setup()->model.tasks.size(), size_t(1));
        QCOMPARE(w.trainingPanel()->taskWeights().size(), size_t(1));
        // The table shows the roles the file was loaded with.
        QCOMPARE(roleOf(panel, QStringLiteral("topic")), QStringLiteral("ignore"));

        // Tabular: drop a feature and a task.
        QVERIFY(w.openDataset(example("machines.tsv")));
        QCOMPARE(roleOf(panel, QStringLiteral("id")), QStringLiteral("ignore"));
        QCOMPARE(roleOf(panel, QStringLiteral("humidity")), QStringLiteral("feature"));
        setRole(panel, QStringLiteral("humidity"), ColumnRole::Ignored);
        setRole(panel, QStringLiteral("load_class"), ColumnRole::Ignored);
        panel->reloadButton()->click();
        QVERIFY(waitForLoad(finished));
        QCOMPARE(w.dataset()->input, InputKind::Tabular);
        QCOMPARE(w.dataset()->featureNames, (std::vector<std::string>{"temperature", "pressure", "vibration", "rpm", "voltage"}));
        QCOMPARE(taskNamesOf(*w.dataset()), QStringList{QStringLiteral("status")});

        // Roles the core would refuse are refused at the table, with the reason.
        setRole(panel, QStringLiteral("status"), ColumnRole::Feature);
        QVERIFY(!panel->reloadButton()->isEnabled());
        QVERIFY2(panel->rolesProblem().contains(QStringLiteral("task")), qPrintable(panel->rolesProblem()));
        setRole(panel, QStringLiteral("status"), ColumnRole::Task);
        setRole(panel, QStringLiteral("id"), ColumnRole::Text);
        QVERIFY2(panel->rolesProblem().contains(QStringLiteral("not both")), qPrintable(panel->rolesProblem()));
        QVERIFY(!panel->reloadButton()->isEnabled());

        // A built-in hides the columns.
        QVERIFY(w.openDataset(Data));
        QVERIFY(!panel->columnsSection()->isVisibleTo(panel));
    }

    void failedLoadKeepsTheDataset()
    {
        QTemporaryDir dir;
        const QString bad = dir.filePath(QStringLiteral("ragged.csv"));
        {
            QFile f(bad);
            QVERIFY(f.open(QIODevice::WriteOnly));
            f.write("text,label\nhello there,a\nhello, world,b\n");
        }
        MainWindow w;
        smallModel(w);
        QVERIFY(w.openDataset(Data));
        QTRY_COMPARE_WITH_TIMEOUT(w.training()->state(), State::Ready, Timeout);
        for (int i = 0; i < 3; ++i)
            w.training()->step();
        QTRY_COMPARE_WITH_TIMEOUT(w.training()->currentStep(), int64_t(3), Timeout);
        QTRY_COMPARE_WITH_TIMEOUT(w.training()->state(), State::Paused, Timeout);
        const std::shared_ptr<const Dataset> before = w.dataset();
        const std::shared_ptr<const TrainingSetup> setup = w.training()->setup();
        const QString summary = w.datasetPanel()->summaryText();

        QVERIFY(!w.openDataset(bad));
        QVERIFY2(w.lastError().contains(QStringLiteral("ragged.csv:3:")), qPrintable(w.lastError()));
        QVERIFY2(w.datasetPanel()->loadError().contains(QStringLiteral("ragged.csv:3:")),
                 qPrintable(w.datasetPanel()->loadError()));
        QVERIFY(w.datasetPanel()->loadError().contains(Data));  // names what is still open
        // The field held the file that failed, and Load tried it again: it shows what is open now.
        w.datasetPanel()->setSpec(bad);
        QSignalSpy finished(&w, &MainWindow::datasetLoadFinished);
        emit w.datasetPanel()->loadRequested(bad);  // Load, as the button asks
        QVERIFY(finished.wait(Timeout));
        QCOMPARE(finished.last().at(1).toBool(), false);
        QCOMPARE(w.datasetPanel()->spec(), Data);
        QCOMPARE(w.dataset(), before);
        QCOMPARE(w.training()->setup(), setup);
        QCOMPARE(w.training()->currentStep(), int64_t(3));
        QCOMPARE(w.training()->state(), State::Paused);
        QCOMPARE(w.datasetPanel()->summaryText(), summary);
        QCOMPARE(w.dataSpec(), Data);

        // Missing files, directories and JSONL errors too; then a good load clears the message.
        QVERIFY(!w.openDataset(dir.filePath(QStringLiteral("missing.jsonl"))));
        QVERIFY(!w.openDataset(dir.path() + QStringLiteral("/")));
        QCOMPARE(w.dataset(), before);
        QCOMPARE(w.datasetPanel()->spec(), Data);
        // A checkpoint opened after a failed load: the old error goes.
        const QString checkpoint = dir.filePath(QStringLiteral("model.safetensors"));
        QVERIFY(w.saveCheckpoint(checkpoint));
        QVERIFY(!w.datasetPanel()->loadError().isEmpty());
        QVERIFY(w.openCheckpoint(checkpoint));
        QVERIFY2(w.datasetPanel()->loadError().isEmpty(), qPrintable(w.datasetPanel()->loadError()));
        QVERIFY(w.openDataset(QStringLiteral("builtin:reviews?n=100&seed=3")));
        QVERIFY(w.datasetPanel()->loadError().isEmpty());
    }

    // Open…, drops, recent files and the panel load (and build the new run)
    // on a worker thread: the event loop keeps running, the panel shows the
    // progress, the result is what the synchronous load gives, and a failure
    // keeps the open dataset.
    // The Dataset panel's Cancel stops a load in flight: the open dataset,
    // run and spec stay, the status bar says so, and no error is shown.
    void cancelLoad()
    {
        QTemporaryDir dir;
        const QString big = dir.filePath(QStringLiteral("big.csv"));
        writeLargeCsv(big, 40000);
        QVERIFY(QFileInfo(big).size() > (qint64(12) << 20));  // reports at 4, 8 and 12 MiB
        MainWindow w;
        smallModel(w);
        QVERIFY(w.openDataset(Data));
        QTRY_COMPARE_WITH_TIMEOUT(w.training()->state(), State::Ready, Timeout);
        const std::shared_ptr<const Dataset> before = w.dataset();
        const auto run = w.training()->setup();
        QSignalSpy finished(&w, &MainWindow::datasetLoadFinished);
        QSignalSpy progress(&w, &MainWindow::datasetLoadProgress);
        w.openDatasetAsync(big);
        QVERIFY(w.isLoadingDataset());
        QVERIFY(w.datasetPanel()->isLoading());
        QToolButton *cancel = w.datasetPanel()->cancelLoadButton();
        QVERIFY(cancel->isVisibleTo(w.datasetPanel()) && cancel->isEnabled());
        cancel->click();
        QVERIFY(!cancel->isEnabled());
        QVERIFY(finished.wait(60000));
        QCOMPARE(finished.takeFirst().at(1).toBool(), false);
        QVERIFY(!w.isLoadingDataset());
        QVERIFY(!w.datasetPanel()->isLoading());
        QCOMPARE(w.dataset(), before);
        QCOMPARE(w.training()->setup(), run);
        QCOMPARE(w.dataSpec(), Data);
        QVERIFY(w.lastError().isEmpty());
        QVERIFY(w.datasetPanel()->loadError().isEmpty());
        QVERIFY2(w.statusMessage().contains(QStringLiteral("cancelled")),
                 qPrintable(w.statusMessage()));
        for (const QList<QVariant> &p : progress)  // it stopped reading at the first report after Cancel
            QVERIFY(p.at(1).toInt() < 90);
        // The same file loads when asked again.
        w.openDatasetAsync(big);
        QVERIFY(waitForLoad(finished));
        QCOMPARE(w.dataset()->samples.size(), size_t(40000));
    }

    void asyncLoad()
    {
        QTemporaryDir dir;
        const QString big = dir.filePath(QStringLiteral("big.csv"));
        writeLargeCsv(big, 20000);
        QVERIFY(QFileInfo(big).size() > (qint64(6) << 20));  // the CSV reader reports every 4 MiB
        MainWindow w;
        smallModel(w);
        QVERIFY(w.openDataset(Data));
        QTRY_COMPARE_WITH_TIMEOUT(w.training()->state(), State::Ready, Timeout);
        const std::shared_ptr<const Dataset> before = w.dataset();

        QSignalSpy finished(&w, &MainWindow::datasetLoadFinished);
        QList<int> progress;  // as it arrived, before datasetLoadFinished
        bool panelShowedIt = false;
        const QMetaObject::Connection watch = connect(&w, &MainWindow::datasetLoadProgress, this, [&](const QString &spec, int percent) {
            QCOMPARE(spec, big);
            if (finished.isEmpty())
                progress << percent;
            panelShowedIt = panelShowedIt || (w.datasetPanel()->isLoading() && w.datasetPanel()->loadProgress()->value() == percent);
        });
        int ticks = 0;
        qint64 lastTick = 0, longestGap = 0;  // the longest the event loop stalled
        QElapsedTimer clock;
        QTimer tick;
        tick.setInterval(0);
        connect(&tick, &QTimer::timeout, this, [&]() {
            ++ticks;
            longestGap = std::max(longestGap, clock.elapsed() - lastTick);
            lastTick = clock.elapsed();
        });
        tick.start();
        clock.start();
        w.openDatasetAsync(big);
        const qint64 returnedAfter = clock.elapsed();
        QVERIFY(w.isLoadingDataset());
        QCOMPARE(w.dataset(), before);  // until the new one has loaded
        QVERIFY(waitForLoad(finished));
        const qint64 loadedAfter = clock.elapsed();
        tick.stop();
        qInfo("openDatasetAsync returned after %lld ms, loaded after %lld ms, %d zero-interval ticks meanwhile "
              "(longest gap %lld ms, applying the result included), progress %s",
              returnedAfter, loadedAfter, ticks, longestGap,
              qPrintable([&]() { QStringList l; for (int p : progress) l << QString::number(p); return l.join(QLatin1Char(' ')); }()));
        disconnect(watch);
        QVERIFY(!w.isLoadingDataset());
        QVERIFY(ticks >= 10);
        QVERIFY2(std::any_of(progress.begin(), progress.end(), [](int p) { return p > 0 && p < 90; }),
                 "the file's reading reported progress");
        QVERIFY(progress.contains(100));
        QVERIFY(panelShowedIt);
        QVERIFY(!w.datasetPanel()->isLoading());
        QCOMPARE(w.dataSpec(), big);
        QTRY_COMPARE_WITH_TIMEOUT(w.training()->state(), State::Ready, Timeout);
        QCOMPARE(w.training()->setup()->model.tasks.size(), size_t(2));

        // The same as the synchronous load, the summary included.
        MainWindow sync;
        sync.modelPanel()->setConfig(w.modelPanel()->config(), w.modelPanel()->seed());  // 0 layers: builtin:reviews's suggestion
        QVERIFY(sync.openDataset(big));
        const Dataset &a = *w.dataset(), &b = *sync.dataset();
        QCOMPARE(a.samples.size(), size_t(20000));
        QCOMPARE(a.samples.size(), b.samples.size());
        QCOMPARE(taskNamesOf(a), taskNamesOf(b));
        for (size_t i = 0; i < a.samples.size(); ++i) {
            QCOMPARE(a.samples[i].text, b.samples[i].text);
            QCOMPARE(a.samples[i].labels, b.samples[i].labels);
        }
        QCOMPARE(w.datasetPanel()->summaryText(), sync.datasetPanel()->summaryText());
        QCOMPARE(w.datasetPanel()->detailsText(), sync.datasetPanel()->detailsText());
        QCOMPARE(roleOf(w.datasetPanel(), QStringLiteral("topic")), QStringLiteral("task (label)"));
        // The run the worker thread built is the one openDataset builds.
        const TrainingSetup &ra = *w.training()->setup(), &rb = *sync.training()->setup();
        QCOMPARE(ra.model.config, rb.model.config);
        QCOMPARE(ra.model.vocab, rb.model.vocab);
        QCOMPARE(ra.train.samples.size(), rb.train.samples.size());
        QCOMPARE(ra.val.samples.size(), rb.val.samples.size());
        for (size_t i = 0; i < ra.train.samples.size(); i += 97)
            QCOMPARE(ra.train.samples[i].ids, rb.train.samples[i].ids);
        QCOMPARE(ra.config.batchSize, rb.config.batchSize);

        // A failed load keeps the open dataset and run.
        const QString bad = dir.filePath(QStringLiteral("ragged.csv"));
        {
            QFile f(bad);
            QVERIFY(f.open(QIODevice::WriteOnly));
            f.write("text,label\nhello there,a\nhello, world,b\n");
        }
        const std::shared_ptr<const Dataset> loaded = w.dataset();
        const std::shared_ptr<const TrainingSetup> setup = w.training()->setup();
        w.openDatasetAsync(bad);
        QVERIFY(!waitForLoad(finished));
        QCOMPARE(w.dataset(), loaded);
        QCOMPARE(w.training()->setup(), setup);
        QCOMPARE(w.dataSpec(), big);
        QVERIFY2(w.datasetPanel()->loadError().contains(QStringLiteral("ragged.csv:3:")),
                 qPrintable(w.datasetPanel()->loadError()));

        // A request while one is in flight supersedes it; so does openDataset.
        w.openDatasetAsync(big);
        w.openDatasetAsync(QStringLiteral("builtin:reviews?n=100&seed=3"));
        QVERIFY(!waitForLoad(finished));  // big.csv, dropped
        QVERIFY2(waitForLoad(finished), qPrintable(w.lastError()));
        QCOMPARE(w.dataSpec(), QStringLiteral("builtin:reviews?n=100&seed=3"));
        QVERIFY(w.datasetPanel()->loadError().isEmpty());
        w.openDatasetAsync(big);
        QVERIFY(w.openDataset(Data));
        QVERIFY(!waitForLoad(finished));
        QCOMPARE(w.dataSpec(), Data);
        QVERIFY(!w.isLoadingDataset());
    }

    void summaryShowsTheCoresFigures()
    {
        MainWindow w;
        smallModel(w);
        QVERIFY(w.openDataset(example("reviews.csv")));
        const DatasetSummary s = summarizeDataset(*w.dataset(), 0.2, w.modelPanel()->seed(), 32);
        const QString summary = w.datasetPanel()->summaryText();
        QVERIFY2(summary.contains(QStringLiteral("<b>120</b> samples")), qPrintable(summary));
        QVERIFY(summary.contains(QStringLiteral("%1 train, %2 validation").arg(s.train).arg(s.val)));
        QVERIFY(summary.contains(QStringLiteral("15 test")));
        QVERIFY(summary.contains(QStringLiteral("negative&nbsp;59")));
        QVERIFY(summary.contains(QStringLiteral("5&nbsp;missing")));
        QVERIFY(summary.contains(QStringLiteral("vocabulary <b>%1</b>").arg(s.vocabulary)));
        // Each task in its colour.
        QVERIFY(summary.contains(taskColor(0).name()) && summary.contains(taskColor(1).name()));
        const QString details = w.datasetPanel()->detailsText();
        QVERIFY2(details.contains(QStringLiteral("max %1").arg(s.maxLength)), qPrintable(details));
        QVERIFY(details.contains(QStringLiteral("%1%").arg(100.0 * s.oovRate, 0, 'f', 1)));
        QVERIFY(!w.datasetPanel()->detailsSection()->isExpanded());  // folded until asked for

        QVERIFY(w.openDataset(example("machines.tsv")));
        const QString features = w.datasetPanel()->detailsText();
        QVERIFY2(features.contains(QStringLiteral("<b>temperature</b>")), qPrintable(features));
        QVERIFY(w.datasetPanel()->summaryText().contains(QStringLiteral("ok&nbsp;91")));
        QVERIFY(w.datasetPanel()->warningsSection()->isVisibleTo(w.datasetPanel()));  // the id column is ignored
        QVERIFY(w.datasetPanel()->warningsText().contains(QStringLiteral("id")));
    }

    // With the Setup panel floated off the window (a teacher's second
    // screen), Space on its focused button clicked it (Load: a new run)
    // instead of pausing: the floating panel is a window of its own (stop 30).
    void spaceTogglesPauseInAFloatingPanel()
    {
        MainWindow w;
        smallModel(w);
        QVERIFY(w.openDataset(Data));
        w.show();
        w.activateWindow();
        QVERIFY(QTest::qWaitForWindowActive(&w));
        QTRY_COMPARE_WITH_TIMEOUT(w.training()->state(), State::Ready, Timeout);
        auto *epochs = w.trainingPanel()->findChild<QSpinBox *>(QStringLiteral("epochs"));
        QVERIFY(epochs);
        epochs->setValue(1000);  // a long run
        QTRY_COMPARE_WITH_TIMEOUT(w.training()->state(), State::Ready, Timeout);
        auto *setup = w.findChild<QDockWidget *>(QStringLiteral("setupDock"));
        QVERIFY(setup);
        setup->setFloating(true);
        QTRY_VERIFY(setup->isFloating() && setup->isVisible());
        QVERIFY(setup->isWindow());
        w.startAction()->trigger();
        QTRY_COMPARE_WITH_TIMEOUT(w.training()->state(), State::Running, Timeout);
        QPushButton *load = nullptr;
        for (QPushButton *b : w.datasetPanel()->findChildren<QPushButton *>())
            if (b->text() == QStringLiteral("Load"))
                load = b;
        QVERIFY(load && load->window() == setup);
        QSignalSpy clicked(load, &QPushButton::clicked);
        load->setFocus();
        QTest::keyClick(load, Qt::Key_Space);
        QTRY_COMPARE_WITH_TIMEOUT(w.training()->state(), State::Paused, Timeout);
        QCOMPARE(clicked.size(), 0);
        QTest::keyClick(load, Qt::Key_Space);
        QTRY_COMPARE_WITH_TIMEOUT(w.training()->state(), State::Running, Timeout);
        QCOMPARE(clicked.size(), 0);
        // A dialog of the window's keeps its own Space (its focused button).
        QMessageBox box(QMessageBox::Question, QStringLiteral("t"), QStringLiteral("q"), QMessageBox::Ok | QMessageBox::Cancel, &w);
        box.show();
        QAbstractButton *cancel = box.button(QMessageBox::Cancel);
        QSignalSpy boxClicked(cancel, &QAbstractButton::clicked);
        cancel->setFocus();
        QTest::keyClick(cancel, Qt::Key_Space);
        QCOMPARE(boxClicked.size(), 1);
        QCOMPARE(w.training()->state(), State::Running);
        setup->setFloating(false);  // the layout the next window restores
        w.close();
    }

    // Space pauses and resumes with a spin box, a combo or a button focused,
    // and types a space into a text field.
    void spaceTogglesPause()
    {
        MainWindow w;
        smallModel(w);
        QVERIFY(w.openDataset(Data));
        w.show();
        w.activateWindow();
        QVERIFY(QTest::qWaitForWindowActive(&w));
        QTRY_COMPARE_WITH_TIMEOUT(w.training()->state(), State::Ready, Timeout);
        auto *epochs = w.trainingPanel()->findChild<QSpinBox *>(QStringLiteral("epochs"));
        QVERIFY(epochs);
        epochs->setValue(1000);  // a long run
        QTRY_COMPARE_WITH_TIMEOUT(w.training()->state(), State::Ready, Timeout);
        w.startAction()->trigger();
        QTRY_COMPARE_WITH_TIMEOUT(w.training()->state(), State::Running, Timeout);

        QDoubleSpinBox *lr = w.trainingPanel()->learningRateField();
        lr->setFocus();
        QTRY_COMPARE(QApplication::focusWidget(), lr);
        const double rate = lr->value();
        QTest::keyClick(lr, Qt::Key_Space);
        QTRY_COMPARE_WITH_TIMEOUT(w.training()->state(), State::Paused, Timeout);
        QTest::keyClick(lr, Qt::Key_Space);
        QTRY_COMPARE_WITH_TIMEOUT(w.training()->state(), State::Running, Timeout);
        QCOMPARE(lr->value(), rate);
        QVERIFY(!lr->text().contains(QLatin1Char(' ')));

        // A (non-editable) combo: Space pauses instead of opening its list.
        auto *optimizer = w.trainingPanel()->findChild<QComboBox *>(QStringLiteral("optimizer"));
        optimizer->setFocus();
        QTest::keyClick(optimizer, Qt::Key_Space);
        QTRY_COMPARE_WITH_TIMEOUT(w.training()->state(), State::Paused, Timeout);

        // A focused button is not clicked (Load would start a new run: Ready, step 0).
        QPushButton *load = nullptr;
        for (QPushButton *b : w.datasetPanel()->findChildren<QPushButton *>())
            if (b->text() == QStringLiteral("Load"))
                load = b;
        QVERIFY(load);
        const int64_t step = w.training()->currentStep();
        load->setFocus();
        QTest::keyClick(load, Qt::Key_Space);
        QTRY_COMPARE_WITH_TIMEOUT(w.training()->state(), State::Running, Timeout);
        QVERIFY(w.training()->currentStep() >= step);
        QTest::keyClick(load, Qt::Key_Space);
        QTRY_COMPARE_WITH_TIMEOUT(w.training()->state(), State::Paused, Timeout);
        QVERIFY(w.training()->currentStep() >= step);

        // Text entry: the dataset field gets the space, training stays paused.
        auto *spec = w.datasetPanel()->findChild<QComboBox *>(QStringLiteral("datasetSpec"));
        spec->setFocus();
        spec->lineEdit()->clear();
        QTest::keyClicks(spec->lineEdit(), QStringLiteral("a"));
        QTest::keyClick(spec->lineEdit(), Qt::Key_Space);
        QTest::keyClicks(spec->lineEdit(), QStringLiteral("b"));
        QCOMPARE(spec->lineEdit()->text(), QStringLiteral("a b"));
        QVERIFY(roundTrip(*w.training()) >= 0);  // a resume sent by the space would have arrived
        QCOMPARE(w.training()->state(), State::Paused);
        QVERIFY(MainWindow::typesText(spec->lineEdit()));
        QVERIFY(!MainWindow::typesText(lr));
        w.close();
    }

    // Every training control has its key, shown in the menus and tooltips.
    void shortcutsAreShown()
    {
        MainWindow w;
        const QList<QPair<QAction *, QString>> keys = {
            {w.startAction(), QStringLiteral("F5")}, {w.stepAction(), QStringLiteral("F10")},
            {w.stopAction(), QStringLiteral("Shift+F5")}, {w.resetAction(), QStringLiteral("Ctrl+R")}};
        for (const auto &[action, key] : keys) {
            QCOMPARE(action->shortcut().toString(), key);
            QVERIFY2(action->toolTip().contains(key), qPrintable(action->toolTip()));
        }
        QVERIFY(w.pauseAction()->toolTip().contains(QStringLiteral("Space")));
        // Speed: the toolbar's box sets the worker's limit; Ctrl+[ and Ctrl+] step through it.
        QComboBox *speed = w.speedBox();
        QCOMPARE(speed->currentData().toDouble(), 0.0);
        QCOMPARE(w.training()->stepRateLimit(), 0.0);
        speed->setCurrentIndex(speed->findData(10.0));
        QCOMPARE(w.training()->stepRateLimit(), 10.0);
        QAction *slower = nullptr, *faster = nullptr;
        for (QAction *a : w.findChildren<QAction *>()) {
            if (a->shortcut() == QKeySequence(Qt::CTRL | Qt::Key_BracketLeft)) slower = a;
            if (a->shortcut() == QKeySequence(Qt::CTRL | Qt::Key_BracketRight)) faster = a;
        }
        QVERIFY(slower && faster);
        slower->trigger();
        QCOMPARE(w.training()->stepRateLimit(), 3.0);
        faster->trigger();
        faster->trigger();
        QCOMPARE(w.training()->stepRateLimit(), 30.0);
        speed->setCurrentIndex(0);
        QCOMPARE(w.training()->stepRateLimit(), 0.0);
        QVERIFY(w.pauseAction()->text().endsWith(QStringLiteral("\tSpace")));  // shown in the menu
        QStringList fileKeys;
        for (QAction *menu : w.menuBar()->actions())
            if (menu->menu() && menu->text().remove(QLatin1Char('&')) == QStringLiteral("File"))
                for (QAction *action : menu->menu()->actions())
                    if (!action->shortcut().isEmpty())
                        fileKeys << action->shortcut().toString();
        for (const QKeySequence &key : {QKeySequence(QKeySequence::Open), QKeySequence(QKeySequence::Save),
                                        QKeySequence(Qt::CTRL | Qt::Key_Q), QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_O)})
            QVERIFY2(fileKeys.contains(key.toString()), qPrintable(key.toString() + " in " + fileKeys.join(' ')));
    }

    // The speed chosen in the box is remembered; one set for this run only
    // (attnscope --speed) is used and not remembered.
    void speedPersistsUnlessForThisRun()
    {
        {
            MainWindow w;
            w.setSpeed(30);
            QCOMPARE(w.speedBox()->currentData().toDouble(), 30.0);
            w.close();
        }
        {
            MainWindow w;
            QCOMPARE(w.speedBox()->currentData().toDouble(), 30.0);
            QCOMPARE(w.training()->stepRateLimit(), 30.0);
            w.setSpeed(7, /*persist=*/false);  // not in the box: added between 10 and 3
            QCOMPARE(w.speedBox()->currentText(), QStringLiteral("7 steps/s"));
            const int at = w.speedBox()->currentIndex();
            QCOMPARE(w.speedBox()->itemData(at - 1).toDouble(), 10.0);
            QCOMPARE(w.speedBox()->itemData(at + 1).toDouble(), 3.0);
            QCOMPARE(w.training()->stepRateLimit(), 7.0);
            w.close();
        }
        {
            MainWindow w;
            QCOMPARE(w.speedBox()->currentData().toDouble(), 30.0);
            w.speedBox()->setCurrentIndex(0);  // the user's choice: remembered
            w.close();
        }
        MainWindow w;
        QCOMPARE(w.speedBox()->currentData().toDouble(), 0.0);
        QCOMPARE(w.training()->stepRateLimit(), 0.0);
    }

    // The Score chosen and the Explain live toggle are remembered across
    // restarts; the toggle reaches the run's worker (off: no explanations).
    void scoreAndLiveExplanationsPersist()
    {
        {
            MainWindow w;
            QCOMPARE(w.attention()->score(), Method::Attention);
            QVERIFY(w.attention()->liveExplanations());
            QVERIFY(w.training()->explanations());
            auto *score = w.attention()->findChild<QComboBox *>(QStringLiteral("score"));
            auto *explain = w.attention()->findChild<QCheckBox *>(QStringLiteral("explainLive"));
            QVERIFY(score && explain);
            score->setCurrentIndex(int(Method::Integrated));
            emit score->activated(int(Method::Integrated));  // as a click on the item
            explain->click();
            QVERIFY(!w.training()->explanations());
            w.close();
        }
        {
            MainWindow w;
            QCOMPARE(w.attention()->score(), Method::Integrated);
            QVERIFY(!w.attention()->liveExplanations());
            QVERIFY(!w.attention()->findChild<QCheckBox *>(QStringLiteral("explainLive"))->isChecked());
            QCOMPARE(w.attention()->findChild<QComboBox *>(QStringLiteral("score"))->currentIndex(), int(Method::Integrated));
            QVERIFY(!w.training()->explanations());
            w.attention()->setScore(Method::Attention);
            w.attention()->setLiveExplanations(true);
            QVERIFY(w.training()->explanations());
            w.close();
        }
        MainWindow w;
        QCOMPARE(w.attention()->score(), Method::Attention);
        QVERIFY(w.attention()->liveExplanations());
        QVERIFY(w.training()->explanations());
    }

    void paletteSwitchPersists()
    {
        const auto plotLightness = [](MainWindow &w) {
            const QImage image = w.lossPlot()->grab().toImage();
            return image.pixelColor(3, 3).lightness();
        };
        {
            MainWindow w;
            w.resize(1000, 700);
            w.show();
            QVERIFY(QTest::qWaitForWindowExposed(&w));
            w.themeAction(Theme::Dark)->trigger();
            QCOMPARE(QSettings().value(QStringLiteral("view/theme")).toString(), QStringLiteral("dark"));
            QVERIFY(isDarkPalette(QApplication::palette()));
            QTRY_VERIFY(isDarkPalette(w.datasetPanel()->palette()));  // every widget follows
            QTRY_VERIFY(plotLightness(w) < 80);  // the plot's background followed
            QCOMPARE(taskColor(0), QColor(0x0072B2));  // task colours stay
        }
        {
            MainWindow w;  // the next start: dark again, and checked in the menu
            QVERIFY(w.themeAction(Theme::Dark)->isChecked());
            QVERIFY(currentTheme() == Theme::Dark);
            QVERIFY(isDarkPalette(w.palette()));
            w.resize(1000, 700);
            w.show();
            QVERIFY(QTest::qWaitForWindowExposed(&w));
            w.themeAction(Theme::Light)->trigger();
            QCOMPARE(QSettings().value(QStringLiteral("view/theme")).toString(), QStringLiteral("light"));
            QVERIFY(!isDarkPalette(QApplication::palette()));
            QTRY_VERIFY(plotLightness(w) > 200);
            w.themeAction(Theme::System)->trigger();
            QCOMPARE(QSettings().value(QStringLiteral("view/theme")).toString(), QStringLiteral("system"));
        }
    }

    // A CSV of 1,000 or 10,000 task columns (a few rows) opens with every
    // panel bounded: the Dataset panel names MaxNamedTasks tasks and "N
    // more", its column table has no widget per row (a role's combo box is
    // made when its cell is edited), the Training panel's weights are a table
    // edited in place and filtered, the curves' legend names MaxNamedTasks
    // tasks. (Before: 1,000 tasks took 6.8 s to open, 10,000 never showed.)
    void manyTasksOpen_data()
    {
        QTest::addColumn<int>("tasks");
        QTest::newRow("1,000 tasks") << 1000;
        QTest::newRow("10,000 tasks") << 10000;
    }

    void manyTasksOpen()
    {
        QFETCH(int, tasks);
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("tasks.csv"));
        writeTasksCsv(path, tasks, 6);
        MainWindow w;
        smallModel(w);
        w.resize(1024, 768);
        w.show();
        QVERIFY2(w.openDataset(path), qPrintable(w.lastError()));
        QCOMPARE(int(w.dataset()->tasks.size()), tasks);
        QStringList names = taskNamesOf(*w.dataset());

        DatasetPanel *panel = w.datasetPanel();
        const QString summary = panel->summaryText();
        QCOMPARE(summary.count(QStringLiteral("&#9632;")), MaxNamedTasks);  // one swatch per named task
        QVERIFY2(summary.contains(andMore(tasks - MaxNamedTasks, QStringLiteral("tasks"))), qPrintable(summary));
        auto *roles = panel->findChild<QTableWidget *>(QStringLiteral("columnRoles"));
        QVERIFY(roles);
        QCOMPARE(roles->rowCount(), tasks + 1);
        QVERIFY(roles->findChildren<QComboBox *>().isEmpty());
        setRole(panel, QStringLiteral("task5"), ColumnRole::Ignored);  // the cell's editor, as a click opens it
        QCOMPARE(roleOf(panel, QStringLiteral("task5")), QStringLiteral("ignore"));
        QCOMPARE(panel->columns()[6].role, ColumnRole::Ignored);
        QCOMPARE(roles->item(6, 1)->text(), QStringLiteral("ignore"));
        QVERIFY(panel->rolesProblem().isEmpty());
        QCOMPARE(roles->findChildren<QComboBox *>().size(), 1);

        TrainingPanel *training = w.trainingPanel();
        QTableWidget *weights = training->weightsTable();
        QVERIFY(weights);
        QCOMPARE(weights->rowCount(), tasks);
        QCOMPARE(training->findChildren<QDoubleSpinBox *>().size(), 4);  // learning rate, decay, clip, mu: none per task
        QSignalSpy changed(training, &TrainingPanel::taskWeightsChanged);
        weights->item(7, 1)->setData(Qt::EditRole, 0.25);
        QCOMPARE(changed.size(), 1);
        const std::vector<float> chosen = changed.first().first().value<std::vector<float>>();
        QCOMPARE(chosen.size(), size_t(tasks));
        QCOMPARE(chosen[7], 0.25f);
        QCOMPARE(training->taskWeights()[7], 0.25f);
        QCOMPARE(training->taskWeights()[8], 1.0f);
        training->weightsFilter()->setText(QStringLiteral("task99"));
        int shown = 0;
        for (int t = 0; t < tasks; ++t) {
            QCOMPARE(weights->isRowHidden(t), !names[t].contains(QStringLiteral("task99")));
            shown += weights->isRowHidden(t) ? 0 : 1;
        }
        QCOMPARE(shown, int(names.filter(QStringLiteral("task99")).size()));
        QVERIFY(shown > 0);

        // total, the named tasks, "N more tasks", "validation"
        QCOMPARE(legendEntries(w.curves()->plot()->legend), 1 + MaxNamedTasks + 2);
        QCOMPARE(w.curves()->namedTaskCount(), MaxNamedTasks);
    }

    // The attention views given 10,000 tasks: the heatmap keeps a row per
    // task and labels only as many as fit (no colour strip per row); the
    // disagreement and history views draw MaxNamedTasks tasks and name the
    // rest "N more" in their legends; the text view wraps its columns into
    // rows that fit the width (they ran off its right edge).
    void attentionViewsWithManyTasks()
    {
        const auto snapshotOf = [](int tasks) {
            auto snapshot = std::make_shared<AttentionSnapshot>();
            snapshot->step = 10;
            AttentionSample sample;
            sample.tokens = {"the", "film", "was", "not", "good"};
            for (int t = 0; t < tasks; ++t) {
                snapshot->tasks.push_back({"task" + std::to_string(t), {"a", "b"}});
                sample.labels.push_back(t % 2);
                sample.weights.push_back({0.1f, 0.2f, 0.3f, 0.2f, 0.2f});
                sample.probs.push_back({0.4f, 0.6f});
                snapshot->rationaleMass.push_back(0.5);
                snapshot->rationaleAuprc.push_back(0.7);
            }
            snapshot->samples.push_back(sample);
            return SnapshotPtr(snapshot);
        };
        const int tasks = 10000;
        const SnapshotPtr many = snapshotOf(tasks);

        TaskHeatmap heatmap;
        heatmap.resize(900, 500);
        heatmap.show();
        heatmap.setSnapshot(many);
        QCOMPARE(heatmap.rows(), tasks);
        const auto yTicks = heatmap.plot()->yAxis->ticker().dynamicCast<QCPAxisTickerText>()->ticks();
        QVERIFY(yTicks.size() > 1);
        QVERIFY2(yTicks.size() <= heatmap.plot()->height() / QFontMetrics(heatmap.plot()->yAxis->tickLabelFont()).height(),
                 qPrintable(QString::number(yTicks.size())));
        QCOMPARE(heatmap.plot()->itemCount(), 0);

        DisagreementView disagreement;
        disagreement.resize(900, 500);
        disagreement.show();
        disagreement.setSnapshot(many);
        QCOMPARE(disagreement.plot()->graphCount(), MaxNamedTasks + 1);
        QCOMPARE(legendEntries(disagreement.plot()->legend), 1 + MaxNamedTasks + 1);  // spread, tasks, "N more"
        QVERIFY(disagreement.plot()->legend->item(MaxNamedTasks + 1));
        QCOMPARE(disagreement.spread(1), 0.0);  // over every task still

        HistoryView history;
        history.resize(900, 500);
        history.show();
        for (int64_t step = 1; step <= 3; ++step) {
            auto at = std::make_shared<AttentionSnapshot>(*many);
            at->step = step;
            history.addSnapshot(*at);
        }
        QCOMPARE(history.points(), 3);
        // Mass, AUPRC, loss, comprehensiveness and sufficiency per named task, "N more", the random
        // floor's two curves and the line styles' two entries: bounded by MaxNamedTasks, not the tasks;
        // a legend entry (a colour) per named task and "N more".
        QCOMPARE(history.plot()->graphCount(), 5 * MaxNamedTasks + 1 + 4);
        QCOMPARE(legendEntries(history.plot()->legend), MaxNamedTasks + 1);
        QVERIFY(history.csv().contains(QStringLiteral("\"task9999\"")));

        // The text view: columns of 7 tasks fit 1,000 pixels in one row; 14 in
        // two; 10,000 in 1,429, as tall as that.
        TextView text;
        text.setSnapshot(snapshotOf(7));
        const int oneRow = text.heightForWidth(1000);
        text.setSnapshot(snapshotOf(14));
        const int twoRows = text.heightForWidth(1000);
        QVERIFY2(twoRows > oneRow, qPrintable(QStringLiteral("%1 %2").arg(oneRow).arg(twoRows)));
        text.setSnapshot(many);
        QCOMPARE(text.heightForWidth(1000), oneRow + (tasks / 7 + (tasks % 7 ? 1 : 0) - 1) * (twoRows - oneRow));
        QCOMPARE(text.weight(tasks - 1, 2), double(0.3f));
    }

    // A column named by a megabyte and a task of some 100,000 classes open
    // promptly: names are elided everywhere they are shown (the Dataset
    // panel, its column table, the task weights, the curves' legend, a load
    // error), and the class list shows the most frequent classes and "and N
    // more". (Before: 12.5 s and 18 s to show.)
    void hugeNamesAndClassLists()
    {
        QTemporaryDir dir;
        const QByteArray name(1 << 20, 'x');
        const QString longPath = dir.filePath(QStringLiteral("longname.csv"));
        {
            QFile f(longPath);
            QVERIFY(f.open(QIODevice::WriteOnly));
            f.write("text," + name + "\n");
            for (int r = 0; r < 8; ++r)
                f.write("good film " + QByteArray::number(r) + (r % 2 ? ",a\n" : ",b\n"));
        }
        MainWindow w;
        smallModel(w);
        QVERIFY2(w.openDataset(longPath), qPrintable(w.lastError()));
        DatasetPanel *panel = w.datasetPanel();
        QVERIFY2(panel->summaryText().size() < 2000, qPrintable(QString::number(panel->summaryText().size())));
        QVERIFY(panel->summaryText().contains(QStringLiteral("xxxxxxxxxx") + QChar(0x2026)));
        auto *roles = panel->findChild<QTableWidget *>(QStringLiteral("columnRoles"));
        QVERIFY(roles);
        for (int c = 0; c < roles->columnCount(); ++c) {
            QVERIFY(roles->item(1, c)->text().size() <= MaxNameChars);
            QVERIFY(roles->item(1, c)->toolTip().size() <= 2 * MaxTooltipNameChars);
        }
        QVERIFY(roleOf(panel, QString::fromLatin1(name)) == QStringLiteral("task (label)"));
        for (const QLabel *label : w.trainingPanel()->findChildren<QLabel *>())
            QVERIFY(label->text().size() < 500);
        for (const QWidget *field : w.trainingPanel()->findChildren<QWidget *>())
            QVERIFY(field->toolTip().size() < 2 * MaxTooltipNameChars);
        QCOMPARE(w.curves()->graph(LossPlot::Curve::Smoothed, 1)->name().size(), MaxNameChars);
        // The probe editor's predictions name the task elided: the whole name
        // made its line, and the window, 8 million pixels wide.
        auto *editor = w.findChild<ProbeEditor *>();
        QVERIFY(editor);
        QTRY_COMPARE_WITH_TIMEOUT(w.training()->state(), State::Ready, Timeout);
        editor->setText(QStringLiteral("good film"));
        QTRY_COMPARE_WITH_TIMEOUT(editor->result().samples.size(), size_t(1), Timeout);
        QVERIFY2(editor->status().size() < 1000, qPrintable(QString::number(editor->status().size())));
        QVERIFY(w.minimumSizeHint().width() < 2000);

        // A load that fails on that column (a label column with no label;
        // one with one class loads, with a warning): the panel shows the
        // message elided, loadError() is whole.
        const QString onePath = dir.filePath(QStringLiteral("nolabels.csv"));
        {
            QFile f(onePath);
            QVERIFY(f.open(QIODevice::WriteOnly));
            f.write("text," + name + "\n");
            for (int r = 0; r < 8; ++r)
                f.write("good film " + QByteArray::number(r) + ",\n");
        }
        QVERIFY(!w.openDataset(onePath));
        QVERIFY(panel->loadError().contains(QString::fromLatin1(name)));
        auto *error = panel->findChild<QLabel *>(QStringLiteral("datasetError"));
        QVERIFY(error && error->text().size() < 1000 && error->toolTip().size() < 2000);
        QVERIFY2(error->text().contains(QStringLiteral("every row")), qPrintable(error->text()));  // what was wrong: the end is kept
        // ... and shown: a word wider than the panel cannot wrap, and the
        // label cut the line there, the end with it.
        for (const QString &word : QTextDocumentFragment::fromHtml(error->text()).toPlainText().split(QLatin1Char(' ')))
            QVERIFY2(word.size() <= PanelNameChars, qPrintable(word));
        QVERIFY(w.lastError().size() > (1 << 20));

        // 99,932 classes, each once but zz (50 times) and yy (20), which come last.
        const QString classesPath = dir.filePath(QStringLiteral("classes.csv"));
        {
            QFile f(classesPath);
            QVERIFY(f.open(QIODevice::WriteOnly));
            QByteArray out = "text,label\n";
            const int rows = 100000;
            for (int r = 0; r < rows; ++r)
                out += "word" + QByteArray::number(r % 13) + " film," +
                       (r >= rows - 50 ? QByteArray("zz") : r >= rows - 70 ? QByteArray("yy") : "c" + QByteArray::number(r)) + '\n';
            f.write(out);
        }
        // named a task: the guess ignores a column of so many classes (issue 15)
        LoadOptions labelTask;
        labelTask.taskColumns = {"label"};
        QVERIFY2(w.openDataset(classesPath, labelTask), qPrintable(w.lastError()));
        const size_t classes = w.dataset()->tasks[0].classes.size();
        QCOMPARE(classes, size_t(100000 - 70 + 2));
        const QString summary = panel->summaryText();
        QVERIFY2(summary.size() < 2000, qPrintable(QString::number(summary.size())));
        const qsizetype zz = summary.indexOf(QStringLiteral("zz&nbsp;50")), yy = summary.indexOf(QStringLiteral("yy&nbsp;20"));
        QVERIFY2(zz >= 0 && yy > zz, qPrintable(summary));  // the most frequent first
        QVERIFY2(summary.contains(andMore(qint64(classes) - 8, QStringLiteral("classes"))), qPrintable(summary));

        // The probes: 16 of different classes (found in one pass over the
        // data, not one per class; probeChoiceIsUnchanged holds it to the old choice).
        const std::shared_ptr<const TrainingSetup> setup = w.training()->setup();
        QVERIFY(setup);
        ProbeSet probes;
        probes.choose(setup->val, setup->model.tasks);
        QCOMPARE(probes.size(), 16);
        std::set<int32_t> labels;
        for (int i : probes.indices())
            labels.insert(setup->val.samples[size_t(i)].labels[0]);
        QCOMPARE(labels.size(), size_t(16));
    }

    // The probe choice of one pass over the data picks what the pass per
    // class picks, whatever the classes, the rounds, the limit and the
    // pinned samples.
    void probeChoiceIsUnchanged()
    {
        std::mt19937 rng(5);
        for (int trial = 0; trial < 200; ++trial) {
            const int tasks = 1 + int(rng() % 4);
            EncodedDataset data;
            std::vector<TaskInfo> infos(static_cast<size_t>(tasks));
            for (int t = 0; t < tasks; ++t)
                infos[size_t(t)].classes.resize(1 + rng() % 6);
            const int n = int(rng() % 40);
            for (int i = 0; i < n; ++i) {
                EncodedSample sample;
                for (int t = 0; t < tasks; ++t)
                    sample.labels.push_back(int32_t(rng() % (infos[size_t(t)].classes.size() + 1)) - 1);  // -1: missing
                data.samples.push_back(sample);
            }
            const int perClass = 1 + int(rng() % 3), maxSamples = 1 + int(rng() % 20);
            std::vector<int> pinned;
            for (int i = 0; i < n && pinned.size() < 2; ++i)
                if (rng() % 8 == 0)
                    pinned.push_back(i);
            ProbeSet probes;
            for (int i : pinned)
                probes.setPinned(i, true);
            probes.choose(data, infos, perClass, maxSamples);
            QCOMPARE(probes.indices(), chooseProbesBruteForce(data, infos, pinned, perClass, maxSamples));
        }
    }

    // Issue 15: a 45-class task first took all 16 probes for its first 16
    // classes and the other task's classes got none. The probes go round
    // the tasks, the most frequent classes first; the rest are named.
    void probesCoverEveryTaskFrequentFirst()
    {
        std::vector<TaskInfo> infos(2);
        infos[0].name = "lexname";
        for (int c = 0; c < 45; ++c)
            infos[0].classes.push_back("field" + std::to_string(100 + c));
        infos[1].name = "pos";
        infos[1].classes = {"a", "n", "r", "s", "v"};
        // lexname class c has 2 + c samples (field144 the most frequent);
        // pos is n but for every 23rd sample, which goes round a, r, s, v.
        EncodedDataset data;
        int rare = 0;
        for (int c = 0; c < 45; ++c)
            for (int k = 0; k < 2 + c; ++k) {
                EncodedSample sample;
                const bool other = data.samples.size() % 23 == 22;
                const int pos = other ? std::array{0, 2, 3, 4}[size_t(rare++ % 4)] : 1;
                sample.labels = {c, pos};
                data.samples.push_back(sample);
            }
        ProbeSet probes;
        probes.choose(data, infos);
        QCOMPARE(probes.size(), 16);
        const std::vector<std::vector<int>> missing = probes.classesWithoutProbe(data, infos);
        QCOMPARE(missing.size(), size_t(2));
        QVERIFY2(missing[1].empty(), qPrintable(QString::number(missing[1].size())));  // every pos class
        // The 16 most frequent lexnames have one, and pos's classes come
        // with them (a probe is a sample that also covers a class of the
        // other task still without one); the 29 others have none. (Pos's
        // own probes took lexnames 0, 5, 8, 10 and 12, rare ones, and left
        // 5 frequent ones out.)
        for (int c = 44; c > 44 - 16; --c)
            QVERIFY2(std::find(missing[0].begin(), missing[0].end(), c) == missing[0].end(), qPrintable(QString::number(c)));
        QCOMPARE(missing[0].size(), size_t(29));
        QCOMPARE(missing[0].front(), 0);
    }

    // --screenshot with a file that does not load: the picture of the window
    // showing the error, then exit status 1 (it used to exit with no picture).
    void screenshotOfAFailedLoad()
    {
        QTemporaryDir dir;
        const QString png = dir.filePath(QStringLiteral("failed.png"));
        QProcess app;
        app.setProcessEnvironment(appEnvironment(dir.path()));
        app.start(QStringLiteral(ATTNSCOPE_APP),
                  {QStringLiteral("--data"), QStringLiteral(ATTNSCOPE_SOURCE_DIR "/tests/data/csv/ragged.csv"),
                   QStringLiteral("--screenshot"), png});
        QVERIFY(app.waitForFinished(60000));
        QCOMPARE(app.exitStatus(), QProcess::NormalExit);
        QCOMPARE(app.exitCode(), 1);
        QVERIFY(app.readAllStandardError().contains("ragged.csv:3:"));
        const QImage picture(png);
        QVERIFY(!picture.isNull());
        QVERIFY(picture.width() >= 640 && picture.height() >= 480);
    }

    // A checkpoint and data it does not fit (a class it does not know):
    // --screenshot exited 0 with no word, and with --after-steps waited for
    // ever for a run that could not start (accept26 E8). A misfit is a
    // failed load: the reason on stderr, the picture of the window saying
    // it, exit 1.
    void screenshotOfAMisfit()
    {
        QTemporaryDir dir;
        const QString misfit = writeFruit(dir.filePath(QStringLiteral("abz.csv")), 60, QStringLiteral("abz"));
        const QString checkpoint = dir.filePath(QStringLiteral("abc.safetensors"));
        QVERIFY(writeCheckpoint(writeFruit(dir.filePath(QStringLiteral("abc.csv")), 120, QStringLiteral("abc")),
                                checkpoint));
        for (const QStringList &more : {QStringList(), QStringList{QStringLiteral("--after-steps"), QStringLiteral("10")}}) {
            const QString png = dir.filePath(QStringLiteral("misfit%1.png").arg(more.size()));
            QProcess app;
            app.setProcessEnvironment(appEnvironment(dir.path()));
            app.start(QStringLiteral(ATTNSCOPE_APP), QStringList{QStringLiteral("--checkpoint"), checkpoint,
                                                                 QStringLiteral("--data"), misfit,
                                                                 QStringLiteral("--screenshot"), png} + more);
            const bool ended = app.waitForFinished(60000);
            if (!ended) {
                app.kill();
                app.waitForFinished();
            }
            QVERIFY2(ended, qPrintable(more.join(u' ') + QStringLiteral(": still running after 60 s")));
            const QByteArray err = app.readAllStandardError();
            QCOMPARE(app.exitStatus(), QProcess::NormalExit);
            QVERIFY2(app.exitCode() == 1, err.constData());
            QVERIFY2(err.contains("abz.csv") && err.contains("class 'z' is not one of the 3 classes"), err.constData());
            QVERIFY(!QImage(png).isNull());
        }
    }

    // attnscope --attention FILE: the window on the file's attention; a
    // refused file: the picture of the error, exit 1, its name and line said.
    void attentionOption()
    {
        QTemporaryDir dir;
        const QString dataDir = QStringLiteral(ATTNSCOPE_SOURCE_DIR "/tests/data/attention/");
        for (const QString &name : {QStringLiteral("cli.json"), QStringLiteral("bad_ragged.json")}) {
            const QString png = dir.filePath(name + QStringLiteral(".png"));
            QProcess app;
            app.setProcessEnvironment(appEnvironment(dir.path()));
            app.start(QStringLiteral(ATTNSCOPE_APP), {QStringLiteral("--attention"), dataDir + name,
                                                      QStringLiteral("--screenshot"), png});
            QVERIFY(app.waitForFinished(60000));
            const QByteArray err = app.readAllStandardError();
            QCOMPARE(app.exitStatus(), QProcess::NormalExit);
            const bool bad = name.startsWith(QLatin1String("bad"));
            QVERIFY2(app.exitCode() == (bad ? 1 : 0), err.constData());
            if (bad)
                QVERIFY2(QRegularExpression(QStringLiteral("bad_ragged\\.json:\\d+: .*ragged")).match(QString::fromUtf8(err)).hasMatch(),
                         err.constData());
            QVERIFY(!QImage(png).isNull());
        }
    }

    // --after-steps with a checkpoint and no data waited for ever for steps
    // that nothing could train; it is a usage error now.
    void screenshotAfterStepsNeedsData()
    {
        QTemporaryDir dir;
        QProcess app;
        app.setProcessEnvironment(appEnvironment(dir.path()));
        app.start(QStringLiteral(ATTNSCOPE_APP),
                  {QStringLiteral("--checkpoint"), dir.filePath(QStringLiteral("model.safetensors")),
                   QStringLiteral("--screenshot"), dir.filePath(QStringLiteral("shot.png")),
                   QStringLiteral("--after-steps"), QStringLiteral("5")});
        QVERIFY(app.waitForFinished(60000));
        QCOMPARE(app.exitStatus(), QProcess::NormalExit);
        QCOMPARE(app.exitCode(), 2);
        QVERIFY(app.readAllStandardError().contains("--after-steps: needs --data"));
    }

    // --after-steps N shot whatever step the run had reached 100 ms after
    // passing N, with attention of an older step (193-269 for 412-445): now
    // the run pauses at step N exactly, the views show that step, then the
    // picture is taken.
    void screenshotAtExactlyTheStep()
    {
        QTemporaryDir dir;
        const QString png = dir.filePath(QStringLiteral("step.png"));
        QProcess app;
        app.setProcessEnvironment(appEnvironment(dir.path()));
        app.start(QStringLiteral(ATTNSCOPE_APP),
                  {QStringLiteral("--data"), QStringLiteral("builtin:reviews?n=300"), QStringLiteral("--tab"),
                   QStringLiteral("attention"), QStringLiteral("--screenshot"), png, QStringLiteral("--after-steps"),
                   QStringLiteral("45")});
        QVERIFY(app.waitForFinished(120000));
        const QByteArray err = app.readAllStandardError();
        QCOMPARE(app.exitStatus(), QProcess::NormalExit);
        QVERIFY2(app.exitCode() == 0, err.constData());
        const QByteArray out = app.readAllStandardOutput();
        QVERIFY2(out.contains(": step 45, attention of step 45"), out.constData());
        QVERIFY(!QImage(png).isNull());
    }

    // --help's usage line said --tab attention|runs, its option text
    // curves, attention or runs; the window took any tab's text, and
    // nothing for a name it did not know.
    void tabOptionSaysWhatItTakes()
    {
        QTemporaryDir dir;
        QProcess app;
        app.setProcessEnvironment(appEnvironment(dir.path()));
        app.start(QStringLiteral(ATTNSCOPE_APP), {QStringLiteral("--help")});
        QVERIFY(app.waitForFinished(60000));
        const QByteArray help = app.readAllStandardOutput();
        QVERIFY2(help.contains("[--tab curves|attention|runs|side-by-side|confusion]"), help.constData());
        QVERIFY2(help.contains("curves, attention, runs, side-by-side or confusion"), help.constData());
        app.start(QStringLiteral(ATTNSCOPE_APP), {QStringLiteral("--tab"), QStringLiteral("heatmap")});
        QVERIFY(app.waitForFinished(60000));
        QCOMPARE(app.exitCode(), 2);
        const QByteArray err = app.readAllStandardError();
        QVERIFY2(err.contains("--tab: \"heatmap\" is not curves, attention, runs, side-by-side or confusion"), err.constData());
    }

    // The Warnings section listed 30 and "and N more warnings" with nowhere
    // to see them: it lists every one up to 500, then says how many more and
    // where all are.
    void summaryViewListsEveryWarning()
    {
        DatasetSummaryView view;
        Dataset data;
        for (int i = 0; i < 40; ++i)
            data.warnings.push_back("wide.csv:1: column " + std::to_string(i + 2) + " is ignored");
        view.setDataset(&data, DatasetSummary{});
        QCOMPARE(view.warningsSection()->title(), QStringLiteral("Warnings (40)"));
        for (int i = 0; i < 40; ++i)
            QVERIFY2(view.warningsText().contains(QStringLiteral("column %1 is ignored").arg(i + 2)), qPrintable(QString::number(i)));
        QVERIFY(!view.warningsText().contains(QStringLiteral("more")));
        for (int i = 40; i < 520; ++i)
            data.warnings.push_back("wide.csv:1: column " + std::to_string(i + 2) + " is ignored");
        view.setDataset(&data, DatasetSummary{});
        QVERIFY(view.warningsText().contains(QStringLiteral("column 501 is ignored")));
        QVERIFY2(view.warningsText().contains(QStringLiteral("and 20 more warnings (<tt>attnscope-cli summary")),
                 qPrintable(view.warningsText().right(200)));
    }

    // attnscope --help aborted without a display (the QApplication came
    // first): --help and --version answer before it.
    void helpNeedsNoDisplay()
    {
        QTemporaryDir dir;
        QProcessEnvironment env = appEnvironment(dir.path());
        env.insert(QStringLiteral("QT_QPA_PLATFORM"), QStringLiteral("xcb"));
        env.remove(QStringLiteral("DISPLAY"));
        env.remove(QStringLiteral("WAYLAND_DISPLAY"));
        QProcess app;
        app.setProcessEnvironment(env);
        for (const QString &option : {QStringLiteral("--help"), QStringLiteral("--version")}) {
            app.start(QStringLiteral(ATTNSCOPE_APP), {option});
            QVERIFY(app.waitForFinished(60000));
            const QByteArray out = app.readAllStandardOutput();
            QVERIFY2(app.exitStatus() == QProcess::NormalExit && app.exitCode() == 0,
                     qPrintable(option + ": " + app.readAllStandardError()));
            QVERIFY2(out.startsWith(option == QLatin1String("--help") ? "Usage: attnscope" : "attnscope "),
                     out.constData());
        }
    }

    void plotOptions()
    {
        LossPlot plot;
        plot.resize(900, 600);
        plot.show();  // laid out: as many columns as pixels
        plot.setTasks({QStringLiteral("a"), QStringLiteral("b")});
        TrainingSnapshot s;
        for (int i = 1; i <= 5000; ++i)
            s.steps.push_back({i, i / 100.0, float(2.0 / i + 0.01), {1.0f / i, 1.0f / i}, 0.003f, 1.0f});
        plot.append(s);
        plot.redraw();
        // Decimated to about one point per pixel column, not 5000.
        QVERIFY(plot.drawnPoints(0) > 450);
        QVERIFY(plot.drawnPoints(0) < 900 + 10);
        plot.setLogScale(true);
        QCOMPARE(plot.plot()->axisRects().first()->axis(QCPAxis::atLeft)->scaleType(), QCPAxis::stLogarithmic);
        plot.setXAxis(LossPlot::XAxis::Epoch);
        plot.redraw();
        QVERIFY(plot.plot()->axisRects().first()->axis(QCPAxis::atBottom)->range().upper < 60);
        plot.setSeriesVisible(1, false);
        QVERIFY(!plot.seriesVisible(1));
        plot.setSmoothing(0.0);  // raw: the smoothed curve is the data
        plot.redraw();
        QVERIFY(plot.drawnPoints(0) > 0);
    }
};

QTEST_MAIN(TestWorkbench)
#include "test_workbench.moc"
