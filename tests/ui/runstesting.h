// What the suites of the session's runs share: stepping the window's run,
// and a session file of runs as attnscope-cli writes one.
#pragma once

#include "mainwindow.h"
#include "sessionwriter.h"

#include <QStringList>
#include <QtTest>

#include <initializer_list>

namespace attnscope {

// Steps the window's current run `count` times, waiting for each.
inline bool stepWindow(MainWindow &window, int count)
{
    for (int i = 0; i < count; ++i) {
        const int64_t before = window.training()->currentStep();
        window.stepAction()->trigger();
        if (!QTest::qWaitFor([&] { return window.training()->currentStep() == before + 1
                                          && window.training()->state() == TrainingWorker::State::Paused; }, 10000))
            return false;
    }
    return true;
}

// A session file of one run per name (its attention mode, when it names
// one) on `dataset` with reviews' three tasks: 50 steps and an evaluation
// at step 50 each, the validation loss `loss` for the first run and `rise`
// more for each next one. False (and a test failure's message) when it
// could not be written.
inline bool writeRunsSession(const QString &file, const QString &dataset, std::initializer_list<const char *> names,
                             double loss = 0.5, double rise = 0.0)
{
    SessionWriter writer;
    QString error;
    if (!writer.open(file, &error)) {
        qWarning("%s", qPrintable(error));
        return false;
    }
    for (const char *name : names) {
        RunRecord r;
        r.name = QString::fromLatin1(name);
        parseAttentionMode(name, &r.model.mode);
        r.dataset = dataset;
        r.tasks = {QStringLiteral("sentiment"), QStringLiteral("topic"), QStringLiteral("urgency")};
        writer.addRun(&r);
        TrainingSnapshot s;
        for (int64_t i = 1; i <= 50; ++i)
            s.steps.push_back({i, double(i) / 50, 2.0f / float(i), {0.7f / float(i), 1.0f / float(i), 0.3f}, 0.003f, 1.0f});
        s.evals.push_back({50, 1.0, loss, {0.1, 0.2, 0.3}, {0.9, 0.8, 0.7}, {}, {}});
        writer.appendSnapshot(r.id, s);
        loss += rise;
    }
    return true;
}

} // namespace attnscope
