#include "ocsppki.h"

#include "processutil.h"

#include <QDateTime>
#include <QDeadlineTimer>
#include <QFile>

#include <csignal>

namespace hopscope::test {

namespace {

constexpr int readyTimeoutMs = 10000;

// openssl ca's index.txt dates: YYMMDDHHMMSSZ.
QString indexDate(const QDateTime &t)
{
    return t.toUTC().toString(QStringLiteral("yyMMddHHmmss")) + QLatin1Char('Z');
}

} // namespace

OcspPki::~OcspPki()
{
    stop();
}

bool OcspPki::fail(const QString &message)
{
    m_error = message;
    return false;
}

bool OcspPki::openssl(const QStringList &arguments)
{
    QProcess process;
    process.setProcessChannelMode(QProcess::MergedChannels);
    process.setWorkingDirectory(m_dir.path());
    process.start(QStringLiteral("openssl"), arguments);
    if (!process.waitForFinished(60000) || process.exitStatus() != QProcess::NormalExit ||
        process.exitCode() != 0)
        return fail(
            QStringLiteral("openssl %1 failed: %2")
                .arg(arguments.join(QLatin1Char(' ')), QString::fromLocal8Bit(process.readAll())));
    return true;
}

// A leaf certificate for localhost and 127.0.0.1 that names our responder.
bool OcspPki::issue(const QString &name)
{
    QFile ext(path(name + QStringLiteral(".ext")));
    if (!ext.open(QIODevice::WriteOnly) ||
        ext.write(QStringLiteral("subjectAltName=DNS:localhost,IP:127.0.0.1\n"
                                 "authorityInfoAccess=OCSP;URI:http://127.0.0.1:%1/\n"
                                 "basicConstraints=CA:false\n")
                      .arg(m_port)
                      .toLatin1()) < 0)
        return fail(QStringLiteral("cannot write %1").arg(ext.fileName()));
    ext.close();
    return openssl({QStringLiteral("req"), QStringLiteral("-newkey"), QStringLiteral("rsa:2048"),
                    QStringLiteral("-nodes"), QStringLiteral("-keyout"),
                    name + QStringLiteral(".key"), QStringLiteral("-out"),
                    name + QStringLiteral(".csr"), QStringLiteral("-subj"),
                    QStringLiteral("/CN=localhost")}) &&
           openssl({QStringLiteral("x509"), QStringLiteral("-req"), QStringLiteral("-in"),
                    name + QStringLiteral(".csr"), QStringLiteral("-CA"), QStringLiteral("ca.crt"),
                    QStringLiteral("-CAkey"), QStringLiteral("ca.key"),
                    QStringLiteral("-CAcreateserial"), QStringLiteral("-days"), QStringLiteral("2"),
                    QStringLiteral("-out"), name + QStringLiteral(".crt"),
                    QStringLiteral("-extfile"), name + QStringLiteral(".ext")});
}

bool OcspPki::writeIndex()
{
    // The responder looks certificates up by serial in openssl ca's database format:
    // status, expiry, revocation date[,reason], serial, file name, subject.
    QByteArray index;
    const QDateTime now = QDateTime::currentDateTimeUtc();
    for (const bool revoked : {false, true}) {
        QProcess x509;
        x509.start(QStringLiteral("openssl"),
                   {QStringLiteral("x509"), QStringLiteral("-in"), certFile(revoked),
                    QStringLiteral("-noout"), QStringLiteral("-serial")});
        if (!x509.waitForFinished(30000) || x509.exitCode() != 0)
            return fail(QStringLiteral("cannot read the serial of %1").arg(certFile(revoked)));
        const QByteArray serial = x509.readAllStandardOutput().trimmed().split('=').value(1);
        const QString line =
            QStringLiteral("%1\t%2\t%3\t%4\tunknown\t/CN=localhost\n")
                .arg(revoked ? QStringLiteral("R") : QStringLiteral("V"), indexDate(now.addDays(2)),
                     revoked ? indexDate(now.addSecs(-3600)) + QStringLiteral(",keyCompromise")
                             : QString(),
                     QString::fromLatin1(serial));
        index += line.toLatin1();
    }
    QFile f(path(QStringLiteral("index.txt")));
    if (!f.open(QIODevice::WriteOnly) || f.write(index) != index.size())
        return fail(QStringLiteral("cannot write index.txt"));
    return true;
}

bool OcspPki::start()
{
    stop();
    if (!m_dir.isValid())
        return fail(QStringLiteral("cannot create a temporary directory"));
    m_port = freeLoopbackPort();
    if (!m_port)
        return fail(QStringLiteral("no free port for the OCSP responder"));
    if (!openssl({QStringLiteral("req"), QStringLiteral("-x509"), QStringLiteral("-newkey"),
                  QStringLiteral("rsa:2048"), QStringLiteral("-nodes"), QStringLiteral("-keyout"),
                  QStringLiteral("ca.key"), QStringLiteral("-out"), QStringLiteral("ca.crt"),
                  QStringLiteral("-days"), QStringLiteral("2"), QStringLiteral("-subj"),
                  QStringLiteral("/CN=Hopscope Test CA"), QStringLiteral("-addext"),
                  QStringLiteral("basicConstraints=critical,CA:true"), QStringLiteral("-addext"),
                  QStringLiteral("keyUsage=critical,keyCertSign,cRLSign")}) ||
        !issue(QStringLiteral("good")) || !issue(QStringLiteral("revoked")) || !writeIndex())
        return false;

    m_responder = std::make_unique<QProcess>();
    m_responder->setProcessChannelMode(QProcess::MergedChannels);
    m_responder->setStandardOutputFile(path(QStringLiteral("responder.log")));
    m_responder->setWorkingDirectory(m_dir.path());
    dieWithParent(*m_responder, SIGKILL);
    // -nmin: responses valid for an hour, so a staple is never stale during a test.
    m_responder->start(QStringLiteral("openssl"),
                       {QStringLiteral("ocsp"), QStringLiteral("-index"),
                        QStringLiteral("index.txt"), QStringLiteral("-port"),
                        QString::number(m_port), QStringLiteral("-rsigner"),
                        QStringLiteral("ca.crt"), QStringLiteral("-rkey"), QStringLiteral("ca.key"),
                        QStringLiteral("-CA"), QStringLiteral("ca.crt"), QStringLiteral("-nmin"),
                        QStringLiteral("60")});
    if (!m_responder->waitForStarted(10000))
        return fail(
            QStringLiteral("cannot start openssl ocsp: %1").arg(m_responder->errorString()));
    if (!waitUntilListening(readyTimeoutMs)) {
        QFile log(path(QStringLiteral("responder.log")));
        log.open(QIODevice::ReadOnly);
        return fail(QStringLiteral("openssl ocsp did not listen on port %1: %2")
                        .arg(m_port)
                        .arg(QString::fromLocal8Bit(log.readAll())));
    }
    return true;
}

bool OcspPki::waitUntilListening(int timeoutMs)
{
    const QDeadlineTimer deadline(timeoutMs);
    while (!deadline.hasExpired()) {
        if (m_responder->state() == QProcess::NotRunning)
            return false;
        // Not a TCP probe: OpenSSL 3.0's responder, one connection at a time, hangs on a
        // connection that closes without a request. It says when it listens.
        QFile log(path(QStringLiteral("responder.log")));
        if (log.open(QIODevice::ReadOnly) && log.readAll().contains("waiting for OCSP client"))
            return true;
        m_responder->waitForFinished(100);
    }
    return false;
}

void OcspPki::stop()
{
    if (m_responder)
        stopProcess(*m_responder, 2000);
    m_responder.reset();
}

} // namespace hopscope::test
