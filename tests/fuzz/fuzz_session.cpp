// The session file reader (live/sessionfile.h): whatever the bytes, open()
// refuses them with a message or every read answers (or says why), without
// a crash, a hang or a leak. The seeds are small sessions written by
// attnscope-cli (scripts/fuzz.sh makes them).
#include "checkpoint.h"
#include "fuzzfile.h"
#include "sessionfile.h"

#include <cstdint>
#include <unistd.h>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    using namespace attnscope;
    const std::string path = fuzzFile(data, size, ".attnscope");
    // A log or index left by an earlier input would be read with this one.
    unlink((path + "-wal").c_str());
    unlink((path + "-shm").c_str());
    SessionFile file;
    QString error;
    if (!file.open(QString::fromStdString(path), SessionFile::Mode::ReadOnly, &error))
        return 0;
    for (const RunRecord &run : file.runs()) {
        runFigures(file.lastStep(run.id), file.evals(run.id));
        file.steps(run.id);
        file.events(run.id);
        file.timeline(run.id);
        file.probes(run.id);
        for (const CheckpointRecord &listed : file.checkpointList(run.id))
            if (const std::optional<CheckpointRecord> c = file.checkpoint(listed.id)) {
                Model model;
                std::string why;
                parseCheckpoint(c->weights.toStdString(), "session", &model, &why);
            }
    }
    file.layout(QStringLiteral("window"));
    return 0;
}
