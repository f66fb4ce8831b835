// Guided lessons (core/lesson.h, docs/lessons.md): the built-in lessons in
// resources/lessons read whole, four of them at least, each step with its
// text and what it applies; a broken lesson is refused with its file, the
// line of the value at fault and what is wrong. (tests/ui/test_lessons.cpp
// applies every step in the window.)
#include "lesson.h"

#include <QDir>
#include <QRegularExpression>
#include <QtTest>

using namespace attnscope;

class TestLesson : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void builtinLessonsRead();
    void fieldsAreRead();
    void brokenLessonsAreRefused_data();
    void brokenLessonsAreRefused();
    void fileChecks();
};

void TestLesson::builtinLessonsRead()
{
    const QDir dir(QStringLiteral(ATTNSCOPE_SOURCE_DIR "/resources/lessons"));
    const QStringList files = dir.entryList({QStringLiteral("*.json")}, QDir::Files, QDir::Name);
    QVERIFY2(files.size() >= 4, qPrintable(files.join(QStringLiteral(", "))));
    for (const QString &file : files) {
        Lesson lesson;
        std::string error;
        QVERIFY2(readLessonFile(dir.filePath(file).toStdString(), &lesson, &error), error.c_str());
        QVERIFY(!lesson.title.empty() && !lesson.summary.empty());
        QVERIFY(lesson.steps.size() >= 3);
        for (const LessonStep &step : lesson.steps) {
            QVERIFY(!step.title.empty() && !step.text.empty() && !step.look.empty());
            QVERIFY(step.line > 1);
        }
        // The first step sets the scene: the data, and what to show.
        QVERIFY2(!lesson.steps.front().data.empty(), qPrintable(file));
        QVERIFY2(!lesson.steps.front().view.empty(), qPrintable(file));
    }
}

void TestLesson::fieldsAreRead()
{
    const std::string text = R"({"title": "T", "summary": "S", "steps": [
  {"title": "one", "text": "first"},
  {"title": "two", "text": "second", "look": "there", "data": "builtin:reviews?n=300",
   "model": {"layers": 1, "heads": 2, "dim": 16, "max_len": 32, "mode": "gated"},
   "training": {"lr": 0.01, "rationale_weight": 1.5, "speed": 0, "epochs": 30},
   "new_run": true, "train_to": 120, "view": "attention", "attention_view": "self-attention",
   "score": "integrated", "compare_score": "rollout", "probe_text": "not good", "sample_with": "not"},
  {"title": "three", "text": "third", "compare": "learning rates", "view": "side by side"}
]})";
    Lesson lesson;
    std::string error;
    QVERIFY2(parseLesson(text, "t.json", &lesson, &error), error.c_str());
    QCOMPARE(lesson.steps.size(), size_t(3));
    const LessonStep &one = lesson.steps[0], &two = lesson.steps[1], &three = lesson.steps[2];
    QCOMPARE(one.line, 2);
    QVERIFY(!one.layers && !one.lr && !one.newRun && one.trainTo == 0 && one.data.empty());
    QCOMPARE(two.line, 3);
    QCOMPARE(two.data, std::string("builtin:reviews?n=300"));
    QCOMPARE(*two.layers, 1);
    QCOMPARE(*two.heads, 2);
    QCOMPARE(*two.dim, 16);
    QCOMPARE(*two.maxLen, 32);
    QVERIFY(*two.mode == AttentionMode::Gated);
    QCOMPARE(*two.lr, 0.01);
    QCOMPARE(*two.rationaleWeight, 1.5);
    QCOMPARE(*two.speed, 0.0);
    QCOMPARE(*two.epochs, 30);
    QVERIFY(!one.epochs);
    QVERIFY(two.newRun);
    QCOMPARE(two.trainTo, int64_t(120));
    QCOMPARE(two.view, std::string("attention"));
    QCOMPARE(two.attentionView, std::string("self-attention"));
    QCOMPARE(two.score, std::string("integrated"));
    QCOMPARE(two.compareScore, std::string("rollout"));
    QVERIFY(one.compareScore.empty());
    QCOMPARE(two.probeText, std::string("not good"));
    QCOMPARE(two.sampleWith, std::string("not"));
    QCOMPARE(three.compare, std::string("learning rates"));
    QCOMPARE(three.view, std::string("side by side"));
}

void TestLesson::brokenLessonsAreRefused_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<QString>("message");
    const QString head = QStringLiteral("{\"title\": \"T\",\n \"steps\": [\n");
    QTest::newRow("not JSON") << QStringLiteral("{\"title\": \"T\",\n \"steps\": [,]}")
                              << QStringLiteral("^l.json:2: unexpected character ','");
    QTest::newRow("not an object") << QStringLiteral("[1, 2]") << QStringLiteral("^l.json:1: a lesson is an object");
    QTest::newRow("no steps") << QStringLiteral("{\"title\": \"T\"}") << QStringLiteral("^l.json:1: the lesson has no \"steps\"");
    QTest::newRow("empty steps") << QStringLiteral("{\"title\": \"T\",\n\"steps\": []}")
                                 << QStringLiteral("^l.json:2: \"steps\" is a list of at least one step");
    QTest::newRow("unknown key") << head + QStringLiteral("  {\"title\": \"a\", \"text\": \"b\"},\n  {\"title\": \"a\",\n   \"txt\": \"b\"}]}")
                                 << QStringLiteral("^l.json:5: step 2: unknown key \"txt\" in a step \\(known: \"title\", ");
    QTest::newRow("missing text") << head + QStringLiteral("  {\"title\": \"a\"}]}")
                                  << QStringLiteral("^l.json:3: step 1: \"text\" is missing");
    QTest::newRow("layers out of range") << head + QStringLiteral("  {\"title\": \"a\", \"text\": \"b\",\n   \"model\": {\"layers\": 12}}]}")
                                         << QStringLiteral("^l.json:4: step 1: \"layers\" is 12, outside 0 to 8");
    QTest::newRow("layers not whole") << head + QStringLiteral("  {\"title\": \"a\", \"text\": \"b\", \"model\": {\"layers\": 1.5}}]}")
                                      << QStringLiteral("^l.json:3: step 1: \"layers\" is a whole number, not 1.5");
    QTest::newRow("unknown view") << head + QStringLiteral("  {\"title\": \"a\", \"text\": \"b\",\n\n \"view\": \"graphs\"}]}")
                                  << QStringLiteral("^l.json:5: step 1: \"view\" is \"curves\", \"attention\", \"runs\" or "
                                                    "\"side by side\", not \"graphs\"");
    QTest::newRow("unknown mode") << head + QStringLiteral("  {\"title\": \"a\", \"text\": \"b\", \"model\": {\"mode\": \"all\"}}]}")
                                  << QStringLiteral("^l.json:3: step 1: \"mode\" is \"task\", \"shared\", \"gated\" or \"uniform\"");
    QTest::newRow("unknown score") << head + QStringLiteral("  {\"title\": \"a\", \"text\": \"b\", \"score\": \"random\"}]}")
                                   << QStringLiteral("^l.json:3: step 1: \"score\" is \"attention\", ");
    QTest::newRow("unknown compare_score")
        << head + QStringLiteral("  {\"title\": \"a\", \"text\": \"b\",\n   \"compare_score\": \"saliency\"}]}")
        << QStringLiteral("^l.json:4: step 1: \"compare_score\" is \"attention\", .* not \"saliency\"");
    QTest::newRow("lr a string") << head + QStringLiteral("  {\"title\": \"a\", \"text\": \"b\", \"training\": {\"lr\": \"0.1\"}}]}")
                                 << QStringLiteral("^l.json:3: step 1: \"lr\" is a number, not a string");
    QTest::newRow("epochs 0") << head + QStringLiteral("  {\"title\": \"a\", \"text\": \"b\",\n   \"training\": {\"epochs\": 0}}]}")
                              << QStringLiteral("^l.json:4: step 1: \"epochs\" is 0, outside 1 to 100000");
    QTest::newRow("epochs not whole") << head + QStringLiteral("  {\"title\": \"a\", \"text\": \"b\", \"training\": {\"epochs\": 2.5}}]}")
                                      << QStringLiteral("^l.json:3: step 1: \"epochs\" is a whole number, not 2.5");
    QTest::newRow("epochs a string") << head + QStringLiteral("  {\"title\": \"a\", \"text\": \"b\", \"training\": {\"epochs\": \"30\"}}]}")
                                     << QStringLiteral("^l.json:3: step 1: \"epochs\" is a whole number, not a string");
    QTest::newRow("train_to 0") << head + QStringLiteral("  {\"title\": \"a\", \"text\": \"b\", \"train_to\": 0}]}")
                                << QStringLiteral("^l.json:3: step 1: \"train_to\" is 0, outside 1 to ");
    QTest::newRow("new_run a number") << head + QStringLiteral("  {\"title\": \"a\", \"text\": \"b\", \"new_run\": 1}]}")
                                      << QStringLiteral("^l.json:3: step 1: \"new_run\" is true or false, not a number");
    QTest::newRow("step a string") << QStringLiteral("{\"title\": \"T\",\n\"steps\": [\"x\"]}")
                                   << QStringLiteral("^l.json:2: step 1: a step is an object, not a string");
}

void TestLesson::brokenLessonsAreRefused()
{
    QFETCH(QString, text);
    QFETCH(QString, message);
    Lesson lesson;
    lesson.title = "kept";
    std::string error;
    QVERIFY(!parseLesson(text.toStdString(), "l.json", &lesson, &error));
    QVERIFY2(QRegularExpression(message).match(QString::fromStdString(error)).hasMatch(), error.c_str());
    QCOMPARE(lesson.title, std::string("kept"));  // left as it was
}

void TestLesson::fileChecks()
{
    Lesson lesson;
    std::string error;
    QVERIFY(!readLessonFile("/dev/zero", &lesson, &error));
    QVERIFY2(error.find("not a regular file") != std::string::npos, error.c_str());
    QVERIFY(!parseLesson(std::string("{\"title\": \"\xff\"}"), "bad.json", &lesson, &error));
    QVERIFY2(error == "bad.json:1: invalid UTF-8", error.c_str());
}

QTEST_MAIN(TestLesson)
#include "test_lesson.moc"
