#include "mainwindow.h"

#include <QAction>
#include <QApplication>
#include <QKeySequence>
#include <QLabel>
#include <QMenuBar>
#include <QStatusBar>

#include <qcustomplot.h>

namespace attnscope {

MainWindow::MainWindow(QWidget *parent)
    : QMainWindow(parent)
{
    setWindowTitle(tr("AttnScope"));
    createMenus();
    createLossPlot();
    setCentralWidget(m_lossPlot);

    m_dataLabel = new QLabel(this);
    statusBar()->addPermanentWidget(m_dataLabel);
    statusBar()->showMessage(tr("Ready"));
    setDataSpec(QString());
    resize(960, 600);
}

void MainWindow::setDataSpec(const QString &spec)
{
    m_dataSpec = spec;
    m_dataLabel->setText(spec.isEmpty() ? tr("No dataset") : tr("Dataset: %1").arg(spec));
}

void MainWindow::createMenus()
{
    QMenu *fileMenu = menuBar()->addMenu(tr("&File"));
    QAction *quit = fileMenu->addAction(tr("&Quit"));
    quit->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_Q));
    quit->setShortcutContext(Qt::ApplicationShortcut);
    connect(quit, &QAction::triggered, this, &QWidget::close);
}

// The training loss over steps, one graph for the total loss. Empty until the
// training panel (a later issue) feeds it.
void MainWindow::createLossPlot()
{
    m_lossPlot = new QCustomPlot(this);
    m_lossPlot->setObjectName(QStringLiteral("lossPlot"));
    m_lossPlot->plotLayout()->insertRow(0);
    m_lossPlot->plotLayout()->addElement(
        0, 0, new QCPTextElement(m_lossPlot, tr("Training loss (no run yet)"), QFont(font().family(), 11)));
    QCPGraph *loss = m_lossPlot->addGraph();
    loss->setName(tr("loss"));
    loss->setPen(QPen(QColor(31, 119, 180), 1.5));
    m_lossPlot->xAxis->setLabel(tr("step"));
    m_lossPlot->yAxis->setLabel(tr("loss"));
    m_lossPlot->xAxis->setRange(0, 100);
    m_lossPlot->yAxis->setRange(0, 1.5);
    m_lossPlot->replot();
}

} // namespace attnscope
