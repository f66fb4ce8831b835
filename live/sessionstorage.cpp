// Session's file (session.h): Open session, Save session as, and the
// recovery file a session without a file of the user's records into.
#include "session.h"

#include <QCoreApplication>
#include <QDateTime>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QLockFile>

#include <cerrno>
#include <cstdio>
#include <cstring>

namespace attnscope {

// --- The session file.

bool Session::openSessionFile(const QString &path)
{
    std::vector<std::unique_ptr<KeptRun>> runs;
    QString error;
    {
        SessionFile file;
        if (!file.open(path, SessionFile::Mode::ReadOnly, &error) || !readKeptRuns(file, m_nextRunId, &runs, &error)) {
            emit failed(error);
            return false;
        }
    }
    purgeDeleted();  // from the file they were in
    if (!m_recorder->open(path, &error)) {
        emit failed(error);
        return false;
    }
    if (m_recoveryPath != path)
        endRecovery(true);  // its runs were the ones the user chose to drop
    m_nextRunId += int(runs.size());
    m_reference = 0;
    m_kept = std::move(runs);
    // The current run joins the file: its curves so far, then as it trains.
    // The current run's default name follows the file's ("Run 3" beside
    // its Run 1 and Run 2, not "Run 1 (2)"); one the user chose stays, made unique.
    m_run->setName(Session::hasDefaultName(m_run->name()) ? nextRunName() : freeRunName(m_run->name()));
    if (m_run->hasTrained())
        m_recorder->adoptLive(currentRecord(), m_run->history());
    emit runsChanged();
    emit sessionFileChanged(path);
    emit status(tr("Opened session %1: %2 runs").arg(path).arg(m_kept.size()), 10000);
    return true;
}

bool Session::saveSessionAs(const QString &path)
{
    // Into a new file beside the target, renamed over it once whole: a
    // failure leaves the target as it was.
    const QFileInfo target(path);
    const QString temporary = target.dir().filePath(QStringLiteral(".%1.attnscope-new").arg(target.fileName()));
    QFile::remove(temporary);
    QString error;
    purgeDeleted();  // the copy has no deleted run
    int64_t live = m_recorder->liveFileId();  // its row, the same in the copy
    bool ok = true;
    if (m_recorder->isOpen()) {
        ok = m_recorder->copyTo(temporary, &error);
        m_recorder->close();
    } else {
        ok = m_recorder->open(temporary, &error);
        if (ok)
            writeRuns();
        ok = ok && m_recorder->flush(&error);
        live = m_recorder->liveFileId();
        m_recorder->close();
    }
    for (const char *log : {"-wal", "-shm"})
        QFile::remove(path + QLatin1String(log));  // an old log would be read as the new file's
    if (ok && std::rename(QFile::encodeName(temporary).constData(), QFile::encodeName(path).constData()) != 0) {
        error = tr("%1: could not be replaced: %2").arg(path, QString::fromLocal8Bit(std::strerror(errno)));
        ok = false;
    }
    if (!ok) {
        QFile::remove(temporary);
        emit failed(error);
        return false;
    }
    if (!m_recorder->open(path, &error, live)) {
        emit failed(error);
        return false;
    }
    endRecovery(true);  // the session is in the user's file now
    emit sessionFileChanged(path);
    emit status(tr("Saved session %1").arg(path), 10000);
    return true;
}

QByteArray Session::layout(const QString &key) const
{
    if (!m_recorder->isOpen())
        return {};
    SessionFile file;
    QString error;
    return file.open(m_recorder->path(), SessionFile::Mode::ReadOnly, &error) ? file.layout(key) : QByteArray();
}

// --- Recovery.

namespace {

constexpr char RecoveryPrefix[] = "recovery-";

// The lock of a recovery file: taken over only from a process that is gone
// (never for its age: a window trains for hours without touching it).
std::unique_ptr<QLockFile> recoveryLock(const QString &path)
{
    auto lock = std::make_unique<QLockFile>(path + QLatin1String(".lock"));
    lock->setStaleLockTime(0);
    return lock;
}

void removeSessionFiles(const QString &path)
{
    for (const char *suffix : {"-wal", "-shm", ""})
        QFile::remove(path + QLatin1String(suffix));
}

} // namespace

bool Session::startRecovery(const QString &dir)
{
    if (m_recorder->isOpen())
        return false;  // the session has a file already
    if (!QDir().mkpath(dir)) {
        emit failed(tr("%1: could not make the folder for the recovery file").arg(dir));
        return false;
    }
    // recovery-DATE-PID.attnscope; a second window of the process in the same second adds -2, -3, ...
    const QString stem = QDir(dir).filePath(QStringLiteral("%1%2-%3")
                                                .arg(QLatin1String(RecoveryPrefix),
                                                     QDateTime::currentDateTimeUtc().toString(QStringLiteral("yyyyMMdd-HHmmss")))
                                                .arg(QCoreApplication::applicationPid()));
    QString path = stem + QLatin1String(".attnscope");
    for (int n = 2; QFileInfo::exists(path) || QFileInfo::exists(path + QLatin1String(".lock")); ++n)
        path = QStringLiteral("%1-%2.attnscope").arg(stem).arg(n);
    auto lock = recoveryLock(path);
    QString error;
    if (!lock->tryLock(0) || !m_recorder->open(path, &error)) {
        emit failed(error.isEmpty() ? tr("%1: could not lock the recovery file").arg(path) : error);
        return false;
    }
    m_recoveryLock = std::move(lock);
    m_recoveryPath = path;
    writeRuns();  // whatever trained before it
    return true;
}

void Session::endRecovery(bool remove)
{
    if (!m_recoveryLock)
        return;
    if (remove && !(m_recorder->isOpen() && m_recorder->path() == m_recoveryPath))
        removeSessionFiles(m_recoveryPath);
    m_recoveryLock.reset();  // unlocks and removes the lock file
    m_recoveryPath.clear();
}

QStringList Session::recoverableSessions(const QString &dir)
{
    QStringList out;
    const QFileInfoList files = QDir(dir).entryInfoList({QStringLiteral("%1*.attnscope").arg(QLatin1String(RecoveryPrefix))},
                                                        QDir::Files, QDir::Time);
    for (const QFileInfo &info : files) {
        if (!recoveryLock(info.filePath())->tryLock(0))
            continue;  // a running AttnScope writes it (a dead one's lock is stale and taken over)
        SessionFile file;
        QString error;
        if (file.open(info.filePath(), SessionFile::Mode::ReadOnly, &error) && file.runCount() > 0)
            out << info.filePath();
    }
    return out;
}

bool Session::restoreRecovery(const QString &path)
{
    auto lock = recoveryLock(path);
    if (!lock->tryLock(0)) {
        emit failed(tr("%1: another AttnScope is writing it").arg(path));
        return false;
    }
    // openSessionFile keeps a recovery file of this path: it becomes this session's.
    std::swap(lock, m_recoveryLock);
    QString previous = std::exchange(m_recoveryPath, path);
    if (!openSessionFile(path)) {
        std::swap(lock, m_recoveryLock);
        m_recoveryPath = previous;
        return false;
    }
    if (lock && previous != path)
        removeSessionFiles(previous);  // the empty one this session had begun
    return true;
}

bool Session::discardRecovery(const QString &path)
{
    const std::unique_ptr<QLockFile> lock = recoveryLock(path);
    if (!lock->tryLock(0))
        return false;
    removeSessionFiles(path);
    return true;
}

} // namespace attnscope
