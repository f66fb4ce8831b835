#include "sessionfile.h"

#include "data/load.h"
#include "fileutil.h"

#include <QDateTime>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QSqlDatabase>
#include <QSqlDriver>
#include <QSqlError>
#include <QSqlQuery>
#include <QVariant>

#include <sqlite3.h>

#include <atomic>
#include <cstring>

namespace attnscope {

namespace {

// Version 2's table: each evaluation's confusion matrix per task, counts
// and misses as flat JSON arrays of integers (read by the curves' fast
// reader). Version 1 files get it when they are opened for writing.
const char *const ConfusionTable =
    "CREATE TABLE confusion (run INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,"
    " step INTEGER NOT NULL, task INTEGER NOT NULL, classes INTEGER NOT NULL, counts TEXT NOT NULL,"
    " misses TEXT NOT NULL, PRIMARY KEY (run, step, task)) WITHOUT ROWID";

// The schema of version 2 (docs/session.md describes each column). Curves
// hold one row per step and per evaluation, the per-task values as JSON
// arrays in task order (null: no label in the batch); floats are stored as
// REAL (float32 values exactly).
const char *const Schema[] = {
    "CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)",
    "CREATE TABLE runs (id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE,"
    " parent INTEGER REFERENCES runs(id) ON DELETE SET NULL, fork_step INTEGER NOT NULL DEFAULT 0,"
    " dataset TEXT NOT NULL, mode TEXT NOT NULL, layers INTEGER NOT NULL, lr REAL NOT NULL,"
    " seed INTEGER NOT NULL, settings TEXT NOT NULL, tasks TEXT NOT NULL, created TEXT NOT NULL,"
    " hidden INTEGER NOT NULL DEFAULT 0)",
    "CREATE TABLE steps (run INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,"
    " step INTEGER NOT NULL, epoch REAL, lr REAL, loss REAL, grad_norm REAL, task_loss TEXT NOT NULL,"
    " PRIMARY KEY (run, step)) WITHOUT ROWID",
    "CREATE TABLE evals (run INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,"
    " step INTEGER NOT NULL, epoch REAL, loss REAL, task_loss TEXT NOT NULL, task_accuracy TEXT NOT NULL,"
    " task_macro_f1 TEXT NOT NULL,"
    " PRIMARY KEY (run, step)) WITHOUT ROWID",
    "CREATE TABLE events (id INTEGER PRIMARY KEY, run INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,"
    " step INTEGER NOT NULL, epoch REAL, kind TEXT NOT NULL, what TEXT NOT NULL)",
    "CREATE INDEX events_run ON events (run, step)",
    "CREATE TABLE checkpoints (id INTEGER PRIMARY KEY, run INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,"
    " step INTEGER NOT NULL, kind TEXT NOT NULL, weights BLOB NOT NULL, trainer TEXT NOT NULL,"
    " optimizer_m BLOB, optimizer_v BLOB, optimizer_rows BLOB)",
    "CREATE INDEX checkpoints_run ON checkpoints (run, step)",
    "CREATE TABLE timeline (run INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,"
    " step INTEGER NOT NULL, snapshot TEXT NOT NULL, PRIMARY KEY (run, step)) WITHOUT ROWID",
    "CREATE TABLE probes (run INTEGER PRIMARY KEY REFERENCES runs(id) ON DELETE CASCADE,"
    " indices TEXT NOT NULL, pinned TEXT NOT NULL, focus INTEGER NOT NULL)",
    "CREATE TABLE layout (key TEXT PRIMARY KEY, value BLOB NOT NULL)",
    ConfusionTable,
};

QString connectionName()
{
    static std::atomic<int> next{0};
    return QStringLiteral("attnscope-session-%1").arg(next.fetch_add(1));
}

} // namespace

// --- The header.

QString checkSqliteHeader(const QByteArray &head, qint64 fileSize, bool hasWal)
{
    static const char Magic[] = "SQLite format 3";  // and its terminating 0: 16 bytes
    if (head.size() < 100 || std::memcmp(head.constData(), Magic, sizeof Magic) != 0)
        return QStringLiteral("is not an SQLite database (a session file begins with \"SQLite format 3\")");
    const auto byte = [&](int i) { return quint32(quint8(head[i])); };
    const auto be32 = [&](int i) { return byte(i) << 24 | byte(i + 1) << 16 | byte(i + 2) << 8 | byte(i + 3); };
    const quint32 pageSize = byte(16) << 8 | byte(17);
    const qint64 page = pageSize == 1 ? 65536 : qint64(pageSize);
    if (page < 512 || (page & (page - 1)) != 0)
        return QStringLiteral("is a damaged SQLite database (page size %1)").arg(page);
    // The page count in the header is valid when the "version valid for"
    // number matches the change counter (SQLite 3.7.0 and later). A log
    // beside the file may hold pages it has not received yet (a crash
    // during a checkpoint): then SQLite itself decides.
    const quint32 pages = be32(28);
    if (!hasWal && pages > 0 && be32(92) == be32(24) && fileSize < qint64(pages) * page)
        return QStringLiteral("is truncated: its header counts %1 pages of %2 bytes (%3 bytes), the file has %4 bytes")
            .arg(pages).arg(page).arg(qint64(pages) * page).arg(fileSize);
    return {};
}

// --- SessionFile.

SessionFile::SessionFile() = default;

SessionFile::~SessionFile()
{
    close();
}

bool SessionFile::isOpen() const
{
    return !m_connection.isEmpty();
}

void SessionFile::close()
{
    if (m_connection.isEmpty())
        return;
    {
        QSqlDatabase db = QSqlDatabase::database(m_connection, false);
        db.close();
    }
    QSqlDatabase::removeDatabase(m_connection);
    m_connection.clear();
}

bool SessionFile::open(const QString &path, Mode mode, QString *error)
{
    close();
    m_path = path;
    m_error.clear();
    m_version = SessionVersion;  // a new file's; checkSchema reads an existing one's
    m_confusionKept.clear();
    const auto fail = [&](const QString &why) {
        *error = m_error = path + QStringLiteral(": ") + why;
        close();
        return false;
    };
    if (path.isEmpty()) {
        *error = m_error = QStringLiteral("no session file named");
        return false;
    }
    // What is there, before SQLite touches it (it would create a missing file
    // or write its log beside a file that is not its own).
    if (const std::string problem = notRegularFile(path.toStdString()); !problem.empty()) {
        *error = m_error = QString::fromStdString(problem);
        return false;
    }
    const QFileInfo info(path);
    bool fresh = !info.exists() || info.size() == 0;
    if (fresh && mode == Mode::ReadOnly)
        return fail(info.exists() ? QStringLiteral("is empty, not a session") : QStringLiteral("no such file"));
    if (!fresh) {
        QFile file(path);
        if (!file.open(QIODevice::ReadOnly))
            return fail(file.errorString());
        const QByteArray head = file.read(100);
        const QFileInfo wal(path + QStringLiteral("-wal"));
        if (const QString problem = checkSqliteHeader(head, info.size(), wal.exists() && wal.size() > 0); !problem.isEmpty())
            return fail(problem);
    }

    m_connection = connectionName();
    if (!connect(mode, &fresh) || (fresh && !createSchema())) {
        *error = m_error;
        close();
        return false;
    }
    return true;
}

// open()'s part with the connection (whose handles must be gone before close()).
bool SessionFile::connect(Mode mode, bool *fresh)
{
    const auto fail = [&](const QString &why) {
        m_error = m_path + QStringLiteral(": ") + why;
        return false;
    };
    QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), m_connection);
    if (!db.isValid())
        return fail(QStringLiteral("Qt's SQLite driver (QSQLITE, Debian package libqt6sql6-sqlite) is not installed"));
    db.setDatabaseName(m_path);
    // A writer holds the lock for a commit only; wait for it rather than fail.
    QString options = QStringLiteral("QSQLITE_BUSY_TIMEOUT=5000");
    if (mode == Mode::ReadOnly)
        options += QStringLiteral(";QSQLITE_OPEN_READONLY");
    db.setConnectOptions(options);
    if (!db.open())
        return fail(db.lastError().text());
    QSqlQuery(db).exec(QStringLiteral("PRAGMA foreign_keys=ON"));
    if (*fresh) {
        // Another writer may have made it meanwhile: check what is there now.
        QSqlQuery q(db);
        if (!q.exec(QStringLiteral("SELECT count(*) FROM sqlite_master")) || !q.next())
            return fail(q.lastError().text());
        *fresh = q.value(0).toInt() == 0;
    }
    // A file that is not a session is refused before anything is written to it.
    if (!*fresh && !checkSchema())
        return false;
    if (mode == Mode::ReadWrite && m_version < SessionVersion && !migrate())
        return false;
    if (mode == Mode::ReadWrite) {
        // WAL: a commit is one append to the log, a crash loses at most the
        // transaction in flight, and readers (another window, Python) see the
        // last commit while the writer goes on. NORMAL syncs at checkpoints:
        // safe against a crash of the process, which is what a kill -9 is.
        QSqlQuery q(db);
        if (!q.exec(QStringLiteral("PRAGMA journal_mode=WAL")) || !q.next())
            return fail(QStringLiteral("cannot be written: ") + q.lastError().text());
        if (q.value(0).toString().compare(QLatin1String("wal"), Qt::CaseInsensitive) != 0)
            return fail(QStringLiteral("cannot keep a write-ahead log (journal mode '%1')").arg(q.value(0).toString()));
        q.exec(QStringLiteral("PRAGMA synchronous=NORMAL"));
    }
    return true;
}

bool SessionFile::check(bool ok, const QSqlQuery &query, const char *doing)
{
    if (!ok)
        m_error = QStringLiteral("%1: %2: %3").arg(m_path, QString::fromLatin1(doing), query.lastError().text());
    return ok;
}

QString absoluteDatasetSpec(const QString &spec, const QString &besideFile)
{
    if (spec.isEmpty() || datasetFormat(spec.toStdString()) == DataFormat::Builtin)
        return spec;
    const QString here = QDir::cleanPath(QFileInfo(spec).absoluteFilePath());
    if (besideFile.isEmpty() || !QFileInfo(spec).isRelative() || QFileInfo::exists(here))
        return here;
    const QString beside = QDir::cleanPath(QFileInfo(besideFile).dir().filePath(spec));
    return QFileInfo::exists(beside) ? beside : here;
}

bool SessionFile::sqliteFailed(const char *doing, const char *why)
{
    m_error = QStringLiteral("%1: %2: %3").arg(m_path, QString::fromLatin1(doing), QString::fromUtf8(why));
    return false;
}

sqlite3 *SessionFile::handle(const char *doing)
{
    // The driver's own connection (QSqlDriver::handle(): Debian's QSQLITE
    // uses the system's libsqlite3, which this links too).
    const QVariant handle = QSqlDatabase::database(m_connection, false).driver()->handle();
    if (!handle.isValid() || qstrcmp(handle.typeName(), "sqlite3*") != 0) {
        sqliteFailed(doing, "the SQLite driver gives no connection handle");
        return nullptr;
    }
    return *static_cast<sqlite3 *const *>(handle.constData());
}

bool SessionFile::readRows(const char *sql, int64_t run, const char *doing, const std::function<void(sqlite3_stmt *)> &row)
{
    sqlite3 *db = handle(doing);
    if (!db)
        return false;
    sqlite3_stmt *statement = nullptr;
    if (sqlite3_prepare_v2(db, sql, -1, &statement, nullptr) != SQLITE_OK)
        return sqliteFailed(doing, sqlite3_errmsg(db));
    const std::unique_ptr<sqlite3_stmt, int (*)(sqlite3_stmt *)> finalize(statement, sqlite3_finalize);
    sqlite3_bind_int64(statement, 1, run);
    int rc;
    while ((rc = sqlite3_step(statement)) == SQLITE_ROW)
        row(statement);
    return rc == SQLITE_DONE || sqliteFailed(doing, sqlite3_errmsg(db));
}

bool SessionFile::exec(const QString &sql, const char *doing)
{
    QSqlQuery q(QSqlDatabase::database(m_connection, false));
    return check(q.exec(sql), q, doing);
}

bool SessionFile::createSchema()
{
    if (!exec(QStringLiteral("BEGIN IMMEDIATE"), "creating the session"))
        return false;
    for (const char *statement : Schema)
        if (!exec(QString::fromLatin1(statement), "creating the session")) {
            rollback();
            return false;
        }
    QSqlQuery q(QSqlDatabase::database(m_connection, false));
    q.prepare(QStringLiteral("INSERT INTO meta (key, value) VALUES (?, ?)"));
    const std::pair<const char *, QString> meta[] = {
        {"format", QString::fromLatin1(SessionFormat)},
        {"version", QString::number(SessionVersion)},
        {"created", QDateTime::currentDateTimeUtc().toString(Qt::ISODate)},
    };
    for (const auto &[key, value] : meta) {
        q.addBindValue(QString::fromLatin1(key));
        q.addBindValue(value);
        if (!check(q.exec(), q, "creating the session")) {
            rollback();
            return false;
        }
    }
    return commit();
}

bool SessionFile::checkSchema()
{
    QSqlDatabase db = QSqlDatabase::database(m_connection, false);
    QSqlQuery q(db);
    // A file SQLite cannot read ("file is not a database", "database disk
    // image is malformed") fails here, at its first page.
    if (!q.exec(QStringLiteral("SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'meta'")) || !q.next()) {
        m_error = QStringLiteral("%1: is not a readable SQLite database: %2").arg(m_path, q.lastError().text());
        return false;
    }
    if (q.value(0).toInt() == 0) {
        m_error = QStringLiteral("%1: is an SQLite database but not an AttnScope session (it has no table 'meta')").arg(m_path);
        return false;
    }
    QString format, version;
    if (!q.exec(QStringLiteral("SELECT key, value FROM meta WHERE key IN ('format', 'version')"))) {
        m_error = QStringLiteral("%1: is not a readable AttnScope session: %2").arg(m_path, q.lastError().text());
        return false;
    }
    while (q.next())
        (q.value(0).toString() == QLatin1String("format") ? format : version) = q.value(1).toString();
    if (format != QLatin1String(SessionFormat)) {
        m_error = QStringLiteral("%1: is an SQLite database but not an AttnScope session (its meta table says format '%2')")
                      .arg(m_path, format);
        return false;
    }
    m_version = version == QLatin1String("1") ? 1 : SessionVersion;
    if (version != QString::number(SessionVersion) && m_version != 1) {
        m_error = QStringLiteral("%1: is a session of format version %2, written by another version of AttnScope; "
                                 "this one reads versions 1 to %3")
                      .arg(m_path, version.isEmpty() ? QStringLiteral("(none)") : version)
                      .arg(SessionVersion);
        return false;
    }
    // Every table of the version, with its columns: a file that has the
    // meta rows but not the rest is no session either.
    for (const char *table : {"runs", "steps", "evals", "events", "checkpoints", "timeline", "probes", "layout", "confusion"}) {
        if (m_version == 1 && qstrcmp(table, "confusion") == 0)
            break;  // version 2's
        if (!q.exec(QStringLiteral("SELECT * FROM %1 LIMIT 0").arg(QLatin1String(table)))) {
            m_error = QStringLiteral("%1: is not a whole AttnScope session (table '%2': %3)")
                          .arg(m_path, QLatin1String(table), q.lastError().text());
            return false;
        }
    }
    return true;
}

// Version 1 had no confusion table: it gets an empty one (its runs keep no
// matrices), in one transaction with the version's change.
bool SessionFile::migrate()
{
    if (!exec(QStringLiteral("BEGIN IMMEDIATE"), "bringing the session to version 2"))
        return false;
    QSqlQuery q(QSqlDatabase::database(m_connection, false));
    q.prepare(QStringLiteral("UPDATE meta SET value = ? WHERE key = 'version'"));
    q.addBindValue(QString::number(SessionVersion));
    if (!exec(QString::fromLatin1(ConfusionTable), "bringing the session to version 2")
        || !check(q.exec(), q, "bringing the session to version 2") || !commit()) {
        rollback();
        return false;
    }
    m_version = SessionVersion;
    return true;
}

bool SessionFile::begin()
{
    return exec(QStringLiteral("BEGIN IMMEDIATE"), "starting a transaction");
}

bool SessionFile::commit()
{
    return exec(QStringLiteral("COMMIT"), "committing");
}

void SessionFile::rollback()
{
    QSqlQuery(QSqlDatabase::database(m_connection, false)).exec(QStringLiteral("ROLLBACK"));
}

} // namespace attnscope
