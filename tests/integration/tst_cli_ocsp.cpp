// OCSP stapling against a real Apache (mod_ssl, SSLUseStapling) that fetches its staples from a
// real responder (`openssl ocsp -index`, tests/support/ocsppki.h): the `tls` event's `ocsp` and
// `ocspDetail` for a good staple, a revoked one and none (stapling off), and --cert-status
// failing with curl's exit code 91 for everything but a good staple.

#include "apachefixture.h"
#include "clirunner.h"
#include "ocsppki.h"
#include "processutil.h"

#include <QTest>

using namespace hopscope::test;
using namespace Qt::StringLiterals;

class CliOcspTest : public QObject
{
    Q_OBJECT
private slots:
    void initTestCase();
    void cleanupTestCase();
    void stapledStatus_data();
    void stapledStatus();
    void certStatus_data();
    void certStatus();
    void verboseSaysIt();

private:
    quint16 port(const QString &vhost) const;

    OcspPki m_pki;
    ApacheFixture m_apache;
    quint16 m_goodPort = 0;
    quint16 m_revokedPort = 0;
    quint16 m_offPort = 0;
};

void CliOcspTest::initTestCase()
{
    QVERIFY2(!CliRunner().program().isEmpty(), "HOPSCOPE_CLI is not set: run through CTest");
    QVERIFY2(m_pki.start(), qPrintable(m_pki.errorString()));
    m_goodPort = freeLoopbackPort();
    m_revokedPort = freeLoopbackPort();
    m_offPort = freeLoopbackPort();
    QVERIFY(m_goodPort && m_revokedPort && m_offPort);
    QVERIFY(m_goodPort != m_revokedPort && m_revokedPort != m_offPort && m_goodPort != m_offPort);
    // Three vhosts of our own next to the fixture's: stapling a good certificate, stapling a
    // revoked one, and the good one with stapling off (mod_ssl's default).
    QString vhosts = uR"conf(
LoadModule socache_shmcb_module @MODULES@/mod_socache_shmcb.so
SSLStaplingCache "shmcb:@ROOT@/run/stapling(65536)"
)conf"_s;
    const struct
    {
        quint16 port;
        bool revoked;
        bool stapling;
    } hosts[] = {{m_goodPort, false, true}, {m_revokedPort, true, true}, {m_offPort, false, false}};
    for (const auto &h : hosts) {
        vhosts += uR"conf(
Listen 127.0.0.1:%1
<VirtualHost 127.0.0.1:%1>
    SSLEngine on
    SSLCertificateFile "%2"
    SSLCertificateKeyFile "%3"
    SSLCACertificateFile "%4"
    SSLUseStapling %5
    SSLStaplingReturnResponderErrors off
</VirtualHost>
)conf"_s.arg(h.port)
                      .arg(m_pki.certFile(h.revoked), m_pki.keyFile(h.revoked), m_pki.caFile(),
                           h.stapling ? u"on"_s : u"off"_s);
    }
    m_apache.setExtraConfig(vhosts);
    QVERIFY2(m_apache.start(), qPrintable(m_apache.errorString()));
}

void CliOcspTest::cleanupTestCase()
{
    m_apache.stop();
    m_pki.stop();
}

quint16 CliOcspTest::port(const QString &vhost) const
{
    return vhost == u"good"_s ? m_goodPort : vhost == u"revoked"_s ? m_revokedPort : m_offPort;
}

void CliOcspTest::stapledStatus_data()
{
    QTest::addColumn<QString>("vhost");
    QTest::addColumn<QString>("ocsp");
    QTest::addColumn<QString>("detail");
    QTest::addColumn<QString>("reason");
    QTest::newRow("stapled, good") << u"good"_s << u"good"_s << u"is good"_s << QString();
    QTest::newRow("stapled, revoked")
        << u"revoked"_s << u"revoked"_s << u"(reason: keyCompromise)"_s << u"keyCompromise"_s;
    QTest::newRow("stapling off") << u"off"_s << u"none"_s << u"stapled no OCSP response"_s
                                  << QString();
}

// Without --cert-status the status is a fact in the trace and never fails the request.
void CliOcspTest::stapledStatus()
{
    QFETCH(QString, vhost);
    QFETCH(QString, ocsp);
    QFETCH(QString, detail);
    QFETCH(QString, reason);
    CliRunner runner;
    const CliResult r = runner.run({u"--cacert"_s, m_pki.caFile(), u"-o"_s, u"/dev/null"_s,
                                    u"https://127.0.0.1:%1/"_s.arg(port(vhost))});
    HOPSCOPE_VERIFY_RAN(r);
    QVERIFY2(r.exitCode == 0, qPrintable(r.describe()));
    const QJsonObject tls = r.first(u"tls");
    QCOMPARE(tls.value(u"ocsp"_s).toString(), ocsp);
    QVERIFY2(tls.value(u"ocspDetail"_s).toString().contains(detail), qPrintable(r.describe()));
    QCOMPARE(tls.value(u"ocspReason"_s).toString(), reason);
    if (ocsp != u"none"_s) {
        // An hour's validity from the responder (-nmin 60), stamped around now.
        const QDateTime thisUpdate =
            QDateTime::fromString(tls.value(u"ocspThisUpdate"_s).toString(), Qt::ISODate);
        const QDateTime nextUpdate =
            QDateTime::fromString(tls.value(u"ocspNextUpdate"_s).toString(), Qt::ISODate);
        QVERIFY2(thisUpdate.isValid() && nextUpdate.isValid(), qPrintable(r.describe()));
        QCOMPARE(thisUpdate.secsTo(nextUpdate), 3600);
    }
    QCOMPARE(tls.contains(u"ocspRevokedAt"_s), ocsp == u"revoked"_s);
}

void CliOcspTest::certStatus_data()
{
    QTest::addColumn<QString>("vhost");
    QTest::addColumn<QStringList>("trust");
    QTest::addColumn<int>("exitCode");
    QTest::addColumn<QString>("says");
    const QStringList ca{u"--cacert"_s, m_pki.caFile()};
    QTest::newRow("good") << u"good"_s << ca << 0 << QString();
    QTest::newRow("revoked") << u"revoked"_s << ca << 91 << u"was revoked on"_s;
    QTest::newRow("none stapled") << u"off"_s << ca << 91 << u"stapled no OCSP response"_s;
    // -k skips the certificate's verification, not the response's: a responder this run does
    // not trust cannot vouch for anything (curl does the same).
    QTest::newRow("good, but the responder is not trusted")
        << u"good"_s << QStringList{u"-k"_s} << 91 << u"signature does not verify"_s;
}

void CliOcspTest::certStatus()
{
    QFETCH(QString, vhost);
    QFETCH(QStringList, trust);
    QFETCH(int, exitCode);
    QFETCH(QString, says);
    CliRunner runner;
    const CliResult r =
        runner.run(trust + QStringList{u"--cert-status"_s, u"-o"_s, u"/dev/null"_s,
                                       u"https://127.0.0.1:%1/"_s.arg(port(vhost))});
    HOPSCOPE_VERIFY_RAN(r);
    QVERIFY2(r.exitCode == exitCode, qPrintable(r.describe()));
    if (exitCode == 0) {
        QCOMPARE(r.first(u"tls").value(u"ocsp"_s).toString(), u"good"_s);
        return;
    }
    QVERIFY2(r.errorMessage().contains(u"certificate status of 127.0.0.1 is not good"_s),
             qPrintable(r.describe()));
    QVERIFY2(r.errorMessage().contains(says), qPrintable(r.describe()));
    QCOMPARE(r.first(u"error").value(u"code"_s).toString(), u"tls-cert-status"_s);
    QVERIFY2(!r.has(u"tls"), qPrintable(r.describe())); // failed before it was open
}

void CliOcspTest::verboseSaysIt()
{
    CliRunner runner;
    runner.setTraceMode(CliRunner::TraceMode::None);
    const CliResult r = runner.run({u"-v"_s, u"--cacert"_s, m_pki.caFile(), u"-o"_s, u"/dev/null"_s,
                                    u"https://127.0.0.1:%1/"_s.arg(m_revokedPort)});
    HOPSCOPE_VERIFY_RAN(r);
    QVERIFY2(r.exitCode == 0, qPrintable(r.describe()));
    QVERIFY2(r.standardError.contains("OCSP stapling: revoked (the certificate was revoked on "),
             qPrintable(r.describe()));
}

QTEST_GUILESS_MAIN(CliOcspTest)
#include "tst_cli_ocsp.moc"
