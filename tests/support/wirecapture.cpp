#include "wirecapture.h"

#include "processutil.h"

#include <QElapsedTimer>
#include <QFileInfo>
#include <QThread>

#include <climits>
#include <csignal>

namespace hopscope::test {

namespace {

// The pcapng header dumpcap writes once the interface is open and the filter set; packets
// follow it. Its size is only a floor: the first blocks are larger.
constexpr qint64 kPcapngHeaderFloor = 28;

} // namespace

WireCapture::WireCapture()
{
    m_tshark = findProgram(QStringLiteral("tshark"), {QStringLiteral("/usr/bin")});
}

WireCapture::~WireCapture()
{
    stop();
}

QString WireCapture::file() const
{
    return m_dir.filePath(QStringLiteral("capture.pcapng"));
}

bool WireCapture::fail(const QString &message)
{
    m_error = message;
    return false;
}

bool WireCapture::start(quint16 serverPort, Transport transport)
{
    m_transport = transport;
    if (m_tshark.isEmpty())
        return fail(QStringLiteral("tshark is not installed: the fidelity test compares the trace "
                                   "with a capture (apt-get install tshark; scripts/setup.sh)"));
    if (!m_dir.isValid())
        return fail(QStringLiteral("no temporary directory for the capture"));
    m_port = serverPort;
    // A large kernel buffer (-B, MiB): a burst of 20 streams must not lose a packet.
    m_process.setProgram(m_tshark);
    m_process.setArguments(
        {QStringLiteral("-i"), QStringLiteral("lo"), QStringLiteral("-B"), QStringLiteral("64"),
         QStringLiteral("-f"),
         QStringLiteral("%1 port %2")
             .arg(transport == Transport::Udp ? QStringLiteral("udp") : QStringLiteral("tcp"))
             .arg(serverPort),
         QStringLiteral("-w"), file(), QStringLiteral("-q")});
    m_process.setProcessChannelMode(QProcess::MergedChannels);
    dieWithParent(m_process, SIGKILL);
    m_process.start();
    if (!m_process.waitForStarted(5000))
        return fail(QStringLiteral("tshark did not start: %1").arg(m_process.errorString()));
    QElapsedTimer waited;
    waited.start();
    while (waited.elapsed() < 15000) {
        if (m_process.state() != QProcess::Running) {
            const QString out = QString::fromLocal8Bit(m_process.readAll()).trimmed();
            const bool denied = out.contains(QStringLiteral("ermission")) ||
                                out.contains(QStringLiteral("not permitted"));
            return fail(QStringLiteral("tshark could not capture on lo%1: %2")
                            .arg(denied ? QStringLiteral(" (no capture rights: run as root or "
                                                         "give dumpcap CAP_NET_RAW)")
                                        : QString(),
                                 out));
        }
        if (QFileInfo(file()).size() >= kPcapngHeaderFloor) {
            // The file header is written right after the filter is set; a little more time
            // lets dumpcap reach its capture loop.
            QThread::msleep(300);
            return true;
        }
        m_process.waitForReadyRead(50);
    }
    stop();
    return fail(QStringLiteral("tshark did not start capturing within 15 s: %1")
                    .arg(QString::fromLocal8Bit(m_process.readAll())));
}

bool WireCapture::stop()
{
    if (m_process.state() == QProcess::NotRunning)
        return true;
    // dumpcap hands packets over in blocks, a block when it is full or its timeout passed, and
    // a stop drops the block still open: wait until the file has not grown for a while.
    QElapsedTimer waited;
    waited.start();
    qint64 size = QFileInfo(file()).size();
    QElapsedTimer quiet;
    quiet.start();
    while (waited.elapsed() < 5000 && (quiet.elapsed() < 700 || waited.elapsed() < 1000)) {
        QThread::msleep(50);
        const qint64 now = QFileInfo(file()).size();
        if (now != size) {
            size = now;
            quiet.restart();
        }
    }
    ::kill(pid_t(m_process.processId()), SIGINT);
    if (!m_process.waitForFinished(10000)) {
        stopProcess(m_process);
        return fail(QStringLiteral("tshark did not stop on SIGINT"));
    }
    return true;
}

bool WireCapture::readFields(const QStringList &args, QList<QList<QByteArray>> *rows)
{
    QProcess p;
    p.setProgram(m_tshark);
    p.setArguments(QStringList{QStringLiteral("-r"), file(), QStringLiteral("-T"),
                               QStringLiteral("fields"), QStringLiteral("-E"),
                               QStringLiteral("separator=/t"), QStringLiteral("-E"),
                               QStringLiteral("aggregator=,")} +
                   args);
    p.start();
    if (!p.waitForFinished(30000) || p.exitStatus() != QProcess::NormalExit || p.exitCode() != 0)
        return fail(QStringLiteral("tshark %1 failed: %2")
                        .arg(p.arguments().join(QLatin1Char(' ')),
                             QString::fromLocal8Bit(p.readAllStandardError())));
    for (const QByteArray &line : p.readAllStandardOutput().split('\n')) {
        if (!line.trimmed().isEmpty())
            rows->append(line.trimmed().split('\t'));
    }
    return true;
}

bool WireCapture::flows(QMap<quint16, Flow> *out)
{
    QList<QList<QByteArray>> rows;
    const QStringList fields{QStringLiteral("frame.number"),  QStringLiteral("tcp.srcport"),
                             QStringLiteral("tcp.dstport"),   QStringLiteral("tcp.len"),
                             QStringLiteral("tcp.flags.fin"), QStringLiteral("tcp.flags.reset")};
    QStringList args{QStringLiteral("-Y"), QStringLiteral("not tcp.analysis.retransmission")};
    for (const QString &f : fields)
        args << QStringLiteral("-e") << f;
    if (!readFields(args, &rows))
        return false;
    m_clientClosedAt.clear();
    for (const QList<QByteArray> &r : rows) {
        if (r.size() != fields.size())
            return fail(QStringLiteral("unexpected tshark line: %1")
                            .arg(QString::fromLatin1(r.join('\t'))));
        const qint64 number = r[0].toLongLong();
        const auto src = quint16(r[1].toUInt());
        const auto dst = quint16(r[2].toUInt());
        const qint64 len = r[3].toLongLong();
        const auto set = [](const QByteArray &flag) { return flag == "1" || flag == "True"; };
        if (dst == m_port) {
            (*out)[src].toServer += len;
            if ((set(r[4]) || set(r[5])) && !m_clientClosedAt.contains(src))
                m_clientClosedAt.insert(src, number);
        } else if (src == m_port) {
            Flow &f = (*out)[dst];
            (m_clientClosedAt.contains(dst) ? f.fromServerAfterClose : f.fromServer) += len;
        }
    }
    return true;
}

bool WireCapture::h2Frames(const QString &decodeAs, QList<H2Frame> *out)
{
    QList<QList<QByteArray>> rows;
    QStringList args{QStringLiteral("-d"),
                     QStringLiteral("tcp.port==%1,%2").arg(m_port).arg(decodeAs),
                     QStringLiteral("-Y"), QStringLiteral("http2.type")};
    if (!m_keyLog.isEmpty())
        args << QStringLiteral("-o") << QStringLiteral("tls.keylog_file:%1").arg(m_keyLog);
    for (const char *f :
         {"frame.number", "tcp.srcport", "tcp.dstport", "http2.type", "http2.streamid"})
        args << QStringLiteral("-e") << QString::fromLatin1(f);
    if (!readFields(args, &rows))
        return false;
    for (const QList<QByteArray> &r : rows) {
        const QList<QByteArray> types = r.value(3).split(',');
        const QList<QByteArray> streams = r.value(4).split(',');
        if (r.size() != 5 || types.size() != streams.size())
            return fail(QStringLiteral("unexpected tshark line: %1")
                            .arg(QString::fromLatin1(r.join('\t'))));
        const qint64 number = r[0].toLongLong();
        const bool toServer = quint16(r[2].toUInt()) == m_port;
        const auto client = quint16(toServer ? r[1].toUInt() : r[2].toUInt());
        if (!toServer && number > m_clientClosedAt.value(client, LLONG_MAX))
            continue; // sent after our close: see Flow::fromServerAfterClose
        for (qsizetype i = 0; i < types.size(); ++i)
            out->append({client, toServer, types[i].toInt(), streams[i].toLongLong()});
    }
    return true;
}

bool WireCapture::tlsHandshakes(QList<TlsHandshake> *out)
{
    QList<QList<QByteArray>> rows;
    QStringList args{QStringLiteral("-d"), QStringLiteral("tcp.port==%1,tls").arg(m_port),
                     QStringLiteral("-Y"), QStringLiteral("tls.handshake.type")};
    if (!m_keyLog.isEmpty())
        args << QStringLiteral("-o") << QStringLiteral("tls.keylog_file:%1").arg(m_keyLog);
    for (const char *f : {"frame.number", "tcp.srcport", "tcp.dstport", "tls.handshake.type"})
        args << QStringLiteral("-e") << QString::fromLatin1(f);
    if (!readFields(args, &rows))
        return false;
    for (const QList<QByteArray> &r : rows) {
        if (r.size() != 4)
            return fail(QStringLiteral("unexpected tshark line: %1")
                            .arg(QString::fromLatin1(r.join('\t'))));
        const qint64 number = r[0].toLongLong();
        const bool toServer = quint16(r[2].toUInt()) == m_port;
        const auto client = quint16(toServer ? r[1].toUInt() : r[2].toUInt());
        if (!toServer && number > m_clientClosedAt.value(client, LLONG_MAX))
            continue; // sent after our close (a late NewSessionTicket): nobody read it
        for (const QByteArray &type : r[3].split(','))
            out->append({client, toServer, type.toInt()});
    }
    return true;
}

bool WireCapture::quicFlows(QMap<quint16, Flow> *out)
{
    QList<QList<QByteArray>> rows;
    QStringList args;
    for (const char *f : {"frame.number", "udp.srcport", "udp.dstport", "udp.length"})
        args << QStringLiteral("-e") << QString::fromLatin1(f);
    if (!readFields(args, &rows))
        return false;
    m_clientClosedAt.clear();
    for (const QList<QByteArray> &r : rows) {
        if (r.size() != 4)
            return fail(QStringLiteral("unexpected tshark line: %1")
                            .arg(QString::fromLatin1(r.join('\t'))));
        if (quint16(r[2].toUInt()) == m_port) // the client's last datagram so far
            m_clientClosedAt.insert(quint16(r[1].toUInt()), r[0].toLongLong());
    }
    for (const QList<QByteArray> &r : rows) {
        const qint64 number = r[0].toLongLong();
        const qint64 payload = r[3].toLongLong() - 8; // udp.length counts its 8-byte header
        const auto src = quint16(r[1].toUInt());
        const auto dst = quint16(r[2].toUInt());
        if (dst == m_port) {
            (*out)[src].toServer += payload;
        } else if (src == m_port) {
            Flow &f = (*out)[dst];
            (number > m_clientClosedAt.value(dst, LLONG_MAX) ? f.fromServerAfterClose
                                                             : f.fromServer) += payload;
        }
    }
    return true;
}

bool WireCapture::quicPackets(QList<QuicPacket> *out)
{
    QList<QList<QByteArray>> rows;
    QStringList args{QStringLiteral("-d"), QStringLiteral("udp.port==%1,quic").arg(m_port)};
    if (!m_keyLog.isEmpty())
        args << QStringLiteral("-o") << QStringLiteral("tls.keylog_file:%1").arg(m_keyLog);
    for (const char *f : {"frame.number", "udp.srcport", "udp.dstport", "quic.header_form",
                          "quic.long.packet_type", "quic.packet_number", "udp.length"})
        args << QStringLiteral("-e") << QString::fromLatin1(f);
    if (!readFields(args, &rows))
        return false;
    for (const QList<QByteArray> &r : rows) {
        const qint64 number = r.value(0).toLongLong();
        const bool toServer = quint16(r.value(2).toUInt()) == m_port;
        const auto client = quint16(toServer ? r.value(1).toUInt() : r.value(2).toUInt());
        if (!toServer && number > m_clientClosedAt.value(client, LLONG_MAX))
            continue; // after our CONNECTION_CLOSE: nobody read it
        const QList<QByteArray> forms = r.value(3).split(',');
        const QList<QByteArray> longTypes = r.value(4).split(',');
        const QList<QByteArray> numbers = r.value(5).split(',');
        const qint64 payload = r.value(6).toLongLong() - 8; // udp.length counts its header
        if (r.size() < 7 || forms.size() != numbers.size())
            return fail(QStringLiteral("unexpected tshark line (were the keys read?): %1")
                            .arg(QString::fromLatin1(r.join('\t'))));
        qsizetype nextLong = 0;
        for (qsizetype i = 0; i < forms.size(); ++i) {
            QString kind = QStringLiteral("1RTT");
            if (forms[i] == "1") {
                static const char *const longKinds[] = {"initial", "0RTT", "handshake", "retry"};
                const int t = longTypes.value(nextLong++).toInt();
                kind = QString::fromLatin1(t >= 0 && t < 4 ? longKinds[t] : "unknown");
            }
            out->append({client, toServer, kind, numbers[i].toLongLong(), i == 0 ? payload : 0});
        }
    }
    return true;
}

QString WireCapture::frameTypeName(int type)
{
    static const char *const names[] = {"DATA",          "HEADERS",      "PRIORITY", "RST_STREAM",
                                        "SETTINGS",      "PUSH_PROMISE", "PING",     "GOAWAY",
                                        "WINDOW_UPDATE", "CONTINUATION"};
    if (type >= 0 && type < int(std::size(names)))
        return QString::fromLatin1(names[type]);
    return QStringLiteral("UNKNOWN(0x%1)")
        .arg(QString::number(type, 16).toUpper().rightJustified(2, QLatin1Char('0')));
}

} // namespace hopscope::test
