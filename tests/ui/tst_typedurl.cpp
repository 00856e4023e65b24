// The composer's URL check (issue 14, point 7): what a person typed is sent as typed or refused
// with the fault named, never guessed at.

#include "widgets/requestcomposer.h"
#include "widgets/typedurl.h"

#include <QSignalSpy>
#include <QTest>

using namespace hopscope;

class TestTypedUrl : public QObject
{
    Q_OBJECT

private slots:
    void accepted_data()
    {
        QTest::addColumn<QString>("typed");
        QTest::addColumn<QString>("url");
        QTest::newRow("http") << "http://example.com/a?b=1"
                              << "http://example.com/a?b=1";
        QTest::newRow("https port") << "https://example.com:8443/"
                                    << "https://example.com:8443/";
        QTest::newRow("ws") << "ws://127.0.0.1:9000/ws"
                            << "ws://127.0.0.1:9000/ws";
        QTest::newRow("wss upper case") << "WSS://Example.com/x"
                                        << "wss://example.com/x";
        QTest::newRow("port 1") << "http://h:1/"
                                << "http://h:1/";
        QTest::newRow("port 65535") << "http://h:65535/"
                                    << "http://h:65535/";
        QTest::newRow("ipv6") << "http://[::1]:8080/"
                              << "http://[::1]:8080/";
        QTest::newRow("user info") << "http://u:p@h:81/"
                                   << "http://u:p@h:81/";
        QTest::newRow("no scheme: curl's http://") << "example.com/x"
                                                   << "http://example.com/x";
        QTest::newRow("no scheme, a port") << "localhost:8080/x"
                                           << "http://localhost:8080/x";
        QTest::newRow("surrounding blanks") << "  http://h/  "
                                            << "http://h/";
        QTest::newRow("escaped space") << "http://h/a%20b"
                                       << "http://h/a%20b";
    }

    void accepted()
    {
        QFETCH(QString, typed);
        QFETCH(QString, url);
        const TypedUrl parsed = TypedUrl::parse(typed);
        QCOMPARE(parsed.error, QString());
        QCOMPARE(parsed.url.toString(QUrl::FullyEncoded), url);
    }

    void refused_data()
    {
        QTest::addColumn<QString>("typed");
        QTest::addColumn<QString>("error");
        QTest::newRow("empty") << "  "
                               << "Enter a URL";
        QTest::newRow("issue 14: htp:/bad url")
            << "htp:/bad url"
            << "Unsupported scheme \"htp:\": use http://, https://, ws:// or wss://";
        QTest::newRow("ftp") << "ftp://h/"
                             << "Unsupported scheme \"ftp:\": use http://, https://, "
                                "ws:// or wss://";
        QTest::newRow("one slash") << "http:/h/x"
                                   << "\"http:\" must be followed by \"//\" and the host: "
                                      "http://host/path";
        QTest::newRow("space in path")
            << "http://h/bad url"
            << "The URL contains a space (character 13); write it as %20";
        QTest::newRow("space in host")
            << "http://ex ample.com/"
            << "The URL contains a space (character 10); write it as %20";
        QTest::newRow("no host") << "http:///path"
                                 << "The URL has no host";
        QTest::newRow("only a port") << "http://:80/"
                                     << "The URL has no host";
        QTest::newRow("port out of range") << "http://h:70000/"
                                           << "The port 70000 is out of range: use 1 to 65535";
        QTest::newRow("port 0") << "http://h:0/"
                                << "The port 0 is out of range: use 1 to 65535";
        QTest::newRow("long port") << "http://h:000000080/"
                                   << "The port 000000080 is out of range: use 1 to 65535";
        QTest::newRow("port not a number") << "http://h:8o/"
                                           << "The port \"8o\" is not a number";
        QTest::newRow("port missing") << "http://h:/"
                                      << "The port after \"h:\" is missing";
        QTest::newRow("ipv6 unclosed") << "http://[::1/"
                                       << "The IPv6 address \"[::1\" has no closing \"]\"";
    }

    void refused()
    {
        QFETCH(QString, typed);
        QFETCH(QString, error);
        const TypedUrl parsed = TypedUrl::parse(typed);
        QCOMPARE(parsed.error, error);
        QVERIFY(!parsed.url.isValid());
    }

    // The composer says the same and sends nothing; its spec carries no rewritten URL.
    void composerRefusesAndDoesNotRewrite()
    {
        RequestComposer composer;
        QSignalSpy sent(&composer, &RequestComposer::sendRequested);
        composer.setUrl(QStringLiteral("htp:/bad url"));
        composer.send();
        QCOMPARE(sent.count(), 0);
        QCOMPARE(
            composer.errorText(),
            QStringLiteral("Unsupported scheme \"htp:\": use http://, https://, ws:// or wss://"));
        QVERIFY(composer.spec().url.isEmpty());
        QCOMPARE(composer.url(), QStringLiteral("htp:/bad url")); // the field keeps what was typed

        composer.setUrl(QStringLiteral("http://127.0.0.1:99999/"));
        composer.send();
        QCOMPARE(sent.count(), 0);
        QCOMPARE(composer.errorText(),
                 QStringLiteral("The port 99999 is out of range: use 1 to 65535"));

        composer.setUrl(QStringLiteral("http://127.0.0.1:8080/ok"));
        composer.send();
        QCOMPARE(sent.count(), 1);
        QCOMPARE(composer.errorText(), QString());
    }
};

QTEST_MAIN(TestTypedUrl)
#include "tst_typedurl.moc"
