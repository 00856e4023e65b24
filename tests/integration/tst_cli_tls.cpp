// hopscope-cli's own TLS against a real Apache (mod_ssl): client certificates on a vhost that
// requires them (SSLVerifyClient require), key logging through --keylog and SSLKEYLOGFILE, and
// the handshake as `tls.message` events and -v lines. Wireshark decrypting what was logged is
// tst_wire_fidelity's part.

#include "apachefixture.h"
#include "clirunner.h"

#include <QFile>
#include <QJsonArray>
#include <QProcess>
#include <QTest>

using namespace hopscope::test;
using namespace Qt::StringLiterals;

namespace {

QString str(const QJsonObject &e, const char *key)
{
    return e.value(QLatin1String(key)).toString();
}

// "> ClientHello", "< CertificateRequest": each handshake message of the run, in order.
QStringList handshake(const CliResult &r)
{
    QStringList out;
    for (const QJsonObject &e : r.events(u"tls.message"))
        out << (str(e, "dir") == u"out" ? u"> "_s : u"< "_s) + str(e, "name");
    return out;
}

QStringList keyLogLabels(const QString &path)
{
    QFile f(path);
    QStringList labels;
    if (!f.open(QIODevice::ReadOnly))
        return labels;
    for (const QByteArray &line : f.readAll().split('\n')) {
        if (!line.isEmpty())
            labels << QString::fromLatin1(line.left(line.indexOf(' ')));
    }
    return labels;
}

} // namespace

class CliTlsTest : public QObject
{
    Q_OBJECT
private slots:
    void initTestCase();
    void cleanupTestCase();
    void clientCertificate_data();
    void clientCertificate();
    void keyLog_data();
    void keyLog();
    void verboseShowsTheHandshake();

private:
    ApacheFixture m_apache;
    QString m_p12;
    QTemporaryDir m_dir;
};

void CliTlsTest::initTestCase()
{
    QVERIFY2(!CliRunner().program().isEmpty(), "HOPSCOPE_CLI is not set: run through CTest");
    QVERIFY2(m_apache.start(), qPrintable(m_apache.errorString()));
    m_p12 = m_dir.filePath(u"client.p12"_s);
    QProcess openssl;
    openssl.setProcessChannelMode(QProcess::MergedChannels);
    openssl.start(u"openssl"_s, {u"pkcs12"_s, u"-export"_s, u"-in"_s, m_apache.clientCertFile(),
                                 u"-inkey"_s, m_apache.clientKeyFile(), u"-out"_s, m_p12,
                                 u"-passout"_s, u"pass:open:sesame"_s});
    QVERIFY(openssl.waitForFinished(60000));
    QVERIFY2(openssl.exitCode() == 0, openssl.readAll().constData());
}

void CliTlsTest::cleanupTestCase()
{
    m_apache.stop();
}

void CliTlsTest::clientCertificate_data()
{
    QTest::addColumn<QStringList>("options");
    QTest::addColumn<int>("exitCode");
    QTest::addColumn<QString>("says"); // in the error message; empty when the request succeeds
    QTest::newRow("PEM certificate, --key")
        << QStringList{u"--cert"_s, m_apache.clientCertFile(), u"--key"_s, m_apache.clientKeyFile()}
        << 0 << QString();
    // curl's FILE:PASSWORD, the password holding a colon itself (only the first one splits).
    QTest::newRow("PKCS#12, FILE:PASSWORD")
        << QStringList{u"--cert"_s, m_p12 + u":open:sesame"_s} << 0 << QString();
    QTest::newRow("PKCS#12, --pass")
        << QStringList{u"-E"_s, m_p12, u"--pass"_s, u"open:sesame"_s} << 0 << QString();
    QTest::newRow("PKCS#12, wrong password")
        << QStringList{u"--cert"_s, m_p12 + u":wrong"_s} << 58 << u"wrong password?"_s;
    // TLS 1.3: the server judges the client's certificate after our Finished; its alert comes
    // when we read, as for curl (exit 56).
    QTest::newRow("none, but required") << QStringList{} << 56 << u"certificate required"_s;
}

void CliTlsTest::clientCertificate()
{
    QFETCH(QStringList, options);
    QFETCH(int, exitCode);
    QFETCH(QString, says);
    CliRunner runner;
    const QString url = u"https://127.0.0.1:%1/small.txt"_s.arg(m_apache.mtlsPort());
    const CliResult r = runner.run(QStringList{u"--cacert"_s, m_apache.caFile(), u"-i"_s} +
                                   options + QStringList{url});
    HOPSCOPE_VERIFY_RAN(r);
    QVERIFY2(r.exitCode == exitCode, qPrintable(r.describe()));
    if (exitCode == 58) {
        QVERIFY2(r.errorMessage().contains(says), qPrintable(r.describe()));
        QVERIFY2(!r.has(u"tls.message"), qPrintable(r.describe())); // nothing was sent
        return;
    }
    const QJsonObject tls = r.first(u"tls");
    QVERIFY2(tls.value(u"certificateRequested"_s).toBool(), qPrintable(r.describe()));
    QVERIFY2(handshake(r).contains(u"< CertificateRequest"_s), qPrintable(r.describe()));
    if (!says.isEmpty()) {
        QVERIFY2(!tls.contains(u"clientCertificate"_s), qPrintable(r.describe()));
        QVERIFY2(r.errorMessage().contains(says), qPrintable(r.describe()));
        bool alert = false;
        for (const QJsonObject &e : r.events(u"tls.message"))
            alert |= str(e, "kind") == u"alert" && str(e, "dir") == u"in" &&
                     str(e, "level") == u"fatal" && str(e, "name") == u"certificate required";
        QVERIFY2(alert, qPrintable(r.describe()));
        return;
    }
    QCOMPARE(str(tls.value(u"clientCertificate"_s).toObject(), "subject"),
             u"hopscope test client"_s);
    // Apache names the certificate it verified.
    QVERIFY2(r.standardOutput.toLower().contains("x-client-subject: hopscope test client"),
             r.standardOutput.constData()); // HTTP/2: the name arrives in lower case
}

void CliTlsTest::keyLog_data()
{
    QTest::addColumn<bool>("viaEnvironment");
    QTest::addColumn<QString>("alpn");
    QTest::addColumn<QStringList>("labels");
    const QStringList tls13{u"CLIENT_HANDSHAKE_TRAFFIC_SECRET"_s,
                            u"SERVER_HANDSHAKE_TRAFFIC_SECRET"_s, u"CLIENT_TRAFFIC_SECRET_0"_s,
                            u"SERVER_TRAFFIC_SECRET_0"_s, u"EXPORTER_SECRET"_s};
    QTest::newRow("--keylog, h2") << false << u"h2"_s << tls13;
    QTest::newRow("SSLKEYLOGFILE, http/1.1") << true << u"http/1.1"_s << tls13;
}

void CliTlsTest::keyLog()
{
    QFETCH(bool, viaEnvironment);
    QFETCH(QString, alpn);
    QFETCH(QStringList, labels);
    const QString file = m_dir.filePath(u"keys-%1.log"_s.arg(viaEnvironment));
    QFile::remove(file);
    QStringList args{u"--cacert"_s, m_apache.caFile(), u"--alpn"_s, alpn, u"-o"_s, u"/dev/null"_s};
    if (viaEnvironment)
        qputenv("SSLKEYLOGFILE", QFile::encodeName(file));
    else
        args << u"--keylog"_s << file;
    CliRunner runner;
    const CliResult r = runner.run(args << m_apache.url(true, u"/small.txt"_s));
    qunsetenv("SSLKEYLOGFILE");
    HOPSCOPE_VERIFY_RAN(r);
    QVERIFY2(r.exitCode == 0, qPrintable(r.describe()));
    const QJsonObject tls = r.first(u"tls");
    QCOMPARE(str(tls, "alpn"), alpn);
    QCOMPARE(str(tls, "keyLog"), file); // where the secrets went; never the secrets themselves
    QStringList logged = keyLogLabels(file);
    logged.sort();
    labels.sort();
    QCOMPARE(logged, labels);
    const QFile::Permissions perms = QFile(file).permissions();
    QVERIFY(!(perms & (QFile::ReadGroup | QFile::ReadOther)));
}

void CliTlsTest::verboseShowsTheHandshake()
{
    CliRunner runner;
    const CliResult r = runner.run({u"-v"_s, u"--cacert"_s, m_apache.caFile(), u"-o"_s,
                                    u"/dev/null"_s, m_apache.url(true, u"/small.txt"_s)});
    HOPSCOPE_VERIFY_RAN(r);
    QVERIFY2(r.exitCode == 0, qPrintable(r.describe()));
    const QString err = QString::fromUtf8(r.standardError);
    for (const QString &line :
         {u"TLS handshake (OUT): ClientHello"_s, u"TLS handshake (IN): ServerHello"_s,
          u"TLS handshake (IN): Certificate,"_s, u"TLS handshake (OUT): Finished"_s,
          u"key exchange group"_s})
        QVERIFY2(err.contains(line), qPrintable(line + u" missing in:\n"_s + err));
    // The order the wire had.
    QVERIFY(err.indexOf(u"(OUT): ClientHello"_s) < err.indexOf(u"(IN): ServerHello"_s));
    QVERIFY(err.indexOf(u"(IN): ServerHello"_s) < err.indexOf(u"(OUT): Finished"_s));
}

QTEST_GUILESS_MAIN(CliTlsTest)
#include "tst_cli_tls.moc"
