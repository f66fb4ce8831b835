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

#include <vector>

namespace attnscope {

// "attention", "rollout", "gradient × input", "integrated gradients", "occlusion".
QString scoreName(Method score);
QStringList scoreNames();  // the five, in Method order (the chooser's items)
// Gradient x input, integrated gradients and occlusion: a token can push
// towards the class or away from it.
inline bool isSigned(Method score)
{
    return score == Method::Gradient || score == Method::Integrated || score == Method::Occlusion;
}
// When the sample's score was computed, for a title: "step 1200" (attention
// is every snapshot's), "computed at step 1190", "not computed yet", or why
// it was left out.
QString scoreSource(const AttentionSnapshot &snapshot, const AttentionSample *sample, Method score);
// "sample #12", or for the probe editor's input "typed text" / "edited row".
QString sampleName(const AttentionSnapshot &snapshot, const AttentionSample &sample);
// The top of a score's colour scale among `values`: the largest magnitude
// for a signed score, otherwise scaleTop(scale, largest value).
double scoreTop(Method score, ColorScale scale, const std::vector<float> &values);
// The colour of v on a scale whose top is `top`: diverging for a signed score.
QColor scoreColor(ColorMap map, Method score, double v, double top);

} // namespace attnscope
