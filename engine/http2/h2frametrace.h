#pragma once

#include <QByteArrayView>
#include <QCborArray>
#include <QCborMap>
#include <QString>

#include "trace/traceevent.h"

#include <nghttp2/nghttp2.h>

namespace hopscope {

// Turns HTTP/2 frames into the fields of `h2.frame` and `h2.headers` trace events. Names are the
// RFC 9113 spellings; anything unknown stays visible as "UNKNOWN(0x..)" instead of being dropped,
// because an inspector must show what a peer sent even when it makes no sense.
class H2FrameTrace
{
public:
    static QString frameTypeName(quint8 type);
    // Names of the flags set, as they apply to this frame type; bits without a meaning for the
    // type appear as hex ("0x02").
    static QCborArray flagNames(quint8 type, quint8 flags);
    static QString errorCodeName(quint32 code);
    static QString settingName(qint32 id);
    // Debug data and other peer-chosen bytes as text: printable ASCII as is, the rest as \xNN.
    static QString printable(QByteArrayView data);

    // `frame`, `flags`, `length`, then the details of the type (settings, increment, error,
    // lastStreamId, debug, opaque, padding, priority, promisedStream). wireFlags/wireLength
    // override the frame header: nghttp2 folds CONTINUATION frames into the HEADERS it reports.
    static void describe(FieldWriter &w, const nghttp2_frame &frame, quint8 wireFlags,
                         size_t wireLength);
    static void describe(FieldWriter &w, const nghttp2_frame &frame)
    {
        describe(w, frame, frame.hd.flags, frame.hd.length);
    }
    // `frame` and `flags` alone (frames nghttp2 never parsed).
    static void writeFrameAndFlags(FieldWriter &w, quint8 type, quint8 flags);
    // A header block as [[name, value], ...] in wire order: names as atoms, values as bytes.
    static void writeHeaderList(FieldWriter &w, Field key, const nghttp2_nv *nva, size_t count);

    // The same as CBOR, for tests and generic consumers.
    static QCborMap describe(const nghttp2_frame &frame, quint8 wireFlags, size_t wireLength);
    static QCborMap describe(const nghttp2_frame &frame)
    {
        return describe(frame, frame.hd.flags, frame.hd.length);
    }
    static QCborArray headerList(const nghttp2_nv *nva, size_t count);
};

} // namespace hopscope
