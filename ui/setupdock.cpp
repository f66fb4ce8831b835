#include "setupdock.h"

#include "datasetpanel.h"
#include "modelpanel.h"
#include "trainingpanel.h"
#include "wheelguard.h"

#include <QScrollArea>
#include <QStyleOptionDockWidget>
#include <QStylePainter>
#include <QVBoxLayout>

namespace attnscope {

SetupDock::SetupDock(QWidget *parent)
    : QDockWidget(tr("Setup"), parent), m_dataset(new DatasetPanel), m_model(new ModelPanel),
      m_training(new TrainingPanel)
{
    setObjectName(QStringLiteral("setupDock"));
    auto *column = new QWidget;
    auto *layout = new QVBoxLayout(column);
    layout->setContentsMargins(8, 8, 8, 8);
    layout->setSpacing(12);
    layout->addWidget(m_dataset);
    layout->addWidget(m_model);
    layout->addWidget(m_training);
    layout->addStretch(1);
    auto *scroll = new QScrollArea;
    scroll->setWidget(column);
    scroll->setWidgetResizable(true);
    scroll->setFrameShape(QFrame::NoFrame);
    scroll->setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
    column->setMinimumWidth(340);
    scroll->setMinimumWidth(360);
    setWidget(scroll);
    new WheelGuard(this);  // the wheel scrolls the panel; a field changes by it only when it has the focus
    // Closed or floated, View > Setup panel and View > Reset layout bring it back.
    setFeatures(QDockWidget::DockWidgetMovable | QDockWidget::DockWidgetFloatable | QDockWidget::DockWidgetClosable);
}

void SetupDock::paintEvent(QPaintEvent *event)
{
    if (titleBarWidget()) {
        QDockWidget::paintEvent(event);
        return;
    }
    // As QDockWidget does, with the painter's font (the widget's) kept.
    QStylePainter painter(this);
    if (isFloating()) {
        QStyleOptionFrame frame;
        frame.initFrom(this);
        painter.drawPrimitive(QStyle::PE_FrameDockWidget, frame);
    }
    QStyleOptionDockWidget title;
    initStyleOption(&title);
    painter.drawControl(QStyle::CE_DockWidgetTitle, title);
}

} // namespace attnscope
