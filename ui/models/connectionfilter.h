#pragma once

#include <QList>
#include <QString>
#include <QStringList>

namespace hopscope {

// What the connection tree's filter box asks for: field terms (`status:404`, `status:4xx`,
// `path:/x`, `proto:h2c`, `conn:3`, `method:POST`, `req:12`) and plain text, as typed. Terms of
// one field are alternatives (`status:404 status:500`), different fields must all hold, and the
// plain text (what is left, trimmed) must be found in the row's filter text, as before fields.
// A plain text of digits only matches whole numbers and never a row's own request or
// connection number ("404" is not req 1404, nor req 404 answered 200): `req:` and `conn:` ask
// for those.
//
// Only the names above make a field, so a URL's "http:" stays plain text. A value that cannot
// hold (`status:abc`, `conn:x`) is reported in error() and matches nothing.
struct ConnectionFilter
{
    enum class Field { Status, Path, Proto, Conn, Method, Req };
    struct Term
    {
        Field field = Field::Path;
        QString value;   // as typed (path, proto, method)
        int number = -1; // status, conn, req; a status class: 4 for 4xx
        bool statusClass = false;
    };

    QList<Term> terms;
    QString text;  // the plain text, words in their typed order
    QString error; // "status:abc: not a status code (100–599, or 4xx)"; empty when fine

    static ConnectionFilter parse(const QString &input);
    static QStringList fieldNames(); // "status", "path", "proto", "conn", "method", "req"

    bool isEmpty() const { return terms.isEmpty() && text.isEmpty() && error.isEmpty(); }
    bool hasField(Field f) const;
    // Whether the exchange-level fields (all but conn) are asked for: a connection row cannot
    // meet them by itself, only through its exchanges.
    bool hasExchangeFields() const;

    // What a row offers to the terms. A connection row has conn only (req 0, status 0).
    struct Row
    {
        quint32 conn = 0;
        quint32 req = 0;
        int status = 0;
        QString path;
        QString protocol;
        QString method;
        QString filterText; // the model's FilterTextRole
        QString ownNumber;  // "req 12" / "#3" at the start of filterText, kept from numbers
        bool isExchange = false;
    };
    bool matches(const Row &row) const;

private:
    bool termHolds(const Term &term, const Row &row) const;
    bool textMatches(const Row &row) const;
};

} // namespace hopscope
