// File: Open dataset, Open checkpoint, Open attention, Open recent, Open session, Open
// recent session, Save session as, Save checkpoint, Export curves and plot,
// Quit. Each entry asks for its file (starting in the folder
// of the last one of its kind, kept in QSettings) and says which was chosen;
// the window does the rest.
#pragma once

#include <QMenu>
#include <QString>

class QAction;

namespace attnscope {

class RecentFiles;

class FileMenu : public QMenu {
    Q_OBJECT

public:
    // Quit closes `window`.
    explicit FileMenu(QWidget *window);

    QAction *saveAction() const { return m_save; }
    QAction *exportCurvesAction() const { return m_exportCurves; }
    QAction *exportPlotAction() const { return m_exportPlot; }
    RecentFiles *recent() const { return m_recent; }
    RecentFiles *recentSessions() const { return m_recentSessions; }

    // Open dataset…: asks for the file (also for the Dataset panel's Open…).
    void askDataset();

signals:
    void datasetChosen(const QString &path);
    void checkpointChosen(const QString &path);
    // Open attention: a file of attention from another program (core/attentionfile.h).
    void attentionChosen(const QString &path);
    // Open recent: a dataset or a checkpoint.
    void recentChosen(const QString &path);
    void saveChosen(const QString &path);
    // Open session, Open recent session; Save session as.
    void sessionChosen(const QString &path);
    void saveSessionChosen(const QString &path);
    void exportCurvesChosen(const QString &path);
    void exportPlotChosen(const QString &path);

private:
    // The file dialogs; empty when cancelled. key: the QSettings entry of the folder.
    QString askOpen(const QString &title, const QString &filter, const QString &key);
    QString askSave(const QString &title, const QString &filter, const QString &key, const QString &name);

    RecentFiles *m_recent = nullptr, *m_recentSessions = nullptr;
    QAction *m_save = nullptr, *m_exportCurves = nullptr, *m_exportPlot = nullptr;
};

} // namespace attnscope
