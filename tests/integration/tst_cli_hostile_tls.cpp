// hopscope-cli against TLS servers that are wrong in the ways people meet: an expired
// certificate, one made out for another host, one nobody vouches for, a cleartext server on the
// port, a handshake that never finishes. Each must end in an error that names the cause (not
// OpenSSL's or Qt's first complaint), curl's exit status, a trace code that tells the kinds
// apart, and a hint that does not suggest what cannot help (--cacert for an expired certificate,
// or when --cacert was already given).

#include "clirunner.h"
#include "hostilepeer.h"
#include "tlscertificate.h"

#include <QFileInfo>
#include <QJsonObject>
#include <QRegularExpression>
#include <QTest>

using namespace hopscope::test;
using namespace Qt::StringLiterals;

namespace {

enum class Cert { None, Valid, Expired, NotYetValid, OtherHost };

CertificateSpec specFor(Cert kind)
{
    CertificateSpec spec;
    const QDateTime now = QDateTime::currentDateTimeUtc();
    switch (kind) {
    case Cert::Expired:
        spec.notBefore = QDateTime(QDate(2020, 1, 1), QTime(0, 0), Qt::UTC);
        spec.notAfter = QDateTime(QDate(2020, 1, 2), QTime(0, 0), Qt::UTC);
        break;
    case Cert::NotYetValid:
        spec.notBefore = now.addYears(5);
        spec.notAfter = now.addYears(6);
        break;
    case Cert::OtherHost:
        spec.commonName = u"other.example"_s;
        spec.subjectAltName = u"DNS:other.example,DNS:www.other.example"_s;
        break;
    case Cert::None:
    case Cert::Valid:
        break;
    }
    return spec;
}

} // namespace

class CliHostileTlsTest : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void failures_data();
    void failures();
    void trustedCertificateSucceeds();
};

void CliHostileTlsTest::initTestCase()
{
    const QString cli = CliRunner().program();
    QVERIFY2(!cli.isEmpty(), "HOPSCOPE_CLI is not set: run through CTest");
    QVERIFY2(QFileInfo(cli).isExecutable(), qPrintable(cli + u" is not an executable"_s));
}

void CliHostileTlsTest::failures_data()
{
    QTest::addColumn<QString>("scenario");
    QTest::addColumn<Cert>("cert");                // what the peer presents (None: no TLS at all)
    QTest::addColumn<bool>("trustIt");             // --cacert names the peer's certificate
    QTest::addColumn<QStringList>("args");         // further options
    QTest::addColumn<QStringList>("messageParts"); // regexes the message must all match
    QTest::addColumn<QStringList>("notInMessage"); // regexes it must not match
    QTest::addColumn<QString>("code");
    QTest::addColumn<int>("exitCode");

    const QString expiredOn = u"expired on 2020-01-02 00:00 UTC \\(valid from 2020-01-01"_s;
    QTest::newRow("expired, --cacert names it")
        << u"ok"_s << Cert::Expired << true << QStringList{}
        << QStringList{expiredOn, u"no CA file changes this; -k skips"_s}
        << QStringList{u"self-signed"_s, u"untrusted"_s, u"use --cacert"_s}
        << u"tls-verify:expired"_s << 60;
    QTest::newRow("expired, not trusted either")
        << u"ok"_s << Cert::Expired << false << QStringList{}
        << QStringList{expiredOn, u"self-signed and not among the trusted"_s,
                       u"no CA file changes this"_s}
        << QStringList{u"use --cacert"_s} << u"tls-verify:expired"_s << 60;
    QTest::newRow("not yet valid")
        << u"ok"_s << Cert::NotYetValid << true << QStringList{}
        << QStringList{u"is not valid before 20[3-9][0-9]-"_s} << QStringList{u"self-signed"_s}
        << u"tls-verify:not-yet-valid"_s << 60;
    QTest::newRow("another host's certificate")
        << u"ok"_s << Cert::OtherHost << true << QStringList{}
        << QStringList{u"made out for other\\.example, www\\.other\\.example, not for 127\\.0\\.0\\.1"_s}
        << QStringList{u"use --cacert"_s} << u"tls-verify:hostname"_s << 60;
    QTest::newRow("self-signed, no --cacert")
        << u"ok"_s << Cert::Valid << false << QStringList{}
        << QStringList{u"certificate of localhost is self-signed and not among the trusted"_s,
                       u"use --cacert FILE to trust its CA, or -k"_s}
        << QStringList{} << u"tls-verify:untrusted"_s << 60;
    QTest::newRow("a cleartext server on the port")
        << u"cleartext-reply"_s << Cert::None << false << QStringList{}
        << QStringList{u"did not answer in TLS"_s, u"http://"_s, u"wrong version number"_s}
        << QStringList{} << u"tls"_s << 35;
    QTest::newRow("handshake stalls, --connect-timeout 1")
        << u"silent"_s << Cert::None << false << QStringList{u"--connect-timeout"_s, u"1"_s}
        << QStringList{u"connect timeout after 1000 ms"_s,
                       u"TLS handshake with https://127\\.0\\.0\\.1:\\d+ did not finish"_s,
                       u"TCP had connected after [0-9.]+ ms"_s}
        << QStringList{u"while the TLS"_s} << u"timeout"_s << 28;
}

void CliHostileTlsTest::failures()
{
    QFETCH(QString, scenario);
    QFETCH(Cert, cert);
    QFETCH(bool, trustIt);
    QFETCH(QStringList, args);
    QFETCH(QStringList, messageParts);
    QFETCH(QStringList, notInMessage);
    QFETCH(QString, code);
    QFETCH(int, exitCode);

    SelfSignedCertificate certificate;
    ScriptPeer::Tls tls;
    if (cert != Cert::None) {
        QVERIFY2(certificate.create(specFor(cert)), qPrintable(certificate.errorString()));
        tls.certFile = certificate.certFile();
        tls.keyFile = certificate.keyFile();
    }
    HostilePeer peer;
    QVERIFY2(peer.start(scenario, tls), qPrintable(peer.errorString()));
    if (trustIt)
        args << u"--cacert"_s << certificate.certFile();
    // The peer without TLS answers on http://; the client is told https:// all the same.
    QString url = peer.url(u"/tls"_s);
    url.replace(QRegularExpression(u"^http:"_s), u"https:"_s);

    CliRunner runner;
    runner.setTimeout(std::chrono::seconds(30));
    const CliResult r = runner.run(args + QStringList{url});
    const QString context =
        r.describe() + u"  peer log:\n"_s + QString::fromUtf8(peer.log().right(2000));
    HOPSCOPE_VERIFY_RAN(r);
    qInfo("%s", qPrintable(r.errorMessage()));
    QVERIFY2(r.exitCode == exitCode,
             qPrintable(u"exit code %1, expected %2\n"_s.arg(r.exitCode).arg(exitCode) + context));
    const QString message = r.errorMessage();
    for (const QString &part : messageParts) {
        QVERIFY2(QRegularExpression(part).match(message).hasMatch(),
                 qPrintable(u"message does not match /%1/\n"_s.arg(part) + context));
    }
    for (const QString &part : notInMessage) {
        QVERIFY2(!QRegularExpression(part).match(message).hasMatch(),
                 qPrintable(u"message matches /%1/, which it must not\n"_s.arg(part) + context));
    }
    const QJsonObject failed = r.first(u"request.failed");
    QCOMPARE(failed.value(u"code"_s).toString(), code);
    // The trace keeps the engine's words, without the CLI's hint in parentheses.
    QVERIFY2(!failed.value(u"error"_s).toString().contains(u"-k"_s), qPrintable(context));
    QVERIFY2(!r.has(u"tls"), qPrintable(context)); // no handshake was completed
    QVERIFY2(!r.has(u"response.complete"), qPrintable(context));
}

void CliHostileTlsTest::trustedCertificateSucceeds()
{
    // The same harness with a certificate that is right: failures above are the certificate's.
    SelfSignedCertificate certificate;
    QVERIFY2(certificate.create(), qPrintable(certificate.errorString()));
    HostilePeer peer;
    QVERIFY2(peer.start(u"ok"_s, {certificate.certFile(), certificate.keyFile(), {}}),
             qPrintable(peer.errorString()));
    CliRunner runner;
    const CliResult r = runner.run({u"--cacert"_s, certificate.certFile(), peer.url(u"/a"_s)});
    HOPSCOPE_VERIFY_RAN(r);
    QVERIFY2(r.exitCode == 0, qPrintable(r.describe()));
    QCOMPARE(r.standardOutput, QByteArray("hello from the hostile peer\n"));
    QVERIFY(r.first(u"tls").value(u"verified"_s).toBool());
}

QTEST_GUILESS_MAIN(CliHostileTlsTest)
#include "tst_cli_hostile_tls.moc"
