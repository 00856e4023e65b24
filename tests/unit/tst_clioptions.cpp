// hopscope-cli's command line (app/cli/clioptions, curlhabits) parsed without running it: curl's
// spellings (protocol aliases, output, request building, cookies, -m and the low-speed abort)
// land in the right RequestSpec and CliOptions fields, and bad combinations are usage errors.

#include "clioptions.h"

#include <QFile>
#include <QTemporaryDir>
#include <QtTest>

using namespace hopscope;
using namespace Qt::StringLiterals;

namespace {

QString policyName(ProtocolPolicy p)
{
    switch (p) {
    case ProtocolPolicy::Auto:
        return u"auto"_s;
    case ProtocolPolicy::Http1Only:
        return u"http1"_s;
    case ProtocolPolicy::H2cUpgrade:
        return u"h2c-upgrade"_s;
    case ProtocolPolicy::H2cPrior:
        return u"h2c-prior"_s;
    }
    return {};
}

QString flag(bool b)
{
    return b ? u"true"_s : u"false"_s;
}

// One field of the parsed options by name, as text: what the rows below compare.
QString field(const CliOptions &o, const QString &name)
{
    const RequestSpec &s = o.urls.value(0);
    if (name.startsWith(u"header:"_s)) {
        const QByteArray h = name.mid(7).toLatin1();
        return hasHeader(s.headers, h) ? QString::fromUtf8(headerValue(s.headers, h)) : u"<none>"_s;
    }
    if (name == u"method")
        return QString::fromLatin1(s.method);
    if (name == u"url")
        return QString::fromUtf8(s.url.toEncoded());
    if (name == u"body")
        return QString::fromUtf8(s.body);
    if (name == u"protocol")
        return policyName(s.protocol);
    if (name == u"upgrade")
        return QString::fromLatin1(s.upgradeToken());
    if (name == u"alpn")
        return QString::fromLatin1(s.tls.alpn.join(','));
    if (name == u"http3")
        return s.http3 == Http3Mode::Try    ? u"try"_s
               : s.http3 == Http3Mode::Only ? u"only"_s
                                            : u"off"_s;
    if (name == u"totalMs")
        return QString::number(s.timeouts.totalMs);
    if (name == u"lowSpeedLimit")
        return QString::number(s.limits.lowSpeedLimit);
    if (name == u"lowSpeedTime")
        return QString::number(s.limits.lowSpeedTime);
    if (name == u"includeHead")
        return flag(o.includeHead);
    if (name == u"silent")
        return flag(o.silent);
    if (name == u"showError")
        return flag(o.showError);
    if (name == u"fail")
        return flag(o.failOnHttpError);
    if (name == u"writeOut")
        return o.writeOut;
    if (name == u"cookieEngine")
        return flag(o.cookieEngine);
    if (name == u"cookieLiteral")
        return QString::fromUtf8(o.cookieLiteral);
    if (name == u"cookiesLoaded")
        return QString::number(o.cookiesLoaded.size());
    if (name == u"cookieJar")
        return o.cookieJar;
    return u"<unknown field %1>"_s.arg(name);
}

} // namespace

class TestCliOptions : public QObject
{
    Q_OBJECT
private slots:
    void initTestCase();
    void parses_data();
    void parses();
    void usageErrors_data();
    void usageErrors();
    void helpListsEveryCurlOption();

private:
    QTemporaryDir m_dir;
    QString m_cookieFile;
    QString m_formatFile;
};

void TestCliOptions::initTestCase()
{
    QVERIFY(m_dir.isValid());
    m_cookieFile = m_dir.filePath(u"cookies.txt"_s);
    QFile cookies(m_cookieFile);
    QVERIFY(cookies.open(QIODevice::WriteOnly));
    cookies.write("# Netscape HTTP Cookie File\n"
                  "a.test\tFALSE\t/\tFALSE\t0\tsid\tabc\n"
                  "#HttpOnly_.a.test\tTRUE\t/\tFALSE\t0\ttok\txyz\n"
                  "malformed line\n");
    cookies.close();
    m_formatFile = m_dir.filePath(u"format.txt"_s);
    QFile format(m_formatFile);
    QVERIFY(format.open(QIODevice::WriteOnly));
    format.write("%{http_code} %{time_total}\\n");
}

void TestCliOptions::parses_data()
{
    QTest::addColumn<QStringList>("args");
    QTest::addColumn<QStringList>("expected"); // "field=value", see field()

    const QString http = u"http://a.test/p"_s;
    const QString https = u"https://a.test/p"_s;
    auto row = [](const char *name, const QStringList &args, const QStringList &expected) {
        QTest::newRow(name) << args << expected;
    };

    // Protocol aliases, through the one mapping (protocolchoice).
    row("--http2 on http: h2c upgrade", {u"--http2"_s, http},
        {u"protocol=h2c-upgrade"_s, u"upgrade=h2c"_s, u"alpn="_s});
    row("--http2 on https: ALPN h2, http/1.1", {u"--http2"_s, https},
        {u"protocol=auto"_s, u"upgrade="_s, u"alpn="_s});
    row("--http2-prior-knowledge", {u"--http2-prior-knowledge"_s, http}, {u"protocol=h2c-prior"_s});
    row("--http3", {u"--http3"_s, https}, {u"http3=try"_s, u"protocol=auto"_s, u"alpn="_s});
    row("--http3-only", {u"--http3-only"_s, https}, {u"http3=only"_s});
    row("--http3 wins over --http2 (as curl's last word)", {u"--http2"_s, u"--http3"_s, https},
        {u"http3=try"_s});
    row("no HTTP/3 by default", {https}, {u"http3=off"_s});
    row("--http1.1", {u"--http1.1"_s, https}, {u"protocol=http1"_s, u"alpn=http/1.1"_s});
    row("-m", {u"-m"_s, u"2.5"_s, http}, {u"totalMs=2500"_s});
    row("--max-time", {u"--max-time"_s, u"3"_s, http}, {u"totalMs=3000"_s});

    // Output.
    row("defaults", {http},
        {u"includeHead=false"_s, u"silent=false"_s, u"fail=false"_s, u"writeOut="_s,
         u"cookieEngine=false"_s, u"method=GET"_s, u"totalMs=0"_s, u"lowSpeedLimit=0"_s});
    row("-i", {u"-i"_s, http}, {u"includeHead=true"_s, u"method=GET"_s});
    row("-I: HEAD and the head", {u"-I"_s, http}, {u"includeHead=true"_s, u"method=HEAD"_s});
    row("-I -X GET: -X wins", {u"-I"_s, u"-X"_s, u"GET"_s, http}, {u"method=GET"_s});
    row("-sSf compacted", {u"-sSf"_s, http},
        {u"silent=true"_s, u"showError=true"_s, u"fail=true"_s});
    row("-w", {u"-w"_s, u"%{http_code}\\n"_s, http}, {u"writeOut=%{http_code}\\n"_s});
    row("-w @file", {u"-w"_s, u"@"_s + m_formatFile, http},
        {u"writeOut=%{http_code} %{time_total}\\n"_s});

    // Request building.
    row("-u: Basic", {u"-u"_s, u"alice:s3cret:x"_s, http},
        {u"header:Authorization=Basic "_s +
         QString::fromLatin1(QByteArray("alice:s3cret:x").toBase64())});
    row("-A, -e", {u"-A"_s, u"agent/1"_s, u"-e"_s, u"http://from.test/"_s, http},
        {u"header:User-Agent=agent/1"_s, u"header:Referer=http://from.test/"_s});
    row("-H User-Agent beats -A", {u"-H"_s, u"User-Agent: mine"_s, u"-A"_s, u"theirs"_s, http},
        {u"header:User-Agent=mine"_s});
    row("repeated -d joined with &", {u"-d"_s, u"a=1"_s, u"-d"_s, u"b=2"_s, http},
        {u"body=a=1&b=2"_s, u"method=POST"_s,
         u"header:Content-Type=application/x-www-form-urlencoded"_s});
    row("-d and --data-raw keep their order",
        {u"-d"_s, u"a"_s, u"--data-raw"_s, u"@b"_s, u"-d"_s, u"c"_s, http}, {u"body=a&@b&c"_s});
    row("-G -d: the query",
        {u"-G"_s, u"-d"_s, u"a=1"_s, u"-d"_s, u"b=2"_s, u"http://a.test/p?x=0"_s},
        {u"url=http://a.test/p?x=0&a=1&b=2"_s, u"method=GET"_s, u"body="_s,
         u"header:Content-Type=<none>"_s});
    row("-G without data", {u"-G"_s, http}, {u"url=http://a.test/p"_s, u"method=GET"_s});

    // Cookies.
    row("-b data: sent as is, no engine", {u"-b"_s, u"a=1; b=2"_s, http},
        {u"cookieLiteral=a=1; b=2"_s, u"cookieEngine=false"_s, u"cookiesLoaded=0"_s});
    row("-b FILE: loaded, engine on", {u"-b"_s, m_cookieFile, http},
        {u"cookiesLoaded=2"_s, u"cookieEngine=true"_s, u"cookieLiteral="_s});
    row("-b missing file: engine on, nothing loaded",
        {u"-b"_s, m_dir.filePath(u"none.txt"_s), http},
        {u"cookiesLoaded=0"_s, u"cookieEngine=true"_s});
    row("-c", {u"-c"_s, u"jar.txt"_s, http}, {u"cookieJar=jar.txt"_s, u"cookieEngine=true"_s});

    // The low-speed abort, as a named limit.
    row("-Y -y", {u"-Y"_s, u"1000"_s, u"-y"_s, u"3"_s, http},
        {u"lowSpeedLimit=1000"_s, u"lowSpeedTime=3"_s});
    row("-Y alone: curl's 30 s", {u"--speed-limit"_s, u"500"_s, http},
        {u"lowSpeedLimit=500"_s, u"lowSpeedTime=30"_s});
    row("-y alone: 1 byte/s", {u"--speed-time"_s, u"5"_s, http},
        {u"lowSpeedLimit=1"_s, u"lowSpeedTime=5"_s});
    row("--limit lowSpeedLimit, lowSpeedTime",
        {u"--limit"_s, u"lowSpeedLimit=64"_s, u"--limit"_s, u"lowSpeedTime=7"_s, http},
        {u"lowSpeedLimit=64"_s, u"lowSpeedTime=7"_s});
}

void TestCliOptions::parses()
{
    QFETCH(QStringList, args);
    QFETCH(QStringList, expected);
    const CliOptions o = CliOptions::parse(QStringList{u"hopscope-cli"_s} + args);
    QVERIFY2(o.action == CliOptions::Action::Run, qPrintable(o.message));
    QCOMPARE(o.urls.size(), 1);
    for (const QString &e : expected) {
        const qsizetype eq = e.indexOf(QLatin1Char('='));
        QCOMPARE(field(o, e.left(eq)), e.mid(eq + 1));
    }
}

void TestCliOptions::usageErrors_data()
{
    QTest::addColumn<QStringList>("args");
    QTest::addColumn<QString>("messagePart");
    const QString http = u"http://a.test/"_s;
    QTest::newRow("unknown option") << QStringList{u"--bogus"_s, http} << u"bogus"_s;
    QTest::newRow("--http2 with --http1.1")
        << QStringList{u"--http2"_s, u"--http1.1"_s, http} << u"exclude each other"_s;
    QTest::newRow("--http2-prior-knowledge over TLS")
        << QStringList{u"--http2-prior-knowledge"_s, u"https://a.test/"_s} << u"cleartext"_s;
    QTest::newRow("--http2 with ws://")
        << QStringList{u"--http2"_s, u"ws://a.test/"_s} << u"--http2"_s;
    QTest::newRow("--http2 with --upgrade")
        << QStringList{u"--http2"_s, u"--upgrade"_s, u"tcp"_s, http} << u"--upgrade"_s;
    QTest::newRow("-u without a password")
        << QStringList{u"-u"_s, u"alice"_s, http} << u"USER:PASSWORD"_s;
    QTest::newRow("-I with -d") << QStringList{u"-I"_s, u"-d"_s, u"a"_s, http} << u"-I"_s;
    QTest::newRow("-G with --data-binary")
        << QStringList{u"-G"_s, u"--data-binary"_s, u"a"_s, http} << u"-G"_s;
    QTest::newRow("-d with --data-binary")
        << QStringList{u"--data-raw"_s, u"a"_s, u"--data-binary"_s, u"b"_s, http}
        << u"cannot be combined"_s;
    QTest::newRow("-w unknown variable")
        << QStringList{u"-w"_s, u"%{nope}"_s, http} << u"unknown variable %{nope}"_s;
    QTest::newRow("-w unterminated")
        << QStringList{u"-w"_s, u"%{http_code"_s, http} << u"unterminated"_s;
    QTest::newRow("-w @missing") << QStringList{u"-w"_s, u"@/nonexistent/format"_s, http}
                                 << u"-w @/nonexistent/format"_s;
    QTest::newRow("-m not a number") << QStringList{u"-m"_s, u"soon"_s, http} << u"-m"_s;
    QTest::newRow("-Y not a number") << QStringList{u"-Y"_s, u"fast"_s, http} << u"--speed-limit"_s;
    QTest::newRow("-y fractional") << QStringList{u"-y"_s, u"1.5"_s, http} << u"--speed-time"_s;
    QTest::newRow("--http3 on http://")
        << QStringList{u"--http3"_s, http} << u"--http3: HTTP/3 needs an https:// URL"_s;
    QTest::newRow("--http3-only on http://")
        << QStringList{u"--http3-only"_s, http} << u"--http3-only: HTTP/3 needs an https:// URL"_s;
    QTest::newRow("--http3 with ws://")
        << QStringList{u"--http3"_s, u"wss://a.test/"_s} << u"cannot be combined"_s;
    QTest::newRow("--limit unknown name lists lowSpeedLimit")
        << QStringList{u"--limit"_s, u"slow=1"_s, http} << u"lowSpeedLimit"_s;
}

void TestCliOptions::usageErrors()
{
    QFETCH(QStringList, args);
    QFETCH(QString, messagePart);
    const CliOptions o = CliOptions::parse(QStringList{u"hopscope-cli"_s} + args);
    QCOMPARE(o.action, CliOptions::Action::UsageError);
    QVERIFY2(o.message.contains(messagePart), qPrintable(o.message));
}

void TestCliOptions::helpListsEveryCurlOption()
{
    const CliOptions o = CliOptions::parse({u"hopscope-cli"_s, u"--help"_s});
    QCOMPARE(o.action, CliOptions::Action::Help);
    for (const char *option : {"--http2",
                               "--http2-prior-knowledge",
                               "--http1.1",
                               "-m, --max-time",
                               "-i, --include",
                               "-I, --head",
                               "-s, --silent",
                               "-S, --show-error",
                               "-f, --fail",
                               "-w, --write-out",
                               "-u, --user",
                               "-A, --user-agent",
                               "-e, --referer",
                               "-b, --cookie",
                               "-c, --cookie-jar",
                               "-G, --get",
                               "--data-raw",
                               "-Y, --speed-limit",
                               "-y, --speed-time",
                               "%{time_total}",
                               "22",
                               "28",
                               "52",
                               "60"})
        QVERIFY2(o.message.contains(QLatin1String(option)), option);
}

QTEST_GUILESS_MAIN(TestCliOptions)
#include "tst_clioptions.moc"
