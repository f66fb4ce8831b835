#include "scores.h"

#include "liveexplainer.h"

#include <QCoreApplication>

namespace attnscope {

namespace {
QString tr(const char *text)
{
    return QCoreApplication::translate("attnscope", text);
}
} // namespace

QString scoreName(Method score)
{
    switch (score) {
    case Method::Attention: return tr("attention");
    case Method::Rollout: return tr("rollout");
    case Method::Gradient: return tr("gradient × input");
    case Method::Integrated: return tr("integrated gradients");
    case Method::Occlusion: return tr("occlusion");
    case Method::Random: return tr("random");
    }
    return {};
}

QStringList scoreNames()
{
    QStringList names;
    for (int m = 0; m < ScoreCount; ++m)
        names << scoreName(Method(m));
    return names;
}

QString scoreColumnName(Method score)
{
    return score == Method::Attention ? QStringLiteral("weight") : QString::fromLatin1(toString(score));
}

QString scoreSource(const AttentionSnapshot &snapshot, const AttentionSample *sample, Method score)
{
    if (snapshot.step < 0)
        return tr("no snapshot yet");
    if (score == Method::Attention)
        return snapshot.fromFile ? tr("from a file") : tr("step %1").arg(snapshot.step);
    if (snapshot.fromFile)
        return tr("not in a file");  // no model here to compute it
    if (snapshot.taskCount() > LiveExplainer::MaxTasks)
        return tr("not computed live for more than %1 tasks (attnscope-cli explain has it)").arg(LiveExplainer::MaxTasks);
    if (!sample || !sample->explanation)
        return snapshot.explanationsOff ? tr("live explanations are off (Explain live)") : tr("not computed yet");
    if (sample->scores(0, score).empty() && sample->explanation->reduced)
        return tr("left out live for inputs over %1 tokens (the selected sample: %2; attnscope-cli explain has it)")
            .arg(LiveExplainer::AllScoresTokens)
            .arg(LiveExplainer::FocusAllScoresTokens);
    return tr("computed at step %1").arg(sample->explanation->step);
}

QString sampleName(const AttentionSnapshot &snapshot, const AttentionSample &sample)
{
    if (sample.sampleIndex >= 0)
        return tr("sample #%1").arg(sample.sampleIndex);
    return snapshot.input == InputKind::Tabular ? tr("edited row") : tr("typed text");
}

double scoreTop(Method score, ColorScale scale, double largest)
{
    if (isSigned(score))
        return largest > 0 ? largest : 1.0;
    return scaleTop(scale, largest);
}

QColor scoreColor(ColorMap map, Method score, double v, double top)
{
    if (isSigned(score))
        return divergingColorAt(top > 0 ? v / top : 0);
    return colorAt(map, top > 0 ? v / top : 0);
}

} // namespace attnscope
