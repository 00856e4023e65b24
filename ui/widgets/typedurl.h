#pragma once

#include <QString>
#include <QUrl>

namespace hopscope {

// The URL a person typed into the composer, checked as typed (issue 14: `htp:/bad url` was
// sent as http://htp/bad%20url). The scheme must be http, https, ws or wss and be followed by
// "//"; the host must be there; a port must be a number from 1 to 65535; no spaces. A URL
// typed without any scheme ("example.com:8080/x") gets http://, as curl does: that adds, it
// does not guess at something broken. Nothing else is rewritten: a URL with a fault is refused
// with a message that names the fault.
struct TypedUrl
{
    QUrl url;      // valid only when error is empty
    QString error; // what is wrong, in the user's terms; empty when the URL can be sent

    static TypedUrl parse(const QString &text);
};

} // namespace hopscope
