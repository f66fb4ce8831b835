// ProbeSet::choose (attnscope_live alone, no widget): the probes cover every
// class of every task where the budget allows, round-robin over the tasks,
// the most frequent classes first, and a sample chosen for one task's class
// is one that also covers a class of the other tasks still without a probe.
#include "probeset.h"

#include <QtTest>

#include <utility>
#include <vector>

using namespace attnscope;

namespace {

// Samples with these labels (task A, task B), in this order.
EncodedDataset labelled(const std::vector<std::pair<int, int>> &labels)
{
    EncodedDataset data;
    data.tasks = 2;
    for (const auto &[a, b] : labels) {
        EncodedSample s;
        s.ids = {2};
        s.mask = {1};
        s.labels = {a, b};
        s.index = int(data.samples.size());
        data.samples.push_back(s);
    }
    return data;
}

std::vector<TaskInfo> twoTasks(int classesA, int classesB)
{
    std::vector<TaskInfo> tasks(2);
    tasks[0].name = std::string(1, 'A');  // not = "A": GCC 12 warns falsely (-Wrestrict) once inlined
    tasks[1].name = std::string(1, 'B');
    for (int c = 0; c < classesA; ++c)
        tasks[0].classes.push_back(std::string("a").append(std::to_string(c)));
    for (int c = 0; c < classesB; ++c)
        tasks[1].classes.push_back(std::string("b").append(std::to_string(c)));
    return tasks;
}

} // namespace

class TestProbeSet : public QObject {
    Q_OBJECT

private slots:
    // Three probes cover A's two classes and B's three: a0's probe carries
    // b0, a1's b1, and b2's the rest. The first sample of each class, as
    // chosen before, gave (a0,b0), (a0,b0) again for b0, (a1,b1): no b2.
    void aProbeCoversTheOtherTasksClasses()
    {
        // A: a0 6, a1 3; B: b0 4, b1 3, b2 2.
        const EncodedDataset data = labelled({{0, 0}, {0, 0}, {0, 0}, {0, 1}, {0, 1}, {1, 1}, {0, 2}, {1, 2}, {1, 0}});
        const std::vector<TaskInfo> tasks = twoTasks(2, 3);
        ProbeSet probes;
        probes.choose(data, tasks, 1, 3);
        QCOMPARE(probes.indices(), (std::vector<int>{0, 5, 6}));
        QCOMPARE(probes.classesWithoutProbe(data, tasks), (std::vector<std::vector<int>>{{}, {}}));
    }

    // Like builtin:wordnet's pos (5 classes) and lexname (many): with a
    // budget of the larger task's class count, every class of both tasks
    // has a probe; each pos class's first samples repeat lexname classes.
    void everyClassWhenTheBudgetAllows()
    {
        std::vector<std::pair<int, int>> labels;
        // lexname class k has 20 - k samples; the first ones of each pos class are lexname 0.
        for (int p = 0; p < 5; ++p)
            labels.push_back({p, 0});
        for (int k = 0; k < 12; ++k)
            for (int j = 0; j < 20 - k - (k == 0 ? 5 : 0); ++j)
                labels.push_back({(k + j) % 5, k});
        const EncodedDataset data = labelled(labels);
        const std::vector<TaskInfo> tasks = twoTasks(5, 12);
        ProbeSet probes;
        probes.choose(data, tasks, 1, 12);
        QCOMPARE(probes.size(), 12);
        QCOMPARE(probes.classesWithoutProbe(data, tasks), (std::vector<std::vector<int>>{{}, {}}));
        // A pinned sample's classes count as covered: no second probe for them.
        ProbeSet pinned;
        QCOMPARE(data.samples[20].labels, (std::vector<int32_t>{1, 1}));
        pinned.setPinned(20, true);
        pinned.choose(data, tasks, 1, 12);
        QCOMPARE(pinned.indices().front(), 20);
        QCOMPARE(pinned.size(), 12);
        QCOMPARE(pinned.classesWithoutProbe(data, tasks), (std::vector<std::vector<int>>{{}, {}}));
    }

    // Two probes a class: each class gets its second before the budget ends.
    void secondRound()
    {
        const EncodedDataset data = labelled({{0, 0}, {0, 1}, {1, 0}, {1, 1}, {0, 0}, {1, 1}, {0, 1}, {1, 0}});
        const std::vector<TaskInfo> tasks = twoTasks(2, 2);
        ProbeSet probes;
        probes.choose(data, tasks, 2, 16);
        std::vector<int> perClass(4, 0);
        for (int i : probes.indices()) {
            ++perClass[size_t(data.samples[size_t(i)].labels[0])];
            ++perClass[2 + size_t(data.samples[size_t(i)].labels[1])];
        }
        for (int k : perClass)
            QVERIFY2(k >= 2, qPrintable(QString::number(k)));
        QVERIFY(probes.size() <= 4);
    }
};

QTEST_GUILESS_MAIN(TestProbeSet)
#include "test_probeset.moc"
