// The application's look: the Fusion style with the system's, a light or a
// dark palette (View > Theme), kept in QSettings ("view/theme"). Widgets
// follow through QEvent::PaletteChange (the loss plot redraws its axes, grid
// and text; the task colours stay the same in both palettes).
#pragma once

#include <QPalette>
#include <QString>

namespace attnscope {

enum class Theme { System, Light, Dark };

QString toString(Theme theme);            // "system", "light", "dark"
Theme themeFromString(const QString &s);  // System for anything else

QPalette lightPalette();
QPalette darkPalette();

// Sets the Fusion style (once) and the palette of the theme on the whole
// application; System restores the palette the application started with.
void applyTheme(Theme theme);
Theme currentTheme();

// The theme saved in the settings, and saving one.
Theme savedTheme();
void saveTheme(Theme theme);

} // namespace attnscope
