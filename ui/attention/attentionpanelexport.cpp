// The attention panel's exports: each view's picture, CSV and JSON, and
// the heading above a picture.
#include "attentionpanel.h"

#include "viewexport.h"
#include "disagreementview.h"
#include "historyview.h"
#include "probeeditor.h"
#include "scores.h"
#include "selfattentionview.h"
#include "taskheatmap.h"
#include "tasknames.h"
#include "textview.h"

#include <QFileDialog>
#include <QFileInfo>
#include <QMessageBox>
#include <QTabWidget>

namespace attnscope {

QString AttentionPanel::csv(View view) const
{
    switch (view) {
    case View::Heatmap: return m_heatmap->csv();
    case View::Text: return m_textView->csv();
    case View::SelfAttention: return m_selfAttention->csv();
    case View::Disagreement: return m_disagreement->csv();
    case View::History: return m_history->csv();
    case View::ProbeEditor: return m_probeEditor->textView()->csv();
    case View::Compare: return m_compare->csv();
    }
    return {};
}

QByteArray AttentionPanel::json(View view) const
{
    // The schema of `attnscope-cli attention`.
    if (view == View::ProbeEditor)
        return QByteArray::fromStdString(snapshotJson(m_probeEditor->result()));
    if (view == View::History || (view == View::Heatmap && m_heatmap->layoutMode() == TaskHeatmap::Layout::SamplesForTask))
        return QByteArray::fromStdString(snapshotJson(*m_shown));
    if (m_selected < 0 || m_selected >= int(m_shown->samples.size()))
        return QByteArray::fromStdString(snapshotJson(AttentionSnapshot()));
    return QByteArray::fromStdString(snapshotJson(*m_shown, {m_selected}));
}

QString AttentionPanel::exportHeading(View which) const
{
    QStringList parts;
    if (!m_file.isEmpty() && !m_fileIsRun) {
        parts << tr("attention from %1").arg(m_file);  // a file's has no step
    } else {
        // The current run (its data and name) or an earlier one (its name), and the step shown.
        if (m_fileIsRun)
            parts << m_file;
        else if (!m_source.isEmpty())
            parts << m_source;
        if (!m_shown->isNull())
            parts << tr("step %1").arg(m_shown->step);
    }
    parts << m_tabs->tabText(int(which)).remove(QLatin1Char('&'));
    if ((which == View::SelfAttention || which == View::Disagreement) && m_selected >= 0
        && m_selected < int(m_shown->samples.size()))
        parts << sampleName(*m_shown, m_shown->samples[size_t(m_selected)]);
    return parts.join(QStringLiteral(" · "));
}

bool AttentionPanel::exportImage(View which, const QString &path, QString *error)
{
    QWidget *w = which == View::Heatmap ? m_heatmap : which == View::Text ? m_textView : view(which);
    ImageOptions options;
    options.heading = exportHeading(which);
    options.title = options.heading;
    return exportViewImage(w, path, error, options);
}

bool AttentionPanel::exportCsv(View view, const QString &path, QString *error)
{
    return writeFileAtomically(path, csv(view).toUtf8(), error);
}

bool AttentionPanel::exportJson(View view, const QString &path, QString *error)
{
    return writeFileAtomically(path, json(view), error);
}

void AttentionPanel::exportCurrent()
{
    const View which = View(m_tabs->currentIndex());
    const QString name = m_tabs->tabText(m_tabs->currentIndex()).toLower().replace(QLatin1Char(' '), QLatin1Char('-'));
    // A file's attention has no step: the file's name instead.
    const QString suggested = m_shown->fromFile
                                  ? QStringLiteral("attention-%1-%2.png").arg(name, QFileInfo(m_file).completeBaseName())
                                  : QStringLiteral("attention-%1-step%2.png").arg(name).arg(m_shown->step);
    const QString path = QFileDialog::getSaveFileName(
        this, tr("Export %1").arg(m_tabs->tabText(m_tabs->currentIndex())), suggested,
        tr("PNG image (*.png);;SVG drawing (*.svg);;PDF document (*.pdf);;CSV numbers (*.csv);;JSON (attnscope-cli attention schema) (*.json)"));
    if (path.isEmpty())
        return;
    QString error;
    const QString suffix = QFileInfo(path).suffix().toLower();
    bool ok = false;
    if (suffix == QLatin1String("csv"))
        ok = exportCsv(which, path, &error);
    else if (suffix == QLatin1String("json"))
        ok = exportJson(which, path, &error);
    else
        ok = exportImage(which, path, &error);
    if (!ok)
        QMessageBox::warning(this, tr("Export failed"), error);
}

} // namespace attnscope
