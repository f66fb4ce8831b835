// Fruit data and a small checkpoint of it, for the suites that open a
// checkpoint on data in the window (test_checkpointdata, test_workbench).
#pragma once

#include "checkpoint.h"
#include "data/load.h"
#include "trainer.h"

#include <QFile>
#include <QString>

#include <numeric>

namespace attnscope {

// text, label (a, b, c: the fruit the text names) and kind (x, y): a
// second column of two values, which the roles guess takes for a task.
inline QString writeFruit(const QString &path, int rows, const QString &classes)
{
    QFile file(path);
    if (!file.open(QIODevice::WriteOnly))
        return {};
    const char *words[] = {"old", "big", "some", "fresh", "the", "a"};
    QByteArray text = "text,label,kind\n";
    for (int i = 0; i < rows; ++i) {
        const QChar label = classes[i % classes.size()];
        const char *fruit = label == u'a' ? "apple" : label == u'b' ? "banana" : label == u'c' ? "coconut" : "avocado";
        text += QByteArray(words[i % 6]) + ' ' + words[(i / 6) % 6] + ' ' + fruit + " here," + label.toLatin1() + ','
                + ((i / 3) % 2 ? 'y' : 'x') + '\n';
    }
    file.write(text);
    return path;
}

// A checkpoint of `csv` read with the task `label` only (as
// `attnscope-cli train --task-columns label` makes it): it remembers the text column and the task.
inline bool writeCheckpoint(const QString &csv, const QString &path)
{
    LoadOptions options;
    options.taskColumns = {"label"};
    Dataset data;
    std::string error;
    if (!loadDataset(csv.toStdString(), options, &data, &error))
        return false;
    std::vector<int> all(data.samples.size());
    std::iota(all.begin(), all.end(), 0);
    ModelConfig config;
    config.dim = 16;
    config.heads = 2;
    config.ffn = 32;
    config.maxLen = 16;
    config.layers = 0;
    const Model model = createModel(data, all, config, 1);
    return model.textColumn == "text" && saveCheckpoint(model, path.toStdString(), &error);
}

} // namespace attnscope
