#include "trainingtoolbar.h"

#include <QAction>
#include <QComboBox>
#include <QEvent>
#include <QKeySequence>
#include <QLabel>
#include <QPainter>
#include <QPainterPath>
#include <QStyle>

#include <algorithm>
#include <cmath>

namespace attnscope {

TrainingToolbar::TrainingToolbar(QWidget *parent)
    : QToolBar(tr("Training"), parent)
{
    setObjectName(QStringLiteral("trainingToolbar"));
    setToolButtonStyle(Qt::ToolButtonTextBesideIcon);
    setMovable(false);
    const auto make = [this](const QString &name, const QString &text, const QKeySequence &key, const QString &tip) {
        auto *action = new QAction(text, this);
        action->setObjectName(name);
        action->setShortcut(key);
        action->setToolTip(QStringLiteral("%1 (%2)").arg(tip, key.toString(QKeySequence::NativeText)));
        action->setShortcutContext(Qt::WindowShortcut);
        addAction(action);
        return action;
    };
    m_start = make(QStringLiteral("start"), tr("&Start"), QKeySequence(Qt::Key_F5), tr("Train from the start"));
    m_pause = make(QStringLiteral("pause"), tr("&Pause"), QKeySequence(), tr("Pause or resume training"));
    m_pause->setToolTip(tr("Pause or resume training (Space)"));
    m_step = make(QStringLiteral("step"), tr("S&tep"), QKeySequence(Qt::Key_F10), tr("Train one batch"));
    m_stop = make(QStringLiteral("stop"), tr("St&op"), QKeySequence(Qt::SHIFT | Qt::Key_F5),
                  tr("Stop training, keep the weights"));
    m_reset = make(QStringLiteral("reset"), tr("&Reset"), QKeySequence(Qt::CTRL | Qt::Key_R),
                   tr("Back to the initial weights (same seed)"));
    updateIcons();
    createSpeedBox();
}

void TrainingToolbar::createSpeedBox()
{
    m_speed = new QComboBox(this);
    m_speed->setObjectName(QStringLiteral("speed"));
    for (double rate : {0.0, 300.0, 100.0, 30.0, 10.0, 3.0, 1.0})
        m_speed->addItem(rate == 0 ? tr("full speed") : tr("%1 steps/s").arg(rate), rate);
    m_speed->setToolTip(tr("At most this many training steps a second; applies at once (Ctrl+[ slower, Ctrl+] faster)"));
    connect(m_speed, &QComboBox::currentIndexChanged, this, [this]() {
        const double rate = m_speed->currentData().toDouble();
        if (!m_speedForRun)
            m_savedSpeed = rate;
        emit speedChanged(rate);
    });
    auto *label = new QLabel(tr("Speed"), this);
    label->setContentsMargins(12, 0, 6, 0);
    label->setBuddy(m_speed);
    addSeparator();
    addWidget(label);
    addWidget(m_speed);
    // In the Training menu (the window adds them), not on the toolbar.
    m_slower = new QAction(tr("S&lower"), this);
    m_slower->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_BracketLeft));
    connect(m_slower, &QAction::triggered, this,
            [this]() { m_speed->setCurrentIndex(std::min(m_speed->currentIndex() + 1, m_speed->count() - 1)); });
    m_faster = new QAction(tr("&Faster"), this);
    m_faster->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_BracketRight));
    connect(m_faster, &QAction::triggered, this, [this]() { m_speed->setCurrentIndex(std::max(m_speed->currentIndex() - 1, 0)); });
}

void TrainingToolbar::setControls(const ControlState &controls)
{
    m_start->setEnabled(controls.start);
    m_pause->setEnabled(controls.pause);
    // "\tSpace" shows the key in the menus (it is not a QAction shortcut).
    m_pause->setText(controls.resume ? tr("Res&ume\tSpace") : tr("&Pause\tSpace"));
    m_pause->setIconText(controls.resume ? tr("Resume") : tr("Pause"));
    if (m_resume != controls.resume) {
        m_resume = controls.resume;
        updateIcons();
    }
    m_step->setEnabled(controls.step);
    m_stop->setEnabled(controls.stop);
    m_reset->setEnabled(controls.reset);
}

QIcon TrainingToolbar::glyphIcon(Glyph glyph, const QPalette &palette)
{
    QIcon icon;
    for (const QIcon::Mode mode : {QIcon::Normal, QIcon::Disabled}) {
        const QColor color = palette.color(mode == QIcon::Disabled ? QPalette::Disabled : QPalette::Active,
                                           QPalette::ButtonText);
        for (const int side : {16, 24, 32, 48}) {
            QPixmap pixmap(side, side);
            pixmap.fill(Qt::transparent);
            QPainter painter(&pixmap);
            painter.setRenderHint(QPainter::Antialiasing);
            painter.setPen(Qt::NoPen);
            painter.setBrush(color);
            const double u = side / 16.0;  // drawn on a 16-unit grid
            const auto triangle = [&](double x0, double x1) {
                QPainterPath path;
                path.moveTo(x0 * u, 3 * u);
                path.lineTo(x1 * u, 8 * u);
                path.lineTo(x0 * u, 13 * u);
                path.closeSubpath();
                painter.drawPath(path);
            };
            switch (glyph) {
            case Glyph::Play: triangle(4, 13); break;
            case Glyph::Pause:
                painter.drawRect(QRectF(4 * u, 3 * u, 3 * u, 10 * u));
                painter.drawRect(QRectF(9 * u, 3 * u, 3 * u, 10 * u));
                break;
            case Glyph::Step:
                triangle(3, 11);
                painter.drawRect(QRectF(11 * u, 3 * u, 2 * u, 10 * u));
                break;
            case Glyph::Stop: painter.drawRect(QRectF(4 * u, 4 * u, 8 * u, 8 * u)); break;
            }
            painter.end();
            icon.addPixmap(pixmap, mode);
        }
    }
    return icon;
}

void TrainingToolbar::updateIcons()
{
    const QPalette pal = palette();
    m_start->setIcon(glyphIcon(Glyph::Play, pal));
    m_pause->setIcon(glyphIcon(m_resume ? Glyph::Play : Glyph::Pause, pal));
    m_step->setIcon(glyphIcon(Glyph::Step, pal));
    m_stop->setIcon(glyphIcon(Glyph::Stop, pal));
    m_reset->setIcon(style()->standardIcon(QStyle::SP_BrowserReload));
}

void TrainingToolbar::changeEvent(QEvent *event)
{
    QToolBar::changeEvent(event);
    if (m_reset && (event->type() == QEvent::PaletteChange || event->type() == QEvent::StyleChange))
        updateIcons();
}

void TrainingToolbar::setSpeed(double stepsPerSecond, bool persist)
{
    const double rate = std::isfinite(stepsPerSecond) ? std::max(0.0, stepsPerSecond) : 0.0;
    int index = m_speed->findData(rate);
    if (index < 0) {
        // Between the box's rates, in order (they fall from full speed down).
        index = 1;
        while (index < m_speed->count() && m_speed->itemData(index).toDouble() > rate)
            ++index;
        m_speed->insertItem(index, tr("%1 steps/s").arg(rate), rate);
    }
    m_speedForRun = !persist;
    m_speed->setCurrentIndex(index);
    m_speedForRun = false;
    if (persist)
        m_savedSpeed = rate;
    emit speedChanged(rate);  // also when the index did not change
}

} // namespace attnscope
