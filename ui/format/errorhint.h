#pragma once

#include <QString>

namespace hopscope {

// What a window user can do about a failure, by its error code ("tls-verify"), in the window's
// words; empty when there is nothing to suggest. The engine's messages name no front end's
// controls: the command line adds its flags (app/cli), the window adds this.
QString errorHint(const QString &code);

} // namespace hopscope
