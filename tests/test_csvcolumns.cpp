// Column roles: guessRoles, rule by rule, on a header and rows in memory
// (docs/datasets.md, "Column roles"); for front ends, guessCsvColumns
// reports the roles the reader would give (the same guess as loading),
// columnOptions turns an edited list back into LoadOptions, and loading with
// them gives exactly those roles.
#include "data/columnroles.h"
#include "data/csvreader.h"
#include "dataset.h"
#include "specialfiles.h"

#include <QtTest>

#include <fcntl.h>
#include <unistd.h>

#include <future>
#include <thread>

using namespace attnscope;

namespace {

std::string fixture(const char *name)
{
    return std::string(ATTNSCOPE_SOURCE_DIR) + "/tests/data/csv/" + name;
}

std::string example(const char *name)
{
    return std::string(ATTNSCOPE_SOURCE_DIR) + "/resources/datasets/" + name;
}

// "name:role" per column, for compact comparisons.
QString roles(const std::vector<CsvColumn> &columns)
{
    QStringList out;
    for (const CsvColumn &c : columns)
        out << QString::fromStdString(c.name) + QLatin1Char(':') + QLatin1String(toString(c.role));
    return out.join(QLatin1Char(' '));
}

void setRole(std::vector<CsvColumn> &columns, const std::string &name, ColumnRole role)
{
    for (CsvColumn &c : columns)
        if (c.name == name) c.role = role;
}

std::vector<std::string> cells(const QString &line)
{
    std::vector<std::string> out;
    for (const QString &cell : line.split(QLatin1Char(','))) out.push_back(cell.toStdString());
    return out;
}

// guessRoles on a header and rows written "a,b,c" (no quoting), as "name:role"
// per column; the error, if any, after " | ".
QString guessed(const QString &header, const QStringList &rows, const LoadOptions &options = {},
                ColumnRoles *out = nullptr)
{
    const std::vector<std::string> names = cells(header);
    std::vector<std::vector<std::string>> values;
    for (const QString &row : rows) values.push_back(cells(row));
    const ColumnRoles r = guessRoles(names, values, options);
    if (out) *out = r;
    QStringList shown;
    for (size_t c = 0; c < r.roles.size(); ++c)
        shown << QString::fromStdString(names[c]) + QLatin1Char(':') + QLatin1String(toString(r.roles[c]));
    QString text = shown.join(QLatin1Char(' '));
    if (!r.error.empty()) text += QStringLiteral(" | ") + QString::fromStdString(r.error);
    return text;
}

} // namespace

class TestCsvColumns : public QObject {
    Q_OBJECT

private slots:
    void guessesAsTheReaderDoes_data()
    {
        QTest::addColumn<QString>("path");
        QTest::addColumn<QString>("expected");
        QTest::newRow("text") << QString::fromStdString(example("reviews.csv"))
                              << "text:text sentiment:task topic:task split:split rationale_sentiment:rationale";
        QTest::newRow("tabular") << QString::fromStdString(example("machines.tsv"))
                                 << "id:ignored temperature:feature pressure:feature humidity:feature "
                                    "vibration:feature rpm:feature voltage:feature status:task load_class:task";
        QTest::newRow("tabular, a label_ column") << QString::fromStdString(fixture("tabular.tsv"))
                                                  << "temp:feature pressure:feature flow:feature state:task label_alarm:task";
    }
    void guessesAsTheReaderDoes()
    {
        QFETCH(QString, path);
        QFETCH(QString, expected);
        std::vector<CsvColumn> columns;
        std::string error;
        QVERIFY2(guessCsvColumns(path.toStdString(), {}, &columns, &error), error.c_str());
        QCOMPARE(roles(columns), expected);
        // The loaded dataset agrees with the guess.
        Dataset data;
        QVERIFY2(loadDataset(path.toStdString(), {}, &data, &error), error.c_str());
        std::vector<std::string> tasks, features;
        for (const CsvColumn &c : columns) {
            if (c.role == ColumnRole::Task) tasks.push_back(c.name);
            if (c.role == ColumnRole::Feature) features.push_back(c.name);
        }
        std::sort(tasks.begin(), tasks.end());
        QCOMPARE(int(data.tasks.size()), int(tasks.size()));
        for (size_t t = 0; t < tasks.size(); ++t) QCOMPARE(data.tasks[t].name, tasks[t]);
        QCOMPARE(data.featureNames, features);
    }

    // Each rule of the table in docs/datasets.md, on rows in memory.
    void guessRolesRules_data()
    {
        QTest::addColumn<QString>("header");
        QTest::addColumn<QStringList>("rows");
        QTest::addColumn<QString>("expected");
        const QStringList sentences = {"the battery is fine,a,1", "never again this,b,2", "good value for money,a,3"};
        QTest::newRow("text by name, any case")
            << "Review,label,n" << QStringList{"ok,a,1", "bad,b,2"} << "Review:text label:task n:task";
        QTest::newRow("text by words: 3 or more a value")
            << "words,label,n" << sentences << "words:text label:task n:task";
        QTest::newRow("two words a value are not a text")
            << "words,label,n" << QStringList{"a b,x,1", "c d,y,2"} << "words:task label:task n:feature";
        QTest::newRow("numeric columns are features, others tasks")
            << "x,y2,state" << QStringList{"1,2.5,on", "3,NA,off"} << "x:feature y2:feature state:task";
        QTest::newRow("a numeric column named like a label is a task")
            << "x,label_alarm,y" << QStringList{"1,0,1", "2,1,0"} << "x:feature label_alarm:task y:task";
        QTest::newRow("80 % numbers is numeric")
            << "x,label" << QStringList{"1,a", "2,b", "3,a", "4,b", "oops,a"} << "x:feature label:task";
        QTest::newRow("below 80 % is not")
            << "x,label" << QStringList{"1,a", "2,b", "3,a", "nil,b", "oops,a"}
            << "x:task label:task | no input columns: no text column (a column named \"text\", or one holding "
               "sentences) and no numeric feature columns; name them with --text-column or --feature-columns";
        QTest::newRow("split and rationale columns by name, row indexes ignored")
            << ",id,text,Split,RATIONALE_topic,topic"
            << QStringList{"0,7,fine,train,0-4,a", "1,8,bad,val,,b"}
            << ":ignored id:ignored text:text Split:split RATIONALE_topic:rationale topic:task";
        QTest::newRow("a rationale column without its task")
            << "text,topic,rationale_mood" << QStringList{"fine,a,0-4"}
            << "text:text topic:task rationale_mood:rationale | column 3 (\"rationale_mood\") holds rationales of "
               "task \"mood\", which is not a label column";
        QTest::newRow("two rationale columns of one task")
            << "text,topic,rationale_topic,rationales_topic" << QStringList{"fine,a,,"}
            << "text:text topic:task rationale_topic:rationale rationales_topic:rationale | column 3 "
               "(\"rationale_topic\") and column 4 (\"rationales_topic\") both hold rationales of task \"topic\" "
               "(keep one, or leave one out with --ignore-columns)";
        QTest::newRow("no label columns")
            << "a,b" << QStringList{"1,2"}
            << "a:feature b:feature | no label columns (every column is numeric, so all were taken as features); "
               "name them with --task-columns, or call them label_<task>";
    }
    void guessRolesRules()
    {
        QFETCH(QString, header);
        QFETCH(QStringList, rows);
        QFETCH(QString, expected);
        QCOMPARE(guessed(header, rows), expected);
    }

    // Issue 15: an ID column, a second free-text column and a column of
    // hundreds of classes were made tasks. Judged from 20 rows up, they are
    // left out with a note that names them; logical columns are features.
    void unlikelyTasksAreIgnored()
    {
        QStringList rows;
        for (int r = 0; r < 250; ++r)
            rows << QStringLiteral("the text number %1 here,id%2,a note that says number %3,cls%4,%5,%6,%7")
                        .arg(r).arg(r * 7).arg(r % 200).arg(r).arg(r % 3 ? "a" : "b")
                        .arg(r % 2 ? "TRUE" : "false").arg(r % 4 ? "yes" : "No");
        ColumnRoles r;
        QCOMPARE(guessed("text,ref,note,species,label,flag,smoker", rows, {}, &r),
                 QStringLiteral("text:text ref:ignored note:ignored species:ignored label:task flag:task smoker:task"));
        QCOMPARE(r.ignored, (std::vector<std::string>{
            "column 2 (\"ref\") is ignored as a task (a different value in each of the first 250 rows, like an ID); "
            "name it with --task-columns to learn it anyway",
            "column 3 (\"note\") is ignored as a task (free text, 6.0 words a value, 200 different in 250 rows); "
            "name it with --task-columns to learn it anyway",
            "column 4 (\"species\") is ignored as a task (a different value in each of the first 250 rows, like an "
            "ID); name it with --task-columns to learn it anyway"}));
        // The window's words point at its column table.
        LoadOptions window;
        window.advice = LoadOptions::Advice::ColumnTable;
        guessed("text,ref,note,species,label,flag,smoker", rows, window, &r);
        QVERIFY2(r.ignored[0].find("give it the task role in the column table") != std::string::npos, r.ignored[0].c_str());
        QCOMPARE(guessed("x,ref", rows.mid(0, 30).replaceInStrings(QRegularExpression("^[^,]*,([^,]*),.*$"), "1,\\1"), window),
                 QStringLiteral("x:feature ref:ignored | no label columns (the columns left do not look like labels: "
                                "column 2 (\"ref\"): a different value in each of the first 30 rows, like an ID); "
                                "give columns the task role in the column table, or call them label_<task>"));
        // Two rationale columns of one task: no command-line option in the window.
        QCOMPARE(guessed("text,topic,rationale_topic,rationales_topic", {"fine,a,,"}, window),
                 QStringLiteral("text:text topic:task rationale_topic:rationale rationales_topic:rationale | column 3 "
                                "(\"rationale_topic\") and column 4 (\"rationales_topic\") both hold rationales of task "
                                "\"topic\" (keep one, or give the other the ignore role in the column table)"));
        // Hundreds of classes, some shared: too many.
        QStringList many;
        for (int i = 0; i < 400; ++i)
            many << QStringLiteral("%1,c%2,%3").arg(i % 10).arg(i % 300).arg(i % 2);
        QCOMPARE(guessed("x,kind,label", many, {}, &r), QStringLiteral("x:feature kind:ignored label:task"));
        QVERIFY2(r.ignored[0].find("300 different values in the first 400 rows, too many to learn as classes")
                     != std::string::npos, r.ignored[0].c_str());
        // Named as a task, a column is never judged; a small file keeps its columns.
        LoadOptions named;
        named.taskColumns = {"ref", "label"};
        QCOMPARE(guessed("text,ref,note,species,label,flag,smoker", rows, named),
                 QStringLiteral("text:text ref:task note:ignored species:ignored label:task flag:ignored smoker:ignored"));
        QCOMPARE(guessed("text,ref,label", rows.mid(0, 19).replaceInStrings(QRegularExpression(",[^,]*,[^,]*,([^,]*),.*$"), ",\\1,a")),
                 QStringLiteral("text:text ref:task label:task"));
        // Logical values are numbers: a table's yes/no and TRUE/FALSE columns are features.
        QStringList table;
        for (int i = 0; i < 30; ++i)
            table << QStringLiteral("%1,%2,%3,%4").arg(i).arg(i % 2 ? "TRUE" : "FALSE").arg(i % 3 ? "y" : "n").arg(i % 2 ? "up" : "down");
        QCOMPARE(guessed("age,smoker,married,state", table), QStringLiteral("age:feature smoker:feature married:feature state:task"));
    }

    // accept25 D5: a free-text column whose most rows hold one placeholder
    // ("no example given here", or "none") was a task of hundreds of classes,
    // since the placeholder made the values repeat. The other values decide.
    void placeholdersDoNotHideFreeText()
    {
        QStringList rows;
        for (int r = 0; r < 300; ++r)
            rows << QStringLiteral("a gloss that defines sense %1,%2,%3,%4")
                        .arg(r)
                        .arg(r % 3 ? QStringLiteral("no example given here") : QStringLiteral("he ran number %1 home").arg(r))
                        .arg(r % 3 ? QStringLiteral("none") : QStringLiteral("said %1 times today").arg(r))
                        .arg(r % 2 ? "n" : "v");
        ColumnRoles r;
        QCOMPARE(guessed("definition,example,notes,pos", rows, {}, &r),
                 QStringLiteral("definition:text example:ignored notes:ignored pos:task"));
        QCOMPARE(r.ignored, (std::vector<std::string>{
            "column 2 (\"example\") is ignored as a task (free text, 5.0 words a value, 100 different in the 100 rows "
            "not holding \"no example given here\"); name it with --task-columns to learn it anyway",
            "column 3 (\"notes\") is ignored as a task (free text, 4.0 words a value, 100 different in the 100 rows "
            "not holding \"none\"); name it with --task-columns to learn it anyway"}));
        // A label with a frequent class and a few rare ones stays a task.
        QStringList labels;
        for (int r = 0; r < 300; ++r)
            labels << QStringLiteral("some words of text %1,%2").arg(r).arg(r % 10 ? QStringLiteral("common")
                                                                             : QStringLiteral("rare%1").arg(r % 7));
        QCOMPARE(guessed("text,kind", labels), QStringLiteral("text:text kind:task"));
    }

    // accept25 D13: in the weather table the yes/no label "play", the last
    // column, was read as a feature and "outlook" learned from it, silently.
    // The last column's logical values are the label; other logical
    // columns are features, and a note names them and the tasks.
    void aLogicalLastColumnIsTheLabel()
    {
        const QStringList weather = {"sunny,85,85,FALSE,no", "sunny,80,90,TRUE,no", "overcast,83,86,FALSE,yes",
                                     "rainy,70,96,FALSE,yes", "rainy,68,80,FALSE,yes", "rainy,65,70,TRUE,no"};
        ColumnRoles r;
        QCOMPARE(guessed("outlook,temperature,humidity,windy,play", weather, {}, &r),
                 QStringLiteral("outlook:task temperature:feature humidity:feature windy:feature play:task"));
        QCOMPARE(r.ignored, (std::vector<std::string>{
            "column 4 (\"windy\") holds logical values (yes/no, true/false) and is read as a feature (1 and 0), the "
            "tasks are column 1 (\"outlook\"), column 5 (\"play\"); name the label with --task-columns if it is "
            "one of them"}));
        // Without outlook, play alone is the task.
        QStringList noOutlook = weather;
        noOutlook.replaceInStrings(QRegularExpression("^[a-z]+,"), "");
        QCOMPARE(guessed("temperature,humidity,windy,play", noOutlook, {}, &r),
                 QStringLiteral("temperature:feature humidity:feature windy:feature play:task"));
        QCOMPARE(r.ignored.size(), size_t(1));
        // A last column of numbers stays a feature; 0/1 are numbers, not logical words.
        QCOMPARE(guessed("state,x,flag", {"on,1,0", "off,2,1"}, {}, &r), QStringLiteral("state:task x:feature flag:feature"));
        QVERIFY(r.ignored.empty());
        // Logical features before a label: named once, in the window's words too.
        LoadOptions window;
        window.advice = LoadOptions::Advice::ColumnTable;
        QCOMPARE(guessed("smoker,married,age,state", {"yes,n,30,up", "No,y,41,down"}, window, &r),
                 QStringLiteral("smoker:feature married:feature age:feature state:task"));
        QCOMPARE(r.ignored, (std::vector<std::string>{
            "column 1 (\"smoker\"), column 2 (\"married\") hold logical values (yes/no, true/false) and are read "
            "as features (1 and 0), the task is column 4 (\"state\"); give the label the task role in the column "
            "table if it is one of them"}));
    }

    void guessRolesOrderAndNotes()
    {
        // Tasks in the byte order of their names, each with its rationale
        // column; row indexes noted.
        ColumnRoles r;
        QCOMPARE(guessed("id,text,zeta,Alpha,rationale_zeta", {"1,fine,a,b,0-4"}, {}, &r),
                 QStringLiteral("id:ignored text:text zeta:task Alpha:task rationale_zeta:rationale"));
        QCOMPARE(r.text, 1);
        QCOMPARE(r.tasks, (std::vector<int>{3, 2}));
        QCOMPARE(r.rationales, (std::vector<int>{-1, 4}));
        QCOMPARE(r.ignored, (std::vector<std::string>{"column 1 \"id\" looks like a row index and is ignored"}));

        // Named tasks: the other columns (and rationales of other tasks) are
        // left out, each with a note; the input is still guessed.
        LoadOptions o;
        o.taskColumns = {"zeta"};
        QCOMPARE(guessed("text,zeta,Alpha,rationale_Alpha", {"fine,a,b,0-4"}, o, &r),
                 QStringLiteral("text:text zeta:task Alpha:ignored rationale_Alpha:ignored"));
        QCOMPARE(r.ignored, (std::vector<std::string>{
                                "column 3 (\"Alpha\") is ignored (not one of the task columns)",
                                "column 4 (\"rationale_Alpha\") is ignored (its task is not one of the task columns)"}));

        // Named input: every other free column is a task, in name order.
        o = {};
        o.featureColumns = {"b", "a"};
        QCOMPARE(guessed("a,b,z,y", {"1,2,3,4"}, o, &r), QStringLiteral("a:feature b:feature z:task y:task"));
        QCOMPARE(r.features, (std::vector<int>{1, 0}));
        QCOMPARE(r.tasks, (std::vector<int>{3, 2}));
    }

    void guessRolesOptionErrors()
    {
        ColumnRoles r;
        LoadOptions o;
        o.textColumn = "a";
        o.featureColumns = {"b"};
        QCOMPARE(guessed("a,b,c", {"x,1,y"}, o, &r),
                 QStringLiteral(" | give either a text column or feature columns, not both"));
        QVERIFY(!r.errorAtHeader); // about the options, not the file's header
        QVERIFY(r.roles.empty());

        o = {};
        o.taskColumns = {"nope"};
        QCOMPARE(guessed("a,b", {"x,y"}, o, &r),
                 QStringLiteral(" | task column: no column named \"nope\" (the columns are a, b)"));
        QVERIFY(r.errorAtHeader);

        o = {};
        o.textColumn = "a";
        o.taskColumns = {"a"};
        QCOMPARE(guessed("a,b", {"x,y"}, o), QStringLiteral(" | column 1 (\"a\") is given two roles"));

        // Ignoring a column twice is no conflict.
        o = {};
        o.ignoredColumns = {"b", "b"};
        QCOMPARE(guessed("text,b,label", {"fine,1,x"}, o), QStringLiteral("text:text b:ignored label:task"));
    }

    void numericAndExamples()
    {
        std::vector<CsvColumn> columns;
        std::string error;
        QVERIFY(guessCsvColumns(fixture("tabular.tsv"), {}, &columns, &error));
        QCOMPARE(columns.size(), size_t(5));
        QVERIFY(columns[0].numeric);
        QVERIFY(!columns[3].numeric);
        QCOMPARE(columns[0].example, std::string("1.5"));
        QCOMPARE(columns[1].example, std::string("3"));  // the first non-empty value
    }

    void explicitRolesAreKept()
    {
        LoadOptions o;
        o.taskColumns = {"topic"};
        std::vector<CsvColumn> columns;
        std::string error;
        QVERIFY2(guessCsvColumns(example("reviews.csv"), o, &columns, &error), error.c_str());
        // sentiment is not a task now, and its rationales have no task: both ignored.
        QCOMPARE(roles(columns),
                 QStringLiteral("text:text sentiment:ignored topic:task split:split rationale_sentiment:ignored"));
    }

    void roundTrip()
    {
        std::vector<CsvColumn> columns;
        std::string error;
        QVERIFY(guessCsvColumns(example("reviews.csv"), {}, &columns, &error));
        setRole(columns, "topic", ColumnRole::Ignored);
        setRole(columns, "split", ColumnRole::Ignored);
        const LoadOptions o = columnOptions(columns);
        QCOMPARE(o.textColumn, std::string("text"));
        QCOMPARE(o.taskColumns, std::vector<std::string>{"sentiment"});
        QVERIFY(o.splitColumn.empty());
        QCOMPARE(o.ignoredColumns, (std::vector<std::string>{"topic", "split"}));

        Dataset data;
        QVERIFY2(loadDataset(example("reviews.csv"), o, &data, &error), error.c_str());
        QCOMPARE(data.tasks.size(), size_t(1));
        QCOMPARE(data.tasks[0].name, std::string("sentiment"));
        QVERIFY(data.hasRationales());  // rationale_sentiment still found by its name
        for (const Sample &s : data.samples) QCOMPARE(s.split, -1);  // the split column was ignored
        QVERIFY(data.warnings.empty() || std::none_of(data.warnings.begin(), data.warnings.end(), [](const std::string &w) {
                    return w.find("ignored") != std::string::npos;
                }));

        // Guessing again with those options gives back the edited roles.
        std::vector<CsvColumn> again;
        QVERIFY(guessCsvColumns(example("reviews.csv"), o, &again, &error));
        QCOMPARE(roles(again), roles(columns));

        // An ignored rationale column is not read.
        setRole(columns, "rationale_sentiment", ColumnRole::Ignored);
        QVERIFY(loadDataset(example("reviews.csv"), columnOptions(columns), &data, &error));
        QVERIFY(!data.hasRationales());
    }

    void tabularRoundTrip()
    {
        std::vector<CsvColumn> columns;
        std::string error;
        QVERIFY(guessCsvColumns(example("machines.tsv"), {}, &columns, &error));
        setRole(columns, "humidity", ColumnRole::Ignored);
        setRole(columns, "load_class", ColumnRole::Ignored);
        Dataset data;
        QVERIFY2(loadDataset(example("machines.tsv"), columnOptions(columns), &data, &error), error.c_str());
        QCOMPARE(data.input, InputKind::Tabular);
        QCOMPARE(data.featureNames,
                 (std::vector<std::string>{"temperature", "pressure", "vibration", "rpm", "voltage"}));
        QCOMPARE(data.tasks.size(), size_t(1));
        QCOMPARE(data.tasks[0].name, std::string("status"));
        QCOMPARE(data.samples[0].features.size(), size_t(5));
    }

    void problemsStillNameTheColumns()
    {
        // No label columns: the guess fails, but the columns are there to fix.
        std::vector<CsvColumn> columns;
        std::string error;
        QVERIFY(!guessCsvColumns(fixture("no_labels.csv"), {}, &columns, &error));
        QVERIFY2(error.find("no label columns") != std::string::npos, error.c_str());
        QCOMPARE(roles(columns), QStringLiteral("a:feature b:feature c:feature"));
        setRole(columns, "c", ColumnRole::Task);
        Dataset data;
        QVERIFY2(loadDataset(fixture("no_labels.csv"), columnOptions(columns), &data, &error), error.c_str());
        QCOMPARE(data.tasks.size(), size_t(1));

        // A ragged row before the roles are decided: the header's names only.
        QVERIFY(!guessCsvColumns(fixture("ragged.csv"), {}, &columns, &error));
        QVERIFY2(error.find("ragged.csv:3:") != std::string::npos, error.c_str());
        QCOMPARE(roles(columns), QStringLiteral("text:ignored label:ignored"));

        // A file that cannot be read: no columns.
        QVERIFY(!guessCsvColumns(fixture("does_not_exist.csv"), {}, &columns, &error));
        QVERIFY(columns.empty());
        QVERIFY(!error.empty());

        // An option naming no column.
        LoadOptions o;
        o.ignoredColumns = {"nope"};
        QVERIFY(!guessCsvColumns(example("reviews.csv"), o, &columns, &error));
        QVERIFY2(error.find("ignored column: no column named \"nope\"") != std::string::npos, error.c_str());
    }

    void stopsAfterTheGuessRows()
    {
        // A bad value after the first 1000 rows fails loading, not guessing.
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("late.csv"));
        QFile f(path);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write("x,z,label\n");
        for (int i = 0; i < 1500; ++i) f.write(QByteArray::number(i) + "," + QByteArray::number(i % 7) + "," + (i % 2 ? "a" : "b") + "\n");
        f.write("oops,1,a\n");
        f.close();
        std::vector<CsvColumn> columns;
        std::string error;
        QVERIFY2(guessCsvColumns(path.toStdString(), {}, &columns, &error), error.c_str());
        QCOMPARE(roles(columns), QStringLiteral("x:feature z:feature label:task"));
        Dataset data;
        QVERIFY(!loadDataset(path.toStdString(), columnOptions(columns), &data, &error));
        QVERIFY2(error.find("late.csv:1502:") != std::string::npos, error.c_str());
    }
    // The window guesses a CSV's roles before it loads it, and the guess went
    // to the file without loadDataset's check: on a FIFO it waited in open()
    // for a writer, with the window's loader (and, for --screenshot, the GUI
    // thread) behind it. A writer that turns up after 3 s lets a reader that
    // waited finish (on an empty file), so this fails instead of hanging.
    void fifoRefusedWithoutOpening()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath("pipe.csv");
        if (!makeFifo(path)) QSKIP("cannot make a FIFO here");
        std::promise<void> finished;
        std::thread writer([&, done = finished.get_future()] {
            if (done.wait_for(std::chrono::seconds(3)) == std::future_status::ready) return;
            // Keep opening until a blocked reader is there to meet it (ENXIO until then).
            while (done.wait_for(std::chrono::milliseconds(50)) != std::future_status::ready) {
                const int fd = ::open(path.toLocal8Bit().constData(), O_WRONLY | O_NONBLOCK);
                if (fd >= 0) ::close(fd);
            }
        });
        std::vector<CsvColumn> columns;
        std::string error;
        const bool guessed = guessCsvColumns(path.toStdString(), {}, &columns, &error);
        Dataset d;
        std::string loadError;
        const bool loaded = loadDataset(path.toStdString(), LoadOptions(), &d, &loadError);
        finished.set_value();
        writer.join();
        QVERIFY(!guessed);
        QCOMPARE(QString::fromStdString(error), path + ": is a FIFO (named pipe), not a regular file");
        QVERIFY(!loaded);
        QCOMPARE(QString::fromStdString(loadError), path + ": is a FIFO (named pipe), not a regular file");
    }
};

QTEST_MAIN(TestCsvColumns)
#include "test_csvcolumns.moc"
