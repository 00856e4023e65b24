#pragma once

#include <QByteArrayView>
#include <QString>

namespace hopscope {

// One JSON value of ngtcp2's qlog, read where it lies in the record's text. Every QUIC packet
// has a qlog record (QuicQlogTap), and parsing each into a QJsonDocument was three quarters of
// an HTTP/3 download's CPU; this finds only the members asked for, scanning the few hundred
// bytes of a record instead of building a tree. The whole of JSON's syntax is skipped
// correctly (strings with escapes, any nesting, iteratively), and anything malformed reads as
// an invalid value, never past the text.
class QlogJson
{
public:
    QlogJson() = default;
    // The value at the start of `text` (leading whitespace skipped); invalid when there is none.
    explicit QlogJson(QByteArrayView text);

    bool isValid() const { return !m_text.isEmpty(); }
    bool isObject() const { return first() == '{'; }
    bool isArray() const { return first() == '['; }
    bool isString() const { return first() == '"'; }
    bool isNumber() const { return first() == '-' || (first() >= '0' && first() <= '9'); }

    // An object's member; invalid when absent or not an object.
    QlogJson operator[](QByteArrayView key) const;
    // A number's integer part (qlog's are integers), else `fallback`.
    qint64 toInteger(qint64 fallback = 0) const;
    bool toBool() const { return m_text == "true"; }
    // A string's text, escapes decoded; empty for anything else.
    QString toString() const;

    // Calls f(QlogJson) for each element of an array, in order.
    template<typename F> void forEachElement(F &&f) const
    {
        QlogJson value;
        for (qsizetype pos = 1; isArray() && nextItem(&pos, nullptr, &value);)
            f(value);
    }
    // Calls f(QByteArrayView key, QlogJson value) for each member of an object, in order.
    template<typename F> void forEachMember(F &&f) const
    {
        QByteArrayView key;
        QlogJson value;
        for (qsizetype pos = 1; isObject() && nextItem(&pos, &key, &value);)
            f(key, value);
    }

private:
    struct Exact
    {
    };
    // `text` is known to be exactly one value: not scanned again.
    QlogJson(QByteArrayView text, Exact) : m_text(text) {}
    char first() const { return m_text.isEmpty() ? '\0' : m_text.front(); }
    // Reads the element (or, with `key`, the member) of this array (or object) at `*pos`, which
    // is just inside the bracket or just after the previous item, and moves `*pos` past it.
    // Member keys are as written (qlog's have no escapes). False at the end or on malformed
    // text.
    bool nextItem(qsizetype *pos, QByteArrayView *key, QlogJson *value) const;

    QByteArrayView m_text; // exactly this value's text
};

} // namespace hopscope
