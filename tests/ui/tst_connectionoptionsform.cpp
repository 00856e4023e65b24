// The composer's connection settings (issue 13: the GUI offers what hopscope-cli's --cert,
// --keylog, -x, --resolve, --connect-to and -4/-6 do): what they write into a RequestSpec, what
// they refuse, and that no credential reaches the saved settings.

#include "core/route.h"
#include "widgets/connectionoptionsform.h"

#include <QComboBox>
#include <QLineEdit>
#include <QSettings>
#include <QTemporaryDir>
#include <QTest>

using namespace hopscope;
using namespace Qt::StringLiterals;

namespace {

using Fields = QMap<QString, QString>; // objectName -> text

void fill(ConnectionOptionsForm &form, const Fields &fields)
{
    for (auto it = fields.cbegin(); it != fields.cend(); ++it) {
        auto *edit = form.findChild<QLineEdit *>(it.key());
        QVERIFY2(edit, qPrintable(it.key()));
        edit->setText(it.value());
    }
}

} // namespace

class TestConnectionOptionsForm : public QObject
{
    Q_OBJECT
private slots:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        m_cert = m_dir.filePath(u"client.pem"_s);
        QFile f(m_cert);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write("-----BEGIN CERTIFICATE-----\n");
    }

    void writesTheSpec()
    {
        ConnectionOptionsForm form;
        fill(form, {{u"clientCert"_s, m_cert},
                    {u"clientKey"_s, m_cert},
                    {u"certPassword"_s, u"sesame"_s},
                    {u"keyLog"_s, u"/tmp/keys.log"_s},
                    {u"proxy"_s, u"socks5h://127.0.0.1:1080"_s},
                    {u"proxyUser"_s, u"me:secret"_s},
                    {u"noProxy"_s, u"localhost, .internal"_s},
                    {u"resolve"_s, u"example.com:443:127.0.0.1 other.test:80:127.0.0.2,::1"_s},
                    {u"connectTo"_s, u"example.com:443:127.0.0.1:8443"_s}});
        form.findChild<QComboBox *>(u"ipFamily"_s)->setCurrentIndex(1);
        QCOMPARE(form.validationError(), QString());
        RequestSpec spec;
        form.writeTo(spec);
        QCOMPARE(spec.tls.certFile, m_cert);
        QCOMPARE(spec.tls.keyFile, m_cert);
        QCOMPARE(spec.tls.certPassword, u"sesame"_s);
        QCOMPARE(spec.tls.keyLogFile, u"/tmp/keys.log"_s);
        QVERIFY(spec.route.proxySet);
        QCOMPARE(spec.route.proxy, u"socks5h://127.0.0.1:1080"_s);
        QCOMPARE(spec.route.proxyUser, u"me:secret"_s);
        QVERIFY(spec.route.noProxySet);
        QCOMPARE(spec.route.noProxy, u"localhost, .internal"_s);
        QCOMPARE(spec.route.resolve.size(), 2);
        QCOMPARE(spec.route.resolve.at(1).host, u"other.test"_s);
        QCOMPARE(spec.route.resolve.at(1).addresses.size(), 2);
        QCOMPARE(spec.route.connectTo.size(), 1);
        QCOMPARE(spec.route.connectTo.at(0).toPort, quint16(8443));
        QCOMPARE(spec.route.family, IpFamily::V4);

        // And back: a form filled from the spec writes the same spec.
        ConnectionOptionsForm again;
        again.readFrom(spec);
        RequestSpec copy;
        again.writeTo(copy);
        QCOMPARE(copy.tls.certFile, spec.tls.certFile);
        QCOMPARE(copy.route.proxy, spec.route.proxy);
        QCOMPARE(copy.route.resolve.size(), 2);
        QCOMPARE(copy.route.resolve.at(1).addresses, spec.route.resolve.at(1).addresses);
        QCOMPARE(copy.route.connectTo.at(0).toHost, u"127.0.0.1"_s);
        QCOMPARE(copy.route.family, IpFamily::V4);
    }

    void emptyMeansDirect()
    {
        ConnectionOptionsForm form;
        RequestSpec spec;
        form.writeTo(spec);
        QVERIFY(!spec.route.proxySet); // the environment's proxy may still apply, as for curl
        QVERIFY(spec.tls.certFile.isEmpty() && spec.tls.keyLogFile.isEmpty());
        QCOMPARE(spec.route.family, IpFamily::Any);
    }

    void refusesWhatCannotWork_data()
    {
        QTest::addColumn<Fields>("fields");
        QTest::addColumn<QString>("says");
        QTest::newRow("missing certificate")
            << Fields{{u"clientCert"_s, u"/nonexistent.pem"_s}}
            << u"Client certificate /nonexistent.pem: no such file"_s;
        QTest::newRow("key without certificate")
            << Fields{{u"clientKey"_s, m_cert}} << u"none is given"_s;
        QTest::newRow("proxy scheme") << Fields{{u"proxy"_s, u"ftp://proxy:21"_s}} << u"Proxy:"_s;
        QTest::newRow("resolve without address")
            << Fields{{u"resolve"_s, u"example.com:443"_s}} << u"Resolve example.com:443:"_s;
        QTest::newRow("connect-to, one part")
            << Fields{{u"connectTo"_s, u"example.com"_s}} << u"Connect to example.com:"_s;
    }
    void refusesWhatCannotWork()
    {
        QFETCH(Fields, fields);
        QFETCH(QString, says);
        ConnectionOptionsForm form;
        fill(form, fields);
        QVERIFY2(form.validationError().contains(says), qPrintable(form.validationError()));
    }

    void savesNoCredential()
    {
        const QString ini = m_dir.filePath(u"settings.ini"_s);
        {
            ConnectionOptionsForm form;
            fill(form, {{u"clientCert"_s, m_cert},
                        {u"certPassword"_s, u"sesame"_s},
                        {u"proxy"_s, u"http://me:secret@proxy.test:3128"_s},
                        {u"proxyUser"_s, u"me:secret"_s},
                        {u"resolve"_s, u"example.com:443:127.0.0.1"_s}});
            QSettings settings(ini, QSettings::IniFormat);
            form.saveSettings(settings);
        }
        QFile raw(ini);
        QVERIFY(raw.open(QIODevice::ReadOnly));
        const QByteArray text = raw.readAll();
        QVERIFY2(!text.contains("sesame") && !text.contains("secret"), text.constData());
        ConnectionOptionsForm restored;
        QSettings settings(ini, QSettings::IniFormat);
        restored.restoreSettings(settings);
        RequestSpec spec;
        restored.writeTo(spec);
        QCOMPARE(spec.tls.certFile, m_cert);
        QCOMPARE(spec.tls.certPassword, QString());
        QCOMPARE(spec.route.proxy, u"http://proxy.test:3128"_s);
        QCOMPARE(spec.route.proxyUser, QString());
        QCOMPARE(spec.route.resolve.size(), 1);
    }

private:
    QTemporaryDir m_dir;
    QString m_cert;
};

QTEST_MAIN(TestConnectionOptionsForm)
#include "tst_connectionoptionsform.moc"
