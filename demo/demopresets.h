#pragma once

#include "demotourplan.h"

#include <QList>
#include <QString>

namespace hopscope {

// A request the window offers under "Demo requests", ready to send to the embedded demo server.
struct DemoPreset
{
    QString label; // "GET /headers — h2c upgrade"
    RequestSpec spec;
};

// The tour's requests one by one (each once), then HTTP/2 by prior knowledge and HTTP/3. A preset
// sets what the request is (URL, method, protocol, upgrade token, ALPN) and nothing else: no
// timeouts, no CA file. Trust in the demo's certificate comes from trustDemoOrigin() when the
// request is sent, for any request to the demo's own origin, typed or picked.
QList<DemoPreset> demoPresets(const DemoTourUrls &urls);

// Trusts the demo certificate for a request to the demo's TLS origin (https or wss, the demo's
// port, 127.0.0.1 or localhost, the names the certificate carries) that names no CA file and
// keeps verification on; any other request is returned unchanged.
RequestSpec trustDemoOrigin(RequestSpec spec, const DemoTourUrls &urls);

} // namespace hopscope
