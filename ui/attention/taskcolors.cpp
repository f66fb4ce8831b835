#include "taskcolors.h"

#include <array>

namespace attnscope {

namespace {

// Okabe–Ito, in an order where neighbouring tasks differ most; the yellow,
// which is faint on white, comes last.
constexpr std::array<QRgb, 7> Palette = {
    0x0072B2, // blue
    0xD55E00, // vermillion
    0x009E73, // bluish green
    0xCC79A7, // reddish purple
    0xE69F00, // orange
    0x56B4E9, // sky blue
    0xF0E442, // yellow
};

} // namespace

QColor taskColor(int task)
{
    const int n = int(Palette.size());
    return QColor(Palette[size_t(((task % n) + n) % n)]);
}

QColor totalColor(const QPalette &palette)
{
    return palette.color(QPalette::WindowText);
}

bool isDarkPalette(const QPalette &palette)
{
    return palette.color(QPalette::Window).lightness() < palette.color(QPalette::WindowText).lightness();
}

} // namespace attnscope
