// ThreadPool (core/parallel.h): every part of a run runs exactly once, and
// run() returns only when all are done, for any number of parts and however
// the parts' lengths and the threads' timing fall; which thread ran a part
// does not change what it computed.

#include "parallel.h"

#include <QTest>

#include <atomic>
#include <cstdint>
#include <thread>
#include <vector>

using namespace attnscope;

class TestParallel : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void everyPartRunsOnce();
    void partsRunOnTheCallerAndTheWorkers();
    void workersWakeAfterLookingAndSleeping();
    void poolEndsWhileItsWorkersLook();
};

// 400 runs at each of 1 to 6 parts, on one pool (its workers reused, more of
// them than a run of few parts needs), parts of uneven lengths: after each
// run every part has run once, and its result is there.
void TestParallel::everyPartRunsOnce()
{
    ThreadPool pool;
    for (int parts = 1; parts <= 6; ++parts)
        for (int r = 0; r < 400; ++r) {
            std::vector<std::atomic<int>> runs(static_cast<size_t>(parts));
            std::vector<uint64_t> results(static_cast<size_t>(parts), 0);
            pool.run(parts, [&](int part) {
                uint64_t x = uint64_t(part) + 1;
                for (int k = 0; k < 200 * ((part * 7 + r) % 5); ++k) x = x * 6364136223846793005ull + 1442695040888963407ull;
                results[size_t(part)] = x;
                runs[size_t(part)].fetch_add(1);
            });
            for (int part = 0; part < parts; ++part) {
                QCOMPARE(runs[size_t(part)].load(), 1);
                uint64_t x = uint64_t(part) + 1;
                for (int k = 0; k < 200 * ((part * 7 + r) % 5); ++k) x = x * 6364136223846793005ull + 1442695040888963407ull;
                QCOMPARE(results[size_t(part)], x);
            }
        }
}

// A part that waits for another's result still gets it: the parts of a run
// are not left to one thread in turn. Part 0, the calling thread's (it
// claims first), waits until part 1 has run, on another thread.
void TestParallel::partsRunOnTheCallerAndTheWorkers()
{
    ThreadPool pool;
    const std::thread::id caller = std::this_thread::get_id();
    for (int r = 0; r < 200; ++r) {
        std::atomic<bool> oneDone{false};
        std::vector<std::thread::id> ranOn(4);
        pool.run(4, [&](int part) {
            ranOn[size_t(part)] = std::this_thread::get_id();
            if (part == 0)
                while (!oneDone.load()) std::this_thread::yield();
            if (part == 1) oneDone.store(true);
        });
        QCOMPARE(ranOn[0], caller);
        QVERIFY(ranOn[1] != caller);
    }
}

// A worker that has finished looks for the next run for ThreadPool::SpinFor,
// then sleeps: a run posted while it looks and one posted after it has gone
// to sleep both reach it (part 0, the caller's, waits for part 1, which only
// the worker can run: a run that did not reach it would not return).
void TestParallel::workersWakeAfterLookingAndSleeping()
{
    ThreadPool pool;
    for (int r = 0; r < 40; ++r) {
        // every other run once the worker sleeps
        if (r % 2) QTRY_VERIFY_WITH_TIMEOUT(pool.sleeping() == 1, 10000);
        std::atomic<bool> oneDone{false};
        pool.run(2, [&](int part) {
            if (part == 0)
                while (!oneDone.load()) std::this_thread::yield();
            if (part == 1) oneDone.store(true);
        });
    }
}

// Destroying a pool right after a run, its workers still looking for work,
// ends them, over and over (a pool that did not would hang the test until
// its time-out).
void TestParallel::poolEndsWhileItsWorkersLook()
{
    for (int r = 0; r < 200; ++r) {
        std::atomic<int> ran{0};
        {
            ThreadPool pool;
            pool.run(3, [&](int) { ran.fetch_add(1); });
        }
        QCOMPARE(ran.load(), 3);
    }
}

QTEST_GUILESS_MAIN(TestParallel)
#include "test_parallel.moc"
