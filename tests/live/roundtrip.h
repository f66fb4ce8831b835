// How a test waits for "nothing happened" on the training worker: a round
// trip through it. Included by tests/live/ and tests/ui/ suites.
#pragma once

#include "trainingcontroller.h"

#include <QtTest>

namespace attnscope {

// A probe-editor input, queued behind every request sent before it and
// answered at once when the worker is idle (between two steps when it
// trains). Returns the step of the weights it was run with; when it is back,
// every snapshot and signal the worker sent before it has arrived too (one
// thread, one queue): the worker has had its chance to act. -1: no answer
// within timeoutMs.
inline int64_t roundTrip(TrainingController &c, int timeoutMs = 20000)
{
    static int nextId = 1000;
    ProbeInput input;
    input.id = ++nextId;
    input.text = "round trip";
    int64_t step = -1;
    const QMetaObject::Connection connection = QObject::connect(
        &c, &TrainingController::probeInputReady, &c, [&](SnapshotPtr result, int id, std::shared_ptr<const TrainingSetup>) {
            if (id == input.id)
                step = result->step;
        });
    c.setProbeInput(input);
    (void)QTest::qWaitFor([&step]() { return step >= 0; }, timeoutMs);
    QObject::disconnect(connection);
    return step;
}

} // namespace attnscope
