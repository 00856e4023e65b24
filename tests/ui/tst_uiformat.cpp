// ui/format: every duration, trace time and size the UI shows as text, row by row, so that a
// change to one form is seen here and not only as a surprise in a tooltip.

#include "format/durationformat.h"
#include "format/errorhint.h"
#include "format/sizeformat.h"

#include <QtTest>

#include <functional>

using namespace hopscope;

Q_DECLARE_METATYPE(std::function<QString()>)

namespace {

using Text = std::function<QString()>;

} // namespace

class TestUiFormat : public QObject
{
    Q_OBJECT
private slots:
    void formats_data();
    void formats();
    void errorHintsSpeakTheWindowsLanguage();
};

void TestUiFormat::formats_data()
{
    QTest::addColumn<Text>("format");
    QTest::addColumn<QString>("expected");

    // One decimal: the connection tree's columns and the protocol history.
    QTest::newRow("ms 12.34") << Text([] { return formatMilliseconds(12.34); }) << "12.3 ms";
    QTest::newRow("ms 1.5") << Text([] { return formatMilliseconds(1.5); }) << "1.5 ms";
    QTest::newRow("ms 0") << Text([] { return formatMilliseconds(0); }) << "0.0 ms";
    QTest::newRow("ms 10000") << Text([] { return formatMilliseconds(10000); }) << "10000.0 ms";
    QTest::newRow("ms unknown") << Text([] { return formatMilliseconds(-1); }) << QString();

    // Four significant digits: the Timings tab.
    QTest::newRow("precise sub-ms")
        << Text([] { return formatMillisecondsPrecise(0.300531); }) << "0.301 ms";
    QTest::newRow("precise ms") << Text([] { return formatMillisecondsPrecise(2.62331); })
                                << "2.623 ms";
    QTest::newRow("precise tens") << Text([] { return formatMillisecondsPrecise(12.346); })
                                  << "12.35 ms";
    QTest::newRow("precise hundreds")
        << Text([] { return formatMillisecondsPrecise(302.106461); }) << "302.1 ms";
    QTest::newRow("precise seconds")
        << Text([] { return formatMillisecondsPrecise(1003.840543); }) << "1.004 s";
    QTest::newRow("precise did not happen")
        << Text([] { return formatMillisecondsPrecise(-1.0); }) << "—";

    // Spans: the unit follows the size.
    QTest::newRow("span ns") << Text([] { return formatDurationNs(500); }) << "500 ns";
    QTest::newRow("span µs, one decimal")
        << Text([] { return formatDurationNs(2'340); }) << "2.3 µs";
    QTest::newRow("span µs") << Text([] { return formatDurationNs(812'000); }) << "812 µs";
    QTest::newRow("span ms, two decimals")
        << Text([] { return formatDurationNs(2'615'000); }) << "2.62 ms";
    QTest::newRow("span ms") << Text([] { return formatDurationNs(303'123'000); }) << "303.1 ms";
    QTest::newRow("span s") << Text([] { return formatDurationNs(1'250'000'000); }) << "1.250 s";
    QTest::newRow("span negative") << Text([] { return formatDurationNs(-812'000); }) << "-812 µs";

    // Points on the trace's clock.
    QTest::newRow("time ms") << Text([] { return formatTraceTimeNs(18'139'000); }) << "18.139 ms";
    QTest::newRow("time s") << Text([] { return formatTraceTimeNs(1'340'002'000); })
                            << "1.340002 s";
    QTest::newRow("time column") << Text([] { return formatMillisecondsNumber(18'139'450); })
                                 << "18.139";
    QTest::newRow("time column zero")
        << Text([] { return formatMillisecondsNumber(0); }) << "0.000";

    // Measured sizes.
    QTest::newRow("size 0") << Text([] { return formatByteSize(0); }) << "0 B";
    QTest::newRow("size 1023") << Text([] { return formatByteSize(1023); }) << "1023 B";
    QTest::newRow("size 4 KiB") << Text([] { return formatByteSize(4096); }) << "4.0 KiB";
    QTest::newRow("size 1.5 MiB") << Text([] { return formatByteSize(3 * 1024 * 1024 / 2); })
                                  << "1.5 MiB";
    QTest::newRow("size 2 GiB") << Text([] { return formatByteSize(2LL << 30); }) << "2.0 GiB";
    QTest::newRow("size beyond TiB stays TiB")
        << Text([] { return formatByteSize(2048LL << 40); }) << "2048.0 TiB";
    QTest::newRow("size unknown") << Text([] { return formatByteSize(-1); }) << QString();

    // Configured limits.
    QTest::newRow("limit 1 MiB") << Text([] { return formatByteLimit(1024 * 1024); }) << "1 MiB";
    QTest::newRow("limit 64 KiB") << Text([] { return formatByteLimit(64 * 1024); }) << "64 KiB";
    QTest::newRow("limit odd") << Text([] { return formatByteLimit(1000); }) << "1000 bytes";
    QTest::newRow("limit 0") << Text([] { return formatByteLimit(0); }) << "0 bytes";
}

void TestUiFormat::formats()
{
    QFETCH(Text, format);
    QFETCH(QString, expected);
    QCOMPARE(format(), expected);
}

// The engine's TLS verification message names no front end's controls; the window's hint
// names its own (the command line adds --cacert and -k itself: tst_cli_curl exitCodes).
void TestUiFormat::errorHintsSpeakTheWindowsLanguage()
{
    const QString tls = errorHint(QStringLiteral("tls-verify:untrusted"));
    QVERIFY(tls.contains(QLatin1String("Options")));
    QVERIFY(tls.contains(QLatin1String("choose a CA file")));
    QVERIFY(!tls.contains(QLatin1String("--")));
    // An expired certificate or one for another host: a CA file cannot help, so none is offered.
    for (const char *code : {"tls-verify:expired", "tls-verify:hostname"}) {
        const QString hint = errorHint(QString::fromLatin1(code));
        QVERIFY2(hint.contains(QLatin1String("No CA file changes this")), code);
        QVERIFY2(!hint.contains(QLatin1String("choose a CA file")), code);
        QVERIFY2(!hint.contains(QLatin1String("--")), code);
    }
    // --cert-status's failure: the window's checkbox, by its name.
    const QString ocsp = errorHint(QStringLiteral("tls-cert-status"));
    QVERIFY(ocsp.contains(QLatin1String("\"Require a good OCSP staple\" under Options")));
    QVERIFY(!ocsp.contains(QLatin1String("--")));
    // HTTP/3 only: the mode that falls back, by its name in the composer.
    const QString quic = errorHint(QStringLiteral("quic-connect"));
    QVERIFY(quic.contains(QLatin1String("\"HTTP/3 (QUIC)\" instead of \"HTTP/3 only\"")));
    QVERIFY(!quic.contains(QLatin1String("--")));
    QVERIFY(errorHint(QStringLiteral("connect")).isEmpty());
    QVERIFY(errorHint(QString()).isEmpty());
}

QTEST_MAIN(TestUiFormat)
#include "tst_uiformat.moc"
