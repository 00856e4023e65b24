#pragma once

#include <QByteArray>
#include <QJsonObject>
#include <QStringList>

namespace hopscope::test {

// Checks a document against the HAR 1.2 structure (http://www.softwareishard.com/blog/har-12-spec/
// and the har-schema definitions other tools validate with): required fields present with
// their types, timings -1 or >= 0 (send, wait and receive >= 0), `time` the sum of the timings,
// `ssl` within `connect`, dates in ISO 8601 with an offset, custom fields only with a leading
// underscore, and Chrome's `_webSocketMessages` shape. Returns one line per problem, each with
// its JSON path ("log.entries[3].timings.wait: …"); empty when the document is valid.
QStringList validateHar(const QJsonObject &document);
// Parses first; a parse error is a problem too.
QStringList validateHar(const QByteArray &json);

} // namespace hopscope::test

// Verifies a HAR document (QByteArray or QJsonObject) and prints every problem on failure.
#define HOPSCOPE_VERIFY_HAR(document)                                                              \
    do {                                                                                           \
        const QStringList harProblems = hopscope::test::validateHar(document);                     \
        QVERIFY2(harProblems.isEmpty(), qPrintable(QStringLiteral("invalid HAR:\n") +              \
                                                   harProblems.join(QLatin1Char('\n'))));          \
    } while (false)
