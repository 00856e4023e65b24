#pragma once

class QApplication;

namespace hopscope {

// Follows the desktop's light or dark preference. Qt 6.4 has no colour-scheme API, and on a
// bare X session (no platform theme) its palette is always light, so we ask the desktop the way
// GTK apps do: HOPSCOPE_THEME=dark|light first, then GTK_THEME's ":dark" suffix, then GNOME's
// color-scheme setting (gsettings, with a short timeout). Dark means Fusion with a dark palette.
void applySystemTheme(QApplication &app);
bool prefersDarkTheme();

} // namespace hopscope
