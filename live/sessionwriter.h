// Writes a session file on a thread of its own, in transactions: what the
// window or attnscope-cli posts (curves, events, checkpoints, timeline
// snapshots) is queued and returns at once; the writer's thread runs it in
// the open transaction and commits at most commitInterval after the first
// write of a transaction (and at flush and close). A crash or kill -9 loses
// what was not committed yet, at most that interval; WAL keeps the file whole.
//
//   GUI or CLI thread --- post(write) / appendSnapshot / putCheckpoint ---> queue
//   writer thread ------- BEGIN; write; write; ...; COMMIT (every commitInterval) ---> SessionFile
//
// Serialising a checkpoint (safetensors bytes) happens on the writer's
// thread too: the caller hands over a copy of the weights and the trainer state.
#pragma once

#include "sessionfile.h"

#include <chrono>
#include <condition_variable>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>

namespace attnscope {

class SessionWriter {
public:
    using Write = std::function<bool(SessionFile &)>;

    static constexpr std::chrono::milliseconds DefaultCommitInterval{500};

    explicit SessionWriter(std::chrono::milliseconds commitInterval = DefaultCommitInterval);
    ~SessionWriter();  // close()
    SessionWriter(const SessionWriter &) = delete;
    SessionWriter &operator=(const SessionWriter &) = delete;

    // Starts the thread and opens path there (SessionFile::open, ReadWrite:
    // a new session where there is none). False and *error when it cannot.
    bool open(const QString &path, QString *error);
    // Commits what was posted, closes the file and joins the thread.
    void close();
    bool isOpen() const { return m_thread.joinable(); }
    QString path() const { return m_path; }

    // Queued; returns at once (false when the writer is closed). A write
    // that fails is reported (error(), the error handler) and the others go on.
    bool post(Write write);
    // Runs write after what was posted before and waits for its answer.
    bool call(Write write);
    // Commits everything posted so far and waits for it; false when a write
    // or the commit failed since the last flush (error() says which).
    bool flush();

    // The first failure since open(), "" when none; the handler (called on
    // the writer's thread) hears every one.
    QString error() const;
    void setErrorHandler(std::function<void(const QString &)> handler);

    // Conveniences. addRun waits for the run's id (0: error()).
    int64_t addRun(RunRecord *run);
    void appendSnapshot(int64_t run, TrainingSnapshot snapshot);
    void appendEvent(int64_t run, const RunEvent &event);
    // The weights (a copy the writer may keep) and the trainer's state at state.step.
    void putCheckpoint(int64_t run, std::shared_ptr<const Model> model, TrainerState state,
                       const QString &kind, int keep = KeptCheckpoints);

private:
    void loop();
    void report(const QString &message);

    const std::chrono::milliseconds m_interval;
    QString m_path;
    std::thread m_thread;
    mutable std::mutex m_mutex;
    std::condition_variable m_wake, m_done;
    std::deque<Write> m_queue;
    bool m_stop = false;
    uint64_t m_flushAsked = 0, m_flushDone = 0;  // flush() generations
    bool m_failedSinceFlush = false;
    QString m_error;
    std::function<void(const QString &)> m_handler;
    std::unique_ptr<SessionFile> m_file;  // lives on the writer's thread
};

} // namespace attnscope
