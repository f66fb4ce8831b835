// MainWindow's files: opening a dataset, a checkpoint, another program's
// attention or a session (the File menu, the Dataset panel, recent files,
// drops), saving and exporting, and the question after a session that ended
// unsaved. Apart from mainwindow.cpp, which builds the window and wires the
// panels: the Session does the work, these say what to open and show how it went.
#include "mainwindow.h"

#include "attention/attentionpanel.h"
#include "attentionfile.h"
#include "confirmations.h"
#include "datasetpanel.h"
#include "filemenu.h"
#include "fileutil.h"
#include "lossplot.h"
#include "modelpanel.h"
#include "recentfiles.h"
#include "sessionfile.h"

#include <QDir>
#include <QDropEvent>
#include <QEventLoop>
#include <QFileInfo>
#include <QGuiApplication>
#include <QLocale>
#include <QMessageBox>
#include <QMimeData>
#include <QPushButton>
#include <QStandardPaths>
#include <QTabWidget>
#include <QTimer>

namespace attnscope {

bool MainWindow::mayOpenDataset(const QString &spec)
{
    using State = TrainingWorker::State;
    TrainingController *run = training();
    const bool pause = run->state() == State::Running && m_last.step > 0 && m_confirm->asks();
    if (pause) {
        // The step in flight ends, then the worker says Paused (its last
        // snapshot before): the question names the step the run stops at,
        // which stays so while the user decides (it went on under the box,
        // and "The run at step 483 stops" was read after the run finished).
        QEventLoop paused;
        const auto done = connect(run, &TrainingController::stateChanged, &paused, [&paused, run]() {
            if (run->state() != State::Running)
                paused.quit();
        });
        QTimer::singleShot(5000, &paused, &QEventLoop::quit);  // a worker that never answers: ask anyway
        run->pause();
        if (run->state() == State::Running)
            paused.exec(QEventLoop::ExcludeUserInputEvents);
        disconnect(done);
    }
    // Finished meanwhile (its last step was in flight): nothing to end, as before.
    const bool yes = m_confirm->mayOpenDataset(spec, run->state(), pause ? run->currentStep() : m_last.step);
    if (!yes && pause && run->state() == State::Paused)
        run->resume();
    return yes;
}

bool MainWindow::openDataset(const QString &spec, const LoadOptions &options)
{
    if (!mayOpenDataset(spec)) {
        m_lastError.clear();
        return false;
    }
    takeBackLessonDepth();
    QGuiApplication::setOverrideCursor(Qt::WaitCursor);
    const bool ok = m_session->openDataset(spec, options);
    QGuiApplication::restoreOverrideCursor();
    return ok;
}
void MainWindow::openDatasetAsync(const QString &spec, const LoadOptions &options)
{
    if (!mayOpenDataset(spec)) {
        m_datasetPanel->setSpec(m_dataSpec);  // the field shows the data still open
        return;
    }
    takeBackLessonDepth();
    m_session->openDatasetAsync(spec, options);
}

void MainWindow::openFile(const QString &path)
{
    if (path.endsWith(QLatin1String(".safetensors")))
        openCheckpoint(path);
    else if (path.endsWith(QLatin1String(".attnscope")))
        askToOpenSession(path);  // a drop asks as the menu does: it dropped the unsaved runs
    else
        openDatasetAsync(path);
}

bool MainWindow::openAttention(const QString &path)
{
    AttentionFile file;
    std::string error;
    QGuiApplication::setOverrideCursor(Qt::WaitCursor);
    const bool ok = readAttentionFile(path.toStdString(), &file, &error);
    QGuiApplication::restoreOverrideCursor();
    if (!ok) {
        showError(QString::fromStdString(error));
        return false;
    }
    const bool pooling = !file.tasks.empty();
    m_attention->showFile(std::make_shared<const AttentionSnapshot>(fileSnapshot(std::move(file))),
                          QFileInfo(path).fileName());
    m_views->setCurrentWidget(m_attention);
    if (!pooling)  // maps only (a Hugging Face model's): the heatmap would be empty
        m_attention->setCurrentView(AttentionPanel::View::SelfAttention);
    showStatus(tr("Opened the attention in %1").arg(path), 10000);
    updateModelNote();
    return true;
}

void MainWindow::updateModelNote()
{
    const QString file = m_attention->shownFile();
    if (file.isEmpty() || !m_attention->shownRun().isEmpty()) {
        m_modelPanel->setNewRunNote({});
        return;
    }
    const AttentionSnapshot &shown = m_attention->shown();
    const QString layers = shown.layers == 1 ? tr("1 layer") : tr("%1 layers").arg(shown.layers);
    const QString heads = shown.heads == 1 ? tr("1 head") : tr("%1 heads").arg(shown.heads);
    const QString model = shown.layers > 0 ? tr("%1 × %2").arg(layers, heads) : tr("no self-attention");
    m_modelPanel->setNewRunNote(
        tr("For a new run. The attention shown is read from %1 (%2), not made by these settings.").arg(file, model));
}

namespace {

// A file that opened or was written joins its recent files.
bool remembered(bool ok, RecentFiles *recent, const QString &path)
{
    if (ok)
        recent->add(QFileInfo(path).absoluteFilePath());
    return ok;
}

} // namespace

namespace {

// The data of a session's newest run, where it can be opened: a built-in's
// spec, or its file (readKeptRuns made a relative one absolute: from the
// working directory, else beside the session file, absoluteDatasetSpec).
// Empty when there is none; *missing names the file that is not there.
QString sessionDataSpec(const Session &session, LoadOptions *options, QString *missing)
{
    if (session.keptRuns().empty())
        return {};
    const KeptRun &run = *session.keptRuns().back();
    *options = run.options;
    if (run.dataset.isEmpty() || run.dataset.startsWith(QLatin1String("builtin:")) || QFileInfo::exists(run.dataset))
        return run.dataset;
    *missing = run.dataset;
    return {};
}

} // namespace

bool MainWindow::openSession(const QString &path, bool openItsData)
{
    const bool ok = remembered(m_session->openSessionFile(path), m_file->recentSessions(), path);
    if (!ok)
        return false;
    sessionOpened(openItsData);
    return true;
}

void MainWindow::askToOpenSession(const QString &path)
{
    if (!m_session->hasUnsavedRuns()) {
        openSession(path);
        return;
    }
    // The session's runs that no file has would go: ask first (Save session as keeps them).
    auto *box = new QMessageBox(QMessageBox::Question, tr("Open session?"),
                                tr("Opening %1 drops this session's runs that are not saved in a session file "
                                   "(File > Save session as keeps them). Open it?").arg(QFileInfo(path).fileName()),
                                QMessageBox::Open | QMessageBox::Cancel, this);
    box->setAttribute(Qt::WA_DeleteOnClose);
    connect(box, &QMessageBox::finished, this, [this, path](int result) {
        if (result == QMessageBox::Open)
            openSession(path);
    });
    box->open();
}

// A session file just opened (Open session, a restored recovery file): its
// layout, and the data of its runs (unless the caller opens other data).
void MainWindow::sessionOpened(bool openItsData)
{
    restoreLayout();
    if (!openItsData)
        return;
    // Without data, the runs are their total curves only: their data opens
    // too (per-task curves, validation points, Side by side and Start need
    // it), or the status says which file is missing. Data already open stays.
    if (m_session->dataSpec().isEmpty()) {
        LoadOptions options;
        QString missing;
        const QString spec = sessionDataSpec(*m_session, &options, &missing);
        if (!spec.isEmpty()) {
            connect(this, &MainWindow::datasetLoadFinished, this, [this](const QString &, bool ok) {
                if (ok)
                    showReopenedRunSettings();
            }, Qt::SingleShotConnection);
            openDatasetAsync(spec, options);
        } else if (!missing.isEmpty()) {
            const QString message = tr("The session's runs trained on %1, which is missing: open that data (or a "
                                       "copy) to see their tasks' curves and continue them").arg(missing);
            m_datasetPanel->setSpec(missing);
            m_datasetPanel->setLoadError(message);
            showStatus(message, 0);
        }
    } else {
        showReopenedRunSettings();
    }
}

bool MainWindow::saveSessionAs(const QString &path)
{
    const bool ok = remembered(m_session->saveSessionAs(path), m_file->recentSessions(), path);
    if (ok)
        writeLayout();
    return ok;
}

namespace {

constexpr char StateKey[] = "window/state";
constexpr char TabKey[] = "window/tab";

} // namespace

void MainWindow::writeLayout()
{
    m_session->setLayout(QLatin1String(StateKey), saveState());
    m_session->setLayout(QLatin1String(TabKey), QByteArray::number(m_views->currentIndex()));
}

void MainWindow::restoreLayout()
{
    // A session without a layout (the CLI's, an older window's) leaves the window as it is.
    if (const QByteArray state = m_session->layout(QLatin1String(StateKey)); !state.isEmpty())
        restoreState(state);
    bool ok = false;
    const int tab = m_session->layout(QLatin1String(TabKey)).toInt(&ok);
    if (ok && tab >= 0 && tab < m_views->count())
        m_views->setCurrentIndex(tab);
}

QString MainWindow::recoveryDir()
{
    return QDir(QStandardPaths::writableLocation(QStandardPaths::AppLocalDataLocation)).filePath(QStringLiteral("recovery"));
}

void MainWindow::startRecovery(const QString &dir)
{
    const QStringList found = Session::recoverableSessions(dir);
    if (found.isEmpty()) {
        m_session->startRecovery(dir);
        return;
    }
    m_recoveryDir = dir;
    m_recoveryOffered = found.first();
    SessionFile file;
    QString error;
    int runs = 0;
    if (file.open(m_recoveryOffered, SessionFile::Mode::ReadOnly, &error))
        runs = file.runCount();
    const QString when = QLocale().toString(QFileInfo(m_recoveryOffered).lastModified(), QLocale::ShortFormat);
    auto *box = new QMessageBox(QMessageBox::Question, tr("Restore the last session?"),
                                runs == 1 ? tr("AttnScope ended on %1 with a run that no session file of yours "
                                               "has. Restore it?").arg(when)
                                          : tr("AttnScope ended on %1 with %2 runs that no session file of yours "
                                               "has. Restore them?").arg(when).arg(runs),
                                QMessageBox::Yes | QMessageBox::Discard | QMessageBox::Cancel, this);
    box->setObjectName(QStringLiteral("recoveryQuestion"));
    box->button(QMessageBox::Yes)->setText(tr("Restore"));
    box->button(QMessageBox::Cancel)->setText(tr("Not now"));
    box->setInformativeText(tr("Not now keeps them for the next start; File > Save session as keeps a session for good."));
    box->setAttribute(Qt::WA_DeleteOnClose);
    connect(box, &QMessageBox::finished, this, [this, box]() {
        answerRecovery(box->standardButton(box->clickedButton()));
    });
    box->open();
}

void MainWindow::answerRecovery(int answer)
{
    if (m_recoveryOffered.isEmpty())
        return;
    const QString offered = std::exchange(m_recoveryOffered, QString());
    // Restored as a session is opened: with its data (its runs were their
    // total curves only, with no word why) and its layout.
    if (answer == QMessageBox::Yes && m_session->restoreRecovery(offered)) {
        sessionOpened();
        return;
    }
    if (answer == QMessageBox::Discard)
        Session::discardRecovery(offered);
    m_session->startRecovery(m_recoveryDir);
}

bool MainWindow::saveCheckpoint(const QString &path)
{
    return remembered(m_session->saveCheckpoint(path), m_file->recent(), path);
}

bool MainWindow::exportCurves(const QString &path)
{
    return exportTo(path, [this](const QString &to, QString *error) { return m_curves->exportCsv(to, error); });
}

bool MainWindow::exportPlot(const QString &path)
{
    // Above the curves: what they are of (with overlays, the runs drawn).
    const QString heading = QStringLiteral("%1 · %2").arg(m_session->dataSpec(), m_curves->shownRunsHeading(m_session->currentRun()->name(), m_last.step));
    return exportTo(path, [this, heading](const QString &to, QString *error) {
        return m_curves->exportImage(to, error, heading);
    });
}

// Refuses a path an export cannot go to (a device or FIFO would be replaced
// or block the window; a directory; no such directory), then writes.
bool MainWindow::exportTo(const QString &path, const std::function<bool(const QString &, QString *)> &write)
{
    QString error = QString::fromStdString(checkOutputFile(path.toStdString(), OutputMode::Replace));
    if (!error.isEmpty() || !write(path, &error)) {
        showError(error);
        return false;
    }
    showStatus(tr("Wrote %1").arg(path), 10000);
    return true;
}

void MainWindow::dragEnterEvent(QDragEnterEvent *event)
{
    if (event->mimeData()->hasUrls() && event->mimeData()->urls().size() == 1
        && event->mimeData()->urls().first().isLocalFile())
        event->acceptProposedAction();
}

void MainWindow::dropEvent(QDropEvent *event)
{
    const QString path = event->mimeData()->urls().first().toLocalFile();
    event->acceptProposedAction();
    openFile(path);
}

} // namespace attnscope
