#include "http2/h2errortext.h"

#include "core/exchange.h"
#include "http2/h2frametrace.h"

#include <nghttp2/nghttp2.h>

namespace hopscope {

QString H2ErrorText::invalidFrame(quint8 type, qint32 streamId, bool open, quint32 nextStreamId)
{
    const qint32 id = streamId;
    const QString name = H2FrameTrace::frameTypeName(type);
    if (id == 0 || open)
        return QStringLiteral("%1 frame on stream %2").arg(name).arg(id);
    if (id % 2 == 0) {
        return QStringLiteral("%1 frame on stream %2, an even stream id: only the server opens "
                              "those, by push, which is disabled")
            .arg(name)
            .arg(id);
    }
    if (quint32(id) >= nextStreamId) {
        return QStringLiteral("%1 frame on stream %2, which hopscope never opened (an idle "
                              "stream)")
            .arg(name)
            .arg(id);
    }
    return QStringLiteral("%1 frame on stream %2, which is already closed").arg(name).arg(id);
}

H2ErrorText::Error H2ErrorText::preface(const QByteArray &firstBytes, bool upgraded)
{
    const bool http1 = firstBytes.startsWith("HTTP/");
    const QString sent = H2FrameTrace::printable(http1 ? firstBytes.left(firstBytes.indexOf('\r'))
                                                       : firstBytes.left(32));
    if (upgraded) {
        return {http1 ? "h2-not-spoken" : "h2-preface",
                QStringLiteral("after the 101 to h2c the server sent %1 (\"%2\") "
                               "instead of its HTTP/2 SETTINGS")
                    .arg(http1 ? QStringLiteral("an HTTP/1.x response")
                               : QStringLiteral("bytes that are not HTTP/2"),
                         sent)};
    }
    if (http1) {
        return {"h2-not-spoken",
                QStringLiteral("the server answered in HTTP/1.x (\"%1\"), not HTTP/2: "
                               "it does not speak HTTP/2 with prior knowledge here")
                    .arg(sent)};
    }
    return {"h2-preface", QStringLiteral("the server did not start with a SETTINGS frame (no "
                                         "HTTP/2 connection preface); it sent \"%1\"")
                              .arg(sent)};
}

H2ErrorText::Error H2ErrorText::receiveFailed(int libError, int maxContinuations,
                                              const QString &lastLibError, qint64 pings,
                                              qint64 settings)
{
    const QString lib = QString::fromLatin1(nghttp2_strerror(libError));
    if (libError == NGHTTP2_ERR_TOO_MANY_CONTINUATIONS) {
        return {"limit:maxContinuations",
                QStringLiteral("the server sent more than %1 CONTINUATION frames for "
                               "one header block (limit maxContinuations)")
                    .arg(maxContinuations)};
    }
    if (libError == NGHTTP2_ERR_FLOODED) {
        return {"h2-flood", QStringLiteral("the server flooded the connection with frames that "
                                           "need an answer (SETTINGS or PING; %1 PING and %2 "
                                           "SETTINGS frames received): %3")
                                .arg(pings)
                                .arg(settings)
                                .arg(lib)};
    }
    QString message = QStringLiteral("HTTP/2 session error: %1").arg(lib);
    if (!lastLibError.isEmpty())
        message += QStringLiteral(" (%1)").arg(lastLibError);
    return {"h2-protocol", message};
}

QString H2ErrorText::goawaySent(quint32 errorCode, const QString &debug, const QString &lastInvalid,
                                const QString &lastLibError, quint32 maxFrameSize)
{
    QString message =
        QStringLiteral("HTTP/2 connection error %1").arg(H2FrameTrace::errorCodeName(errorCode));
    if (!lastInvalid.isEmpty()) {
        message += QStringLiteral(": ") + lastInvalid;
        if (!debug.isEmpty())
            message += QStringLiteral(" (nghttp2: %1)").arg(debug);
    } else if (!debug.isEmpty()) {
        message += QStringLiteral(": ") + debug;
    } else if (!lastLibError.isEmpty()) {
        message += QStringLiteral(": ") + lastLibError;
    } else {
        message += QStringLiteral(": the server broke the protocol");
    }
    // nghttp2's "too large" alone does not say which limit: ours, as announced.
    if (errorCode == NGHTTP2_FRAME_SIZE_ERROR && debug.contains(QLatin1StringView("too large"))) {
        message += QStringLiteral(", over the SETTINGS_MAX_FRAME_SIZE of %1 we announced")
                       .arg(maxFrameSize);
    }
    return message + QStringLiteral(" (hopscope sent GOAWAY)");
}

QString H2ErrorText::windowOverflow(qint32 streamId, qint32 increment, qint32 window)
{
    return QStringLiteral("WINDOW_UPDATE on stream %1 with an increment of %2 would take %3 "
                          "send window of %4 bytes past 2^31-1 (RFC 9113 §6.9.1)")
        .arg(streamId)
        .arg(increment)
        .arg(streamId == 0 ? QStringLiteral("the connection's") : QStringLiteral("the stream's"))
        .arg(window);
}

QString H2ErrorText::hpackError(QByteArrayView payloadStart, quint8 flags, qint32 streamId,
                                quint32 tableSize)
{
    QString generic = QStringLiteral("the header block on stream %1 could not be decoded "
                                     "(HPACK, RFC 7541)")
                          .arg(streamId);
    // RFC 9113 §6.2: a pad length byte, then 5 bytes of priority, before the block.
    qsizetype skip = 0;
    if (flags & NGHTTP2_FLAG_PADDED)
        skip += 1;
    if (flags & NGHTTP2_FLAG_PRIORITY)
        skip += 5;
    const QByteArrayView block = payloadStart.sliced(qMin(skip, payloadStart.size()));
    // A dynamic table size update starts with the bits 001, then the size as an integer with a
    // 5-bit prefix (RFC 7541 §6.3, §5.1).
    if (block.isEmpty() || (quint8(block[0]) & 0xe0) != 0x20)
        return generic;
    quint64 value = quint8(block[0]) & 0x1f;
    if (value == 0x1f) {
        int shift = 0;
        for (qsizetype i = 1; i < block.size() && shift < 56; ++i, shift += 7) {
            value += quint64(quint8(block[i]) & 0x7f) << shift;
            if (!(quint8(block[i]) & 0x80))
                break;
        }
    }
    if (value <= tableSize)
        return generic;
    return QStringLiteral("the header block on stream %1 resizes the HPACK dynamic table to %2 "
                          "bytes, above the SETTINGS_HEADER_TABLE_SIZE of %3 we announced "
                          "(RFC 7541 §6.3)")
        .arg(streamId)
        .arg(value)
        .arg(tableSize);
}

QString H2ErrorText::goaway(quint32 errorCode, qint32 lastStream, const QString &debug)
{
    QString s = QStringLiteral("GOAWAY %1, last stream %2")
                    .arg(H2FrameTrace::errorCodeName(errorCode))
                    .arg(lastStream);
    if (!debug.isEmpty())
        s += QStringLiteral(", debug \"%1\"").arg(debug);
    return s;
}

QString H2ErrorText::bodyProgress(const Exchange &ex)
{
    bool known = false;
    const qint64 total = headerValue(ex.responseHeaders, "content-length").toLongLong(&known);
    if (known)
        return QStringLiteral(" after %1 of %2 body bytes").arg(ex.wireBodyBytes()).arg(total);
    return QStringLiteral(" after %1 body bytes").arg(ex.wireBodyBytes());
}

} // namespace hopscope
