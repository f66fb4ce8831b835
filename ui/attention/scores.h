// The five scores of MODEL.md 9 as the attention views show them: one
// chooser (the panel's "Score") sets the score of every view, which names it
// in its title and says when it was computed (explanations come from the
// worker less often than attention: live/liveexplainer.h). Signed scores are
// drawn in the diverging map centred on 0, the others in the panel's map.
#pragma once

#include "attentionsnapshot.h"
#include "colormaps.h"

#include <QColor>
#include <QString>
#include <QStringList>

#include <algorithm>
#include <cmath>
#include <vector>

namespace attnscope {

// "attention", "rollout", "gradient × input", "integrated gradients", "occlusion".
QString scoreName(Method score);
QStringList scoreNames();  // the five, in Method order (the chooser's items)
// The name of a view's value column in its CSV export: toString(score), but
// "weight" for attention (as before there were other scores).
QString scoreColumnName(Method score);
// Gradient x input, integrated gradients and occlusion: a token can push
// towards the class or away from it.
inline bool isSigned(Method score)
{
    return score == Method::Gradient || score == Method::Integrated || score == Method::Occlusion;
}
// When the sample's score was computed, for a title: "step 1200" (attention
// is every snapshot's; "from a file" for a file's, which has no other score), "computed at step 1190", "not computed yet", or why
// it was left out (live explanations off, too many tasks, too long).
QString scoreSource(const AttentionSnapshot &snapshot, const AttentionSample *sample, Method score);
// "sample #12", or for the probe editor's input "typed text" / "edited row".
QString sampleName(const AttentionSnapshot &snapshot, const AttentionSample &sample);
// The largest of `values` as a score's colour scale reads them: the largest
// magnitude for a signed score, otherwise the largest value; 0 when none is
// finite (or, unsigned, above 0). Over several rows: the largest of theirs.
template <typename Values>
double largestValue(Method score, const Values &values)
{
    double largest = 0;
    for (double v : values)
        if (std::isfinite(v))
            largest = std::max(largest, isSigned(score) ? std::abs(v) : v);
    return largest;
}
// The top of a score's colour scale whose largest value is `largest`
// (largestValue()): itself, or 1 when 0, for a signed score, otherwise
// scaleTop(scale, largest).
double scoreTop(Method score, ColorScale scale, double largest);
// The colour of v on a scale whose top is `top`: diverging for a signed score.
QColor scoreColor(ColorMap map, Method score, double v, double top);

} // namespace attnscope
