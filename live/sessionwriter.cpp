#include "sessionwriter.h"

#include "checkpoint.h"
#include "memorybudget.h"

#include <algorithm>
#include <cerrno>
#include <future>

#include <pthread.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

namespace attnscope {

using Clock = std::chrono::steady_clock;

namespace {

// The writer's thread yields to the training: its name says what it is (top
// -H, /proc/PID/task/TID/comm, which gui_bench --session reads), and its nice
// value goes WriterNice above the process's (Linux keeps one per thread).
// When the worker, the GUI thread and the writer all want a core of the two,
// the scheduler then gives the writer about a tenth of one rather than a
// third of the worker's (nice 10's weight is 110 against nice 0's 1,024). It
// needs a few per cent of a core (gui_bench --session prints it), so it
// keeps up with its commits even then; and on an idle core it runs as fast
// as before. Failing to rename or renice is harmless: nothing is said.
constexpr int WriterNice = 10;

void lowerPriority()
{
    pthread_setname_np(pthread_self(), "sessionwriter");
    const auto self = id_t(syscall(SYS_gettid));
    errno = 0;
    const int nice = getpriority(PRIO_PROCESS, self);
    if (errno == 0)
        setpriority(PRIO_PROCESS, self, std::min(19, nice + WriterNice));
}

} // namespace

SessionWriter::SessionWriter(std::chrono::milliseconds commitInterval)
    : m_interval(commitInterval)
{
}

SessionWriter::~SessionWriter()
{
    close();
}

bool SessionWriter::open(const QString &path, QString *error)
{
    close();
    m_path = path;
    m_stop = false;
    m_error.clear();
    m_failedSinceFlush = false;
    std::promise<QString> opened;
    std::future<QString> answer = opened.get_future();
    m_thread = std::thread([this, &opened] {
        lowerPriority();
        // The connection is made and used on this thread only (Qt SQL's rule).
        auto file = std::make_unique<SessionFile>();
        QString why;
        if (!file->open(m_path, SessionFile::Mode::ReadWrite, &why)) {
            opened.set_value(why);
            return;
        }
        m_file = std::move(file);
        opened.set_value(QString());
        loop();
        m_file.reset();
    });
    const QString why = answer.get();
    if (!why.isEmpty()) {
        m_thread.join();
        *error = why;
        return false;
    }
    return true;
}

void SessionWriter::close()
{
    if (!m_thread.joinable())
        return;
    {
        std::lock_guard lock(m_mutex);
        m_stop = true;
    }
    m_wake.notify_all();
    m_thread.join();
}

bool SessionWriter::post(Write write)
{
    {
        std::lock_guard lock(m_mutex);
        if (!m_thread.joinable() || m_stop)
            return false;
        m_queue.push_back(std::move(write));
    }
    m_wake.notify_all();
    return true;
}

bool SessionWriter::call(Write write)
{
    if (!m_thread.joinable())
        return false;
    auto result = std::make_shared<std::promise<bool>>();
    std::future<bool> answer = result->get_future();
    // The failure is reported before the answer, so that error() says it
    // when call() returns.
    const bool posted = post([this, write = std::move(write), result](SessionFile &file) {
        bool ok = false;
        try {
            ok = write(file);
        } catch (...) {
            result->set_value(false);
            throw;
        }
        if (!ok)
            report(file.error());
        result->set_value(ok);
        return true;
    });
    return posted && answer.get();
}

bool SessionWriter::flush()
{
    std::unique_lock lock(m_mutex);
    if (!m_thread.joinable())
        return false;
    const uint64_t generation = ++m_flushAsked;
    m_wake.notify_all();
    m_done.wait(lock, [&] { return m_flushDone >= generation || !m_thread.joinable(); });
    return !std::exchange(m_failedSinceFlush, false);
}

QString SessionWriter::error() const
{
    std::lock_guard lock(m_mutex);
    return m_error;
}

void SessionWriter::setErrorHandler(std::function<void(const QString &)> handler)
{
    std::lock_guard lock(m_mutex);
    m_handler = std::move(handler);
}

void SessionWriter::report(const QString &message)
{
    std::function<void(const QString &)> handler;
    {
        std::lock_guard lock(m_mutex);
        if (m_error.isEmpty())
            m_error = message;
        m_failedSinceFlush = true;
        handler = m_handler;
    }
    if (handler)
        handler(message);
}

// The writer's thread: takes what is queued, writes it in the open
// transaction (beginning one when none is open), and commits when the
// transaction is commitInterval old, a flush asks, or the writer closes.
void SessionWriter::loop()
{
    bool inTransaction = false;
    Clock::time_point deadline;
    for (;;) {
        std::deque<Write> work;
        bool stop = false;
        uint64_t flushAsked = 0;
        {
            std::unique_lock lock(m_mutex);
            const auto due = [&] {
                return !m_queue.empty() || m_stop || m_flushAsked > m_flushDone;
            };
            if (inTransaction)
                m_wake.wait_until(lock, deadline, due);
            else
                m_wake.wait(lock, due);
            work.swap(m_queue);
            stop = m_stop;
            flushAsked = m_flushAsked;
        }
        if (!work.empty() && !inTransaction) {
            if (m_file->begin()) {
                inTransaction = true;
                deadline = Clock::now() + m_interval;
            } else {
                report(m_file->error());
            }
        }
        for (Write &write : work) {
            try {
                if (!write(*m_file))
                    report(m_file->error());
            } catch (const std::exception &e) {
                report(QStringLiteral("%1: %2 while writing the session").arg(m_path, QString::fromStdString(failureText(e))));
            }
        }
        // Every write posted before flushAsked's flush() was in the queue
        // taken with it (both under the mutex): committing now covers them.
        bool flushing = false;
        {
            std::lock_guard lock(m_mutex);
            flushing = flushAsked > m_flushDone;
        }
        if (inTransaction && (stop || flushing || Clock::now() >= deadline)) {
            if (!m_file->commit()) {
                report(m_file->error());
                m_file->rollback();
            }
            inTransaction = false;
        }
        {
            std::lock_guard lock(m_mutex);
            if (flushing)
                m_flushDone = flushAsked;
            if (stop && m_queue.empty()) {
                m_flushDone = m_flushAsked;
                m_done.notify_all();
                break;
            }
        }
        m_done.notify_all();
    }
}

int64_t SessionWriter::addRun(RunRecord *run)
{
    int64_t id = 0;
    call([&](SessionFile &file) {
        id = file.addRun(run);
        return id > 0;
    });
    return id;
}

void SessionWriter::appendSnapshot(int64_t run, TrainingSnapshot snapshot)
{
    if (snapshot.steps.empty() && snapshot.evals.empty() && snapshot.changes.empty())
        return;
    post([run, steps = std::move(snapshot.steps), evals = std::move(snapshot.evals),
          changes = std::move(snapshot.changes)](SessionFile &file) {
        bool ok = file.appendSteps(run, steps) && file.appendEvals(run, evals);
        for (const SettingChange &change : changes)
            ok = ok && file.appendEvent(run, {change.step, change.epoch, QStringLiteral("setting"), change.what});
        return ok;
    });
}

void SessionWriter::appendEvent(int64_t run, const RunEvent &event)
{
    post([run, event](SessionFile &file) { return file.appendEvent(run, event); });
}

void SessionWriter::putCheckpoint(int64_t run, std::shared_ptr<const Model> model, TrainerState state,
                                  const QString &kind, int keep)
{
    // mutable: the state (both optimiser moment buffers) moves on into the record, not a copy of it
    post([run, model = std::move(model), state = std::move(state), kind, keep](SessionFile &file) mutable {
        CheckpointRecord c;
        c.run = run;
        c.step = state.step;
        c.kind = kind;
        const std::string bytes = serializeCheckpoint(*model);
        c.weights = QByteArray(bytes.data(), qsizetype(bytes.size()));
        c.trainer = std::move(state);
        return file.putCheckpoint(c, keep);
    });
}

} // namespace attnscope
