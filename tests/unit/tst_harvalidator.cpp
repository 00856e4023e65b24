// The HAR 1.2 structure check of tests/support/harvalidator.h must be able to fail: a valid
// document (written by hand, not by the exporter) passes, and each way of breaking it is caught.

#include "harvalidator.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QTest>

using namespace Qt::StringLiterals;

namespace {

// One entry as Chrome writes it (trimmed). Not a raw string literal: moc reads this file.
const char kValid[] =
    "{\"log\": {\n"
    "  \"version\": \"1.2\",\n"
    "  \"creator\": {\"name\": \"WebInspector\", \"version\": \"537.36\"},\n"
    "  \"pages\": [],\n"
    "  \"entries\": [{\n"
    "    \"startedDateTime\": \"2024-05-01T10:00:00.123Z\",\n"
    "    \"time\": 12.5,\n"
    "    \"request\": {\"method\": \"GET\", \"url\": \"https://example.test/?a=1\", "
    "\"httpVersion\": \"http/2.0\",\n"
    "                \"headers\": [{\"name\": \":method\", \"value\": \"GET\"}],\n"
    "                \"queryString\": [{\"name\": \"a\", \"value\": \"1\"}], \"cookies\": [],\n"
    "                \"headersSize\": -1, \"bodySize\": 0},\n"
    "    \"response\": {\"status\": 200, \"statusText\": \"\", \"httpVersion\": \"http/2.0\",\n"
    "                 \"headers\": [{\"name\": \"content-type\", \"value\": \"text/plain\"}],\n"
    "                 \"cookies\": [{\"name\": \"sid\", \"value\": \"x\", \"httpOnly\": true}],\n"
    "                 \"content\": {\"size\": 2, \"mimeType\": \"text/plain\", \"text\": "
    "\"aGk=\",\n"
    "                             \"encoding\": \"base64\"},\n"
    "                 \"redirectURL\": \"\", \"headersSize\": -1, \"bodySize\": 2, "
    "\"_transferSize\": 40},\n"
    "    \"cache\": {},\n"
    "    \"timings\": {\"blocked\": 1.5, \"dns\": -1, \"ssl\": 2, \"connect\": 3, \"send\": 0.5, "
    "\"wait\": 6,\n"
    "                \"receive\": 1.5, \"_blocked_queueing\": 1.0},\n"
    "    \"serverIPAddress\": \"192.0.2.1\",\n"
    "    \"connection\": \"42\",\n"
    "    \"_webSocketMessages\": [{\"type\": \"send\", \"time\": 1714557600.5, \"opcode\": 1, "
    "\"data\": \"hi\"}]\n"
    "  }]\n"
    "}}\n";

// Sets (or, with an undefined value, removes) the value at a dotted path; numbers index arrays.
QJsonValue patched(const QJsonValue &node, QStringList path, const QJsonValue &value)
{
    const QString key = path.takeFirst();
    bool isIndex = false;
    const int index = key.toInt(&isIndex);
    if (isIndex) {
        QJsonArray a = node.toArray();
        a[index] = path.isEmpty() ? value : patched(a.at(index), path, value);
        return a;
    }
    QJsonObject o = node.toObject();
    if (path.isEmpty()) {
        if (value.isUndefined())
            o.remove(key);
        else
            o.insert(key, value);
    } else {
        o.insert(key, patched(o.value(key), path, value));
    }
    return o;
}

const QJsonValue kRemove = QJsonValue(QJsonValue::Undefined);

} // namespace

class HarValidatorTest : public QObject
{
    Q_OBJECT

private slots:
    void validPasses();
    void brokenIsRejected_data();
    void brokenIsRejected();
    void notJson();
};

void HarValidatorTest::validPasses()
{
    const QStringList problems = hopscope::test::validateHar(QByteArray(kValid));
    QVERIFY2(problems.isEmpty(), qPrintable(problems.join(u'\n')));
}

void HarValidatorTest::brokenIsRejected_data()
{
    QTest::addColumn<QString>("path");
    QTest::addColumn<QJsonValue>("value");
    QTest::addColumn<QString>("expected"); // a part of the problem's text

    const QString e = u"log.entries.0."_s;
    QTest::newRow("no log") << u"log"_s << kRemove << u"(root).log: missing"_s;
    QTest::newRow("version a number")
        << u"log.version"_s << QJsonValue(1.2) << u"log.version: must be a string"_s;
    QTest::newRow("no creator") << u"log.creator"_s << kRemove << u"log.creator: missing"_s;
    QTest::newRow("creator without version")
        << u"log.creator.version"_s << kRemove << u"log.creator.version: missing"_s;
    QTest::newRow("entries an object")
        << u"log.entries"_s << QJsonValue(QJsonObject()) << u"log.entries: must be an array"_s;
    QTest::newRow("no startedDateTime") << e + u"startedDateTime"_s << kRemove << u"missing"_s;
    QTest::newRow("date without offset")
        << e + u"startedDateTime"_s << QJsonValue(u"2024-05-01T10:00:00.123"_s)
        << u"not an ISO 8601"_s;
    QTest::newRow("no cache") << e + u"cache"_s << kRemove << u"cache: missing"_s;
    QTest::newRow("no timings") << e + u"timings"_s << kRemove << u"timings: missing"_s;
    QTest::newRow("wait missing") << e + u"timings.wait"_s << kRemove << u"wait: missing"_s;
    QTest::newRow("send negative")
        << e + u"timings.send"_s << QJsonValue(-1) << u"send: -1: must be >= 0"_s;
    QTest::newRow("dns below -1") << e + u"timings.dns"_s << QJsonValue(-2)
                                  << u"dns: -2: must be -1 or >= 0"_s;
    QTest::newRow("time is not the sum")
        << e + u"time"_s << QJsonValue(99) << u"add up to 12.5 ms"_s;
    QTest::newRow("ssl beyond connect")
        << e + u"timings.ssl"_s << QJsonValue(5) << u"not included in connect"_s;
    QTest::newRow("request without method")
        << e + u"request.method"_s << kRemove << u"request.method: missing"_s;
    QTest::newRow("headersSize a string")
        << e + u"request.headersSize"_s << QJsonValue(u"1"_s) << u"must be an integer"_s;
    QTest::newRow("bodySize below -1")
        << e + u"response.bodySize"_s << QJsonValue(-5) << u"must be -1 or >= 0"_s;
    QTest::newRow("header value a number")
        << e + u"request.headers.0.value"_s << QJsonValue(1) << u"headers[0].value"_s;
    QTest::newRow("queryString missing")
        << e + u"request.queryString"_s << kRemove << u"queryString: missing"_s;
    QTest::newRow("status a string") << e + u"response.status"_s << QJsonValue(u"200"_s)
                                     << u"response.status: must be an integer"_s;
    QTest::newRow("no content") << e + u"response.content"_s << kRemove
                                << u"response.content: missing"_s;
    QTest::newRow("content without mimeType")
        << e + u"response.content.mimeType"_s << kRemove << u"mimeType: missing"_s;
    QTest::newRow("bad base64") << e + u"response.content.text"_s << QJsonValue(u"*not*"_s)
                                << u"not valid base64"_s;
    QTest::newRow("cookie without value")
        << e + u"response.cookies.0.value"_s << kRemove << u"cookies[0].value: missing"_s;
    QTest::newRow("custom field without underscore")
        << e + u"hopscope"_s << QJsonValue(QJsonObject()) << u"not a HAR 1.2 field"_s;
    QTest::newRow("connection a number")
        << e + u"connection"_s << QJsonValue(42) << u"connection: must be a string"_s;
    QTest::newRow("ws message type") << e + u"_webSocketMessages.0.type"_s << QJsonValue(u"sent"_s)
                                     << u"neither send nor receive"_s;
    QTest::newRow("ws message without opcode")
        << e + u"_webSocketMessages.0.opcode"_s << kRemove << u"opcode: missing"_s;
    QTest::newRow("postData without mimeType")
        << e + u"request.postData"_s << QJsonValue(QJsonObject{{u"text"_s, u"x"_s}})
        << u"postData.mimeType: missing"_s;
}

void HarValidatorTest::brokenIsRejected()
{
    QFETCH(QString, path);
    QFETCH(QJsonValue, value);
    QFETCH(QString, expected);
    const QJsonObject valid = QJsonDocument::fromJson(QByteArray(kValid)).object();
    const QJsonObject broken = patched(valid, path.split(u'.'), value).toObject();
    const QStringList problems = hopscope::test::validateHar(broken);
    QVERIFY2(!problems.isEmpty(), "the broken document passed");
    QVERIFY2(problems.join(u'\n').contains(expected), qPrintable(problems.join(u'\n')));
}

void HarValidatorTest::notJson()
{
    QVERIFY(!hopscope::test::validateHar(QByteArray("{\"log\": ")).isEmpty());
    QVERIFY(!hopscope::test::validateHar(QByteArray("[]")).isEmpty());
}

QTEST_GUILESS_MAIN(HarValidatorTest)
#include "tst_harvalidator.moc"
