// The WebSocket frame reader (engine/websocket/websocketframe: ws::FrameInspector, which sees every
// inbound byte before libwslay does, parseFrameHeader and the incremental Utf8Validator) on
// whatever a server sends. The driver around it, libwslay included, is fuzzed through the
// hand-over (fuzz_upgrade_handover, handler 1).
//
// Input: byte 0 sets the inspector's options: bit 0 observe only (our own outbound frames),
// bit 1 expect masked frames (the demo server's side), bit 2 allow RSV1, bits 3-4 the size
// limits (none, small, the defaults, a small message limit only); byte 1 seeds how the rest is
// cut into reads; the rest is the byte stream.
//
// Checked beyond ASan/UBSan: `consumed` stays within what was given and progress is made; a
// frame's payload steps add up to its header's length; and the reader is streaming: the same
// bytes whole and in pieces give the same headers, payloads, frame ends, close codes and
// violation (of a frame that breaks a rule in its payload, only the rule: what came before the
// bad byte is handed out up to the end of the read before it). The UTF-8 validator gives the same
// verdict and offset in pieces as whole.

#include "core/limits.h"
#include "fuzzinput.h"
#include "websocket/websocketframe.h"

#include <QStringList>

using namespace hopscope;
using namespace hopscope::fuzz;
using namespace hopscope::ws;

namespace {

QStringList inspect(const FrameInspector::Options &options, const QList<QByteArrayView> &pieces)
{
    FrameInspector inspector(options);
    QStringList log;
    quint64 payload = 0;
    bool inFrame = false;
    for (QByteArrayView piece : pieces) {
        const QByteArray copy = piece.toByteArray();
        QByteArrayView rest = copy;
        for (int guard = 0;; ++guard) {
            check(guard <= 2 * copy.size() + 4, "no progress");
            qsizetype used = -1;
            const FrameInspector::Step step = inspector.next(rest, &used);
            check(used >= 0 && used <= rest.size(), "consumed out of range");
            switch (step) {
            case FrameInspector::Step::NeedMore:
                check(used == rest.size(), "NeedMore without consuming everything");
                break;
            case FrameInspector::Step::Header: {
                const FrameHeader &h = inspector.header();
                check(!inFrame, "a header inside a frame");
                check(h.size >= 2 && h.size <= kMaxHeaderBytes, "header size");
                check(inspector.headerBytes().size() == h.size, "header bytes");
                FrameHeader again;
                check(parseFrameHeader(inspector.headerBytes(), &again) == h.size &&
                          again.length == h.length && again.opcode == h.opcode,
                      "the header's bytes parse to another header");
                log << QStringLiteral("header %1 message %2")
                           .arg(QString::fromLatin1(inspector.headerBytes().toByteArray().toHex()))
                           .arg(inspector.messageOpcode());
                inFrame = true;
                payload = 0;
                break;
            }
            case FrameInspector::Step::Payload: {
                check(inFrame && used > 0, "payload outside a frame");
                payload += quint64(used);
                check(payload <= inspector.header().length, "payload past the frame's length");
                const QString hex = QString::fromLatin1(rest.first(used).toByteArray().toHex());
                if (!log.isEmpty() && log.last().startsWith(QLatin1String("payload ")))
                    log.last() += hex;
                else
                    log << QStringLiteral("payload ") + hex;
                break;
            }
            case FrameInspector::Step::FrameEnd:
                check(inFrame && payload == inspector.header().length, "frame ended early");
                inFrame = false;
                log << QStringLiteral("end fin %1 close %2 %3 control %4")
                           .arg(inspector.endsMessage())
                           .arg(inspector.closeCode())
                           .arg(QString::fromLatin1(inspector.closeReason().toHex()),
                                QString::fromLatin1(
                                    inspector.controlPayload().toByteArray().toHex()));
                break;
            case FrameInspector::Step::Violation: {
                const Violation &v = inspector.violation();
                check(v.isValid() && !v.message.isEmpty(), "a violation without code or text");
                // Payload bytes before a bad byte in the same read are not handed out, those
                // in earlier reads were: how much of a failing frame was seen may differ.
                if (!log.isEmpty() && log.last().startsWith(QLatin1String("payload ")))
                    log.removeLast();
                log << QStringLiteral("violation %1 %2 in-header %3")
                           .arg(v.closeCode)
                           .arg(QLatin1String(v.code))
                           .arg(inspector.violationInHeader());
                return log;
            }
            }
            rest = rest.sliced(used);
            if (step == FrameInspector::Step::NeedMore)
                break;
        }
    }
    return log;
}

QString validate(const QList<QByteArrayView> &pieces)
{
    Utf8Validator v;
    for (QByteArrayView piece : pieces) {
        if (!v.feed(piece))
            return QStringLiteral("bad at %1").arg(v.offset());
    }
    return QStringLiteral("ok complete %1 offset %2").arg(v.isComplete()).arg(v.offset());
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 2)
        return 0;
    FrameInspector::Options options;
    options.validate = !(data[0] & 1);
    options.expectMasked = data[0] & 2;
    options.allowedRsv = (data[0] & 4) ? kRsv1 : 0;
    switch ((data[0] >> 3) & 3) {
    case 0:
        break; // no limits
    case 1:
        options.maxFrameBytes = 64;
        options.maxMessageBytes = 200;
        break;
    case 2: {
        const Limits defaults;
        options.maxFrameBytes = defaults.maxWebSocketFrameBytes;
        options.maxMessageBytes = defaults.maxWebSocketMessageBytes;
        break;
    }
    case 3:
        options.maxMessageBytes = 100;
        break;
    }
    const QByteArrayView stream(reinterpret_cast<const char *>(data + 2), qsizetype(size - 2));
    const QList<QByteArrayView> whole = slices(stream, 0);
    const QList<QByteArrayView> cut = slices(stream, data[1] | 1);

    const QStringList a = inspect(options, whole);
    const QStringList b = inspect(options, cut);
    if (a != b) {
        std::fprintf(stderr, "whole:\n%s\ncut:\n%s\n", qPrintable(a.join(QLatin1Char('\n'))),
                     qPrintable(b.join(QLatin1Char('\n'))));
        broken("feeding in pieces changed what the inspector saw");
    }
    check(validate(whole) == validate(cut), "UTF-8 verdict depends on the pieces");
    return 0;
}
