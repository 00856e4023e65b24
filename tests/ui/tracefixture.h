#pragma once

// Test helpers for the GUI models: trace events built by hand, or loaded from a JSON-lines trace
// that hopscope-cli --trace-json wrote (tests/ui/data/tour.jsonl is the demo tour).

#include "trace/traceevent.h"

#include <QByteArray>
#include <QCborValue>
#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSet>
#include <QString>

#include <deque>

namespace hopscope::testing {

// TraceEvent::type is a pointer to a string that outlives the event; loaded types live here.
inline const char *internType(const QByteArray &type)
{
    static std::deque<QByteArray> storage;
    for (const QByteArray &t : storage)
        if (t == type)
            return t.constData();
    storage.push_back(type);
    return storage.back().constData();
}

inline TraceEvent makeEvent(quint64 seq, double ms, const char *type, EventScope scope,
                            Direction dir = Direction::None, QCborMap fields = {})
{
    TraceEvent ev;
    ev.seq = seq;
    ev.tNs = qint64(ms * 1e6);
    ev.type = internType(type);
    ev.scope = scope;
    ev.dir = dir;
    ev.fields = std::move(fields);
    return ev;
}

// Reads a --trace-json file; the common fields go to the event, the rest (in order) to fields.
inline TraceBatch loadJsonLines(const QString &path)
{
    TraceBatch out;
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly))
        return out;
    while (!f.atEnd()) {
        const QByteArray line = f.readLine().trimmed();
        if (line.isEmpty())
            continue;
        const QJsonObject o = QJsonDocument::fromJson(line).object();
        TraceEvent ev;
        ev.seq = quint64(o.value(QLatin1String("seq")).toInteger());
        ev.tNs = qint64(o.value(QLatin1String("t")).toDouble() * 1e9 + 0.5);
        ev.type = internType(o.value(QLatin1String("type")).toString().toUtf8());
        ev.scope.conn = quint32(o.value(QLatin1String("conn")).toInteger(0));
        ev.scope.req = quint32(o.value(QLatin1String("req")).toInteger(0));
        ev.scope.stream = int(o.value(QLatin1String("stream")).toInteger(-1));
        const QString dir = o.value(QLatin1String("dir")).toString();
        ev.dir = dir == QLatin1String("out")  ? Direction::Out
                 : dir == QLatin1String("in") ? Direction::In
                                              : Direction::None;
        // QJsonObject sorts keys; restore the line's order by scanning the raw text.
        static const QSet<QString> common{"seq", "t", "type", "conn", "req", "stream", "dir"};
        QList<QPair<qsizetype, QString>> keys;
        for (auto it = o.begin(); it != o.end(); ++it) {
            if (common.contains(it.key()))
                continue;
            keys.append({line.indexOf("\"" + it.key().toUtf8() + "\":"), it.key()});
        }
        std::sort(keys.begin(), keys.end());
        for (const auto &k : keys)
            ev.fields.insert(k.second, QCborValue::fromJsonValue(o.value(k.second)));
        out.append(ev);
    }
    return out;
}

inline QString tourTracePath()
{
    return QStringLiteral(HOPSCOPE_UI_TEST_DATA "/tour.jsonl");
}

} // namespace hopscope::testing
