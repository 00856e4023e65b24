// The window's Demo requests (demo/demopresets): what a preset sets, and which requests get the
// demo certificate's trust. That every preset gets an answer is tst_mainwindow's
// everyDemoPresetAnswers, against the real demo server.
#include "demopresets.h"

#include <QSet>
#include <QTest>

using namespace hopscope;

namespace {

const DemoTourUrls kUrls{QStringLiteral("http://127.0.0.1:8080"),
                         QStringLiteral("https://127.0.0.1:8443"),
                         QStringLiteral("/tmp/demo-ca.pem")};

} // namespace

class TestDemoPresets : public QObject
{
    Q_OBJECT
private slots:
    void presetsAreRequestsOnly()
    {
        const QList<DemoPreset> presets = demoPresets(kUrls);
        QVERIFY(presets.size() >= 7);
        QSet<QString> labels;
        int http3 = 0;
        for (const DemoPreset &p : presets) {
            QVERIFY2(!labels.contains(p.label), qPrintable(p.label)); // each request once
            labels.insert(p.label);
            http3 += p.spec.http3 == Http3Mode::Try;
            QVERIFY2(p.spec.tls.caFile.isEmpty(), qPrintable(p.label));
            QCOMPARE(p.spec.timeouts.idleMs, RequestSpec().timeouts.idleMs);
            QCOMPARE(p.spec.timeouts.totalMs, RequestSpec().timeouts.totalMs);
            QVERIFY2(p.label.contains(p.spec.url.path()), qPrintable(p.label));
            QVERIFY2(p.spec.url.toString().startsWith(kUrls.plain) ||
                         p.spec.url.toString().startsWith(kUrls.tls),
                     qPrintable(p.label));
        }
        QCOMPARE(http3, 1);
        QVERIFY(labels.contains(QStringLiteral("GET /alt-svc — TLS, advertises Alt-Svc: h3 (send "
                                               "another request after it)")));
    }

    void trustDemoOrigin_data()
    {
        QTest::addColumn<QString>("url");
        QTest::addColumn<QString>("caFile");
        QTest::addColumn<bool>("insecure");
        QTest::addColumn<QString>("expectedCa");

        const QString demoCa = kUrls.caFile;
        QTest::newRow("demo https, typed")
            << "https://127.0.0.1:8443/headers" << QString() << false << demoCa;
        QTest::newRow("demo https as localhost")
            << "https://localhost:8443/stream/3" << QString() << false << demoCa;
        QTest::newRow("demo wss") << "wss://127.0.0.1:8443/ws" << QString() << false << demoCa;
        QTest::newRow("a CA file of the user's own stays")
            << "https://127.0.0.1:8443/"
            << "/etc/mine.pem" << false << "/etc/mine.pem";
        QTest::newRow("verification off: nothing to trust")
            << "https://127.0.0.1:8443/" << QString() << true << QString();
        QTest::newRow("another port")
            << "https://127.0.0.1:9443/" << QString() << false << QString();
        QTest::newRow("default port") << "https://127.0.0.1/" << QString() << false << QString();
        QTest::newRow("another host")
            << "https://example.com:8443/" << QString() << false << QString();
        QTest::newRow("cleartext to the TLS port")
            << "http://127.0.0.1:8443/" << QString() << false << QString();
    }

    void trustDemoOrigin()
    {
        QFETCH(QString, url);
        QFETCH(QString, caFile);
        QFETCH(bool, insecure);
        QFETCH(QString, expectedCa);
        RequestSpec spec;
        spec.url = QUrl(url);
        spec.tls.caFile = caFile;
        spec.tls.insecure = insecure;
        const RequestSpec out = hopscope::trustDemoOrigin(spec, kUrls);
        QCOMPARE(out.tls.caFile, expectedCa);
        QCOMPARE(out.url, spec.url);
        QCOMPARE(out.tls.insecure, insecure);
    }
};

QTEST_GUILESS_MAIN(TestDemoPresets)
#include "tst_demopresets.moc"
