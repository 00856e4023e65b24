#pragma once

#include "core/protocolchoice.h"

#include <QString>

#include <span>

namespace hopscope {

// One entry of the composer's protocol mode list. The label and tip are untranslated source
// strings in the "RequestComposer" context; the key names the mode in the settings file and
// must never change.
struct ProtocolModeEntry
{
    ProtocolChoice mode;
    const char *key;
    const char *label;
    const char *tip;
};

// Every mode, in the order the combo box lists them.
std::span<const ProtocolModeEntry> protocolModes();

// "auto", "http1", "h2c-upgrade", "h2c-prior", "h2-tls", "websocket", "upgrade".
QString protocolModeKey(ProtocolChoice mode);
// The mode a key names; Auto for a key no version wrote.
ProtocolChoice protocolModeFromKey(const QString &key);

} // namespace hopscope
