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
                                              const QString &lastLibError)
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
                                           "need an answer (SETTINGS or PING): %1")
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
