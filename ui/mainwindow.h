// The application's main window. For now a placeholder: an empty loss plot, a
// status bar that names the dataset, and a File menu. Training, attention
// heatmaps and the data panels come in later issues.
#pragma once

#include <QMainWindow>
#include <QString>

class QCustomPlot;
class QLabel;

namespace attnscope {

class MainWindow : public QMainWindow {
    Q_OBJECT

public:
    explicit MainWindow(QWidget *parent = nullptr);

    // The dataset spec given on the command line ("builtin:reviews", a path).
    void setDataSpec(const QString &spec);
    QString dataSpec() const { return m_dataSpec; }

    QCustomPlot *lossPlot() const { return m_lossPlot; }

private:
    void createMenus();
    void createLossPlot();

    QCustomPlot *m_lossPlot = nullptr;
    QLabel *m_dataLabel = nullptr;
    QString m_dataSpec;
};

} // namespace attnscope
