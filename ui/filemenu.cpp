#include "filemenu.h"

#include "recentfiles.h"

#include <QAction>
#include <QFileDialog>
#include <QFileInfo>
#include <QKeySequence>
#include <QSettings>

namespace attnscope {

FileMenu::FileMenu(QWidget *window)
    : QMenu(tr("&File"), window)
{
    QAction *openData = addAction(tr("Open &dataset…"));
    openData->setShortcut(QKeySequence::Open);
    connect(openData, &QAction::triggered, this, &FileMenu::askDataset);
    QAction *openCkpt = addAction(tr("Open &checkpoint…"));
    openCkpt->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_O));
    connect(openCkpt, &QAction::triggered, this, [this]() {
        const QString path = askOpen(tr("Open checkpoint"), tr("Checkpoints (*.safetensors);;All files (*)"),
                                     QStringLiteral("checkpointDir"));
        if (!path.isEmpty())
            emit checkpointChosen(path);
    });
    QAction *openAttention = addAction(tr("Open &attention…"));
    openAttention->setToolTip(tr("Attention another program computed (JSON, .npy, .npz; docs/attention.md), "
                                 "shown in the attention views for inspection"));
    connect(openAttention, &QAction::triggered, this, [this]() {
        const QString path = askOpen(tr("Open attention"), tr("Attention (*.json *.npy *.npz);;All files (*)"),
                                     QStringLiteral("attentionDir"));
        if (!path.isEmpty())
            emit attentionChosen(path);
    });
    m_recent = new RecentFiles(addMenu(tr("Open &recent")), this);
    connect(m_recent, &RecentFiles::openRequested, this, &FileMenu::recentChosen);
    addSeparator();
    // Sessions: every run, its curves and checkpoints, in one file (docs/session.md).
    const QString sessions = tr("Sessions (*.attnscope);;All files (*)");
    QAction *openSession = addAction(tr("Open s&ession…"));
    connect(openSession, &QAction::triggered, this, [this, sessions]() {
        const QString path = askOpen(tr("Open session"), sessions, QStringLiteral("sessionDir"));
        if (!path.isEmpty())
            emit sessionChosen(path);
    });
    m_recentSessions = new RecentFiles(addMenu(tr("Open recent sess&ion")), this, QStringLiteral("recentSessions"));
    connect(m_recentSessions, &RecentFiles::openRequested, this, &FileMenu::sessionChosen);
    QAction *saveSession = addAction(tr("Save session &as…"));
    saveSession->setShortcut(QKeySequence::SaveAs);
    connect(saveSession, &QAction::triggered, this, [this]() {
        const QString path = askSave(tr("Save session"), tr("Sessions (*.attnscope)"), QStringLiteral("sessionDir"),
                                     QStringLiteral("session.attnscope"));
        if (!path.isEmpty())
            emit saveSessionChosen(path);
    });
    addSeparator();
    m_save = addAction(tr("&Save checkpoint…"));
    m_save->setShortcut(QKeySequence::Save);
    connect(m_save, &QAction::triggered, this, [this]() {
        const QString path = askSave(tr("Save checkpoint"), tr("Checkpoints (*.safetensors)"),
                                     QStringLiteral("checkpointDir"), QStringLiteral("model.safetensors"));
        if (!path.isEmpty())
            emit saveChosen(path);
    });
    m_exportCurves = addAction(tr("Export &curves (CSV)…"));
    connect(m_exportCurves, &QAction::triggered, this, [this]() {
        const QString path = askSave(tr("Export curves"), tr("CSV (*.csv)"), QStringLiteral("exportDir"),
                                     QStringLiteral("curves.csv"));
        if (!path.isEmpty())
            emit exportCurvesChosen(path);
    });
    m_exportPlot = addAction(tr("Export &plot (PNG, SVG, PDF)…"));
    connect(m_exportPlot, &QAction::triggered, this, [this]() {
        const QString path = askSave(tr("Export plot"), tr("PNG (*.png);;SVG (*.svg);;PDF (*.pdf)"),
                                     QStringLiteral("exportDir"), QStringLiteral("curves.png"));
        if (!path.isEmpty())
            emit exportPlotChosen(path);
    });
    addSeparator();
    QAction *quit = addAction(tr("&Quit"));
    quit->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_Q));
    quit->setShortcutContext(Qt::ApplicationShortcut);
    connect(quit, &QAction::triggered, window, &QWidget::close);
}

void FileMenu::askDataset()
{
    const QString path = askOpen(tr("Open dataset"), tr("Datasets (*.jsonl *.json *.csv *.tsv);;All files (*)"),
                                 QStringLiteral("dataDir"));
    if (!path.isEmpty())
        emit datasetChosen(path);
}

QString FileMenu::askOpen(const QString &title, const QString &filter, const QString &key)
{
    QSettings settings;
    const QString path = QFileDialog::getOpenFileName(parentWidget(), title, settings.value(key).toString(), filter);
    if (!path.isEmpty())
        settings.setValue(key, QFileInfo(path).absolutePath());
    return path;
}

QString FileMenu::askSave(const QString &title, const QString &filter, const QString &key, const QString &name)
{
    QSettings settings;
    const QString dir = settings.value(key).toString();
    const QString path = QFileDialog::getSaveFileName(parentWidget(), title,
                                                      dir.isEmpty() ? name : dir + QLatin1Char('/') + name, filter);
    if (!path.isEmpty())
        settings.setValue(key, QFileInfo(path).absolutePath());
    return path;
}

} // namespace attnscope
