// Session's comparisons (session.h): runs trained one after another from
// the same seed and initial weights, one variant of the settings each.
#include "session.h"

namespace attnscope {

// --- Comparisons.

std::vector<Session::Variant> Session::variants(Comparison comparison, const RunSettings &base)
{
    std::vector<Variant> out;
    switch (comparison) {
    case Comparison::Modes:
        for (AttentionMode mode : {AttentionMode::Task, AttentionMode::Shared, AttentionMode::Gated, AttentionMode::Uniform}) {
            Variant v{QString::fromLatin1(toString(mode)), base};
            v.settings.model.mode = mode;
            out.push_back(v);
        }
        break;
    case Comparison::Layers:
        for (int layers : {0, 1}) {
            Variant v{layers == 1 ? tr("1 layer") : tr("%1 layers").arg(layers), base};
            v.settings.model.layers = layers;
            out.push_back(v);
        }
        break;
    case Comparison::LearningRates:
        for (float factor : {1.0f / 3.0f, 1.0f, 3.0f}) {
            Variant v{{}, base};
            v.settings.train.optimizer.lr = base.train.optimizer.lr * factor;
            v.name = tr("lr %1").arg(double(v.settings.train.optimizer.lr), 0, 'g', 3);
            out.push_back(v);
        }
        break;
    }
    return out;
}

bool Session::compareRuns(const QString &what, std::vector<Variant> variants)
{
    if (!m_data) {
        emit failed(tr("Open a dataset first: the runs compared train on it."));
        return false;
    }
    for (const Variant &v : variants)
        if (!v.settings.valid()) {
            emit failed(tr("%1: %2").arg(v.name, QString::fromStdString(v.settings.problem)));
            return false;
        }
    if (variants.empty())
        return false;
    TrainingController *training = m_run->controller();
    if (training->state() == TrainingWorker::State::Running)
        training->pause();
    m_variants.assign(std::make_move_iterator(variants.begin()), std::make_move_iterator(variants.end()));
    m_compareTotal = int(m_variants.size());
    m_compareWhat = what;
    m_compareFrom.reset();
    m_variant.reset();
    nextVariant();
    return true;
}

void Session::nextVariant()
{
    if (m_variants.empty()) {
        if (m_variant) {
            m_variant.reset();
            m_compareFrom.reset();
            emit comparisonProgress(m_compareTotal, m_compareTotal, m_compareWhat);
            emit status(tr("Compared %1: %2 runs, in the Runs tab").arg(m_compareWhat).arg(m_compareTotal), 0);
        }
        return;
    }
    m_variant = std::move(m_variants.front());
    m_variants.pop_front();
    const int done = m_compareTotal - int(m_variants.size()) - 1;
    emit comparisonProgress(done, m_compareTotal, m_compareWhat);
    emit status(tr("Comparing %1: run %2 of %3, %4").arg(m_compareWhat).arg(done + 1).arg(m_compareTotal)
                    .arg(m_variant->name), 0);
    if (!newRun())  // configureRun names and starts it (now, or when a large data's build is done)
        stopComparing();
}

void Session::stopComparing()
{
    if (!isComparing())
        return;
    m_variants.clear();
    m_variant.reset();
    m_compareFrom.reset();
    emit comparisonProgress(m_compareTotal, m_compareTotal, m_compareWhat);
    emit status(tr("Stopped comparing %1").arg(m_compareWhat), 10000);
}

} // namespace attnscope
