#pragma once

#include "core/httpheader.h"

#include <QByteArray>
#include <QList>
#include <QString>
#include <QStringList>

#include <limits>

namespace hopscope {

// The shapes between the two halves of the HAR import: HarEntryParser (one JSON entry, checked,
// in here) and HarTraceBuilder (entries → trace events). Internal to engine/har.

// The longest time the import represents, whether a duration or an entry's start after the
// first entry's (about three years): a `time` of 1e300 or a date in 9999 beside one in 1970 is
// clamped to it, so trace times (nanoseconds in a qint64) never overflow.
constexpr double kHarMaxSpanMs = 1e11;

// HAR's timings in milliseconds; -1 where the HAR says "not applicable" (or said something no
// duration can be: negative, NaN, infinite).
struct HarTimingsMs
{
    double blocked = -1, dns = -1, connect = -1, ssl = -1, send = -1, wait = -1, receive = -1;
};

// One of Chrome's `_webSocketMessages`.
struct HarWsDraft
{
    bool sent = false;
    double epochMs = std::numeric_limits<double>::quiet_NaN(); // NaN: no usable time
    bool binary = false;
    bool close = false; // opcode 8 (our own export lists close frames so); data is the reason
    QByteArray data;    // text as UTF-8, binary as base64 (as the trace keeps both)
    qint64 bytes = 0;
    bool truncated = false;
};

// One entry as read and checked, before it becomes events.
struct HarEntryDraft
{
    int index = 0;      // in log.entries, for messages
    qint64 startMs = 0; // startedDateTime, ms since the epoch
    QByteArray method;  // request.method
    QString url;        // request.url
    QByteArray version; // HarReader::normalizedHttpVersion: "" when unknown
    // The request's own httpVersion, normalised: a client may send HTTP/1.1 and get an
    // HTTP/1.0 answer (mitmproxy keeps both).
    QByteArray requestVersion;
    QString rawVersion; // as the HAR spelt it
    HeaderList requestHeaders;
    qint64 requestHeadersSize = -1;
    QByteArray requestBody;
    bool requestBodyTruncated = false;

    bool hasResponse = false; // a response with a status other than 0
    int status = 0;
    QByteArray statusText;
    HeaderList responseHeaders;
    qint64 responseHeadersSize = -1;
    qint64 bodySize = -1; // response.bodySize, else content.size
    QByteArray mimeType;
    QByteArray responseBody;
    bool responseBodyTruncated = false;
    QString error; // Chrome's `_error` / response._error, for an entry without a response

    double timeMs = -1; // `time`, -1 when unusable
    HarTimingsMs timings;
    QString connection; // the `connection` id as the file spelt it, "" for none
    QString serverIp;   // serverIPAddress without IPv6 brackets
    QList<HarWsDraft> wsMessages;
};

} // namespace hopscope
