#pragma once

#include <QByteArray>
#include <QString>
#include <QStringList>

namespace hopscope {

class Exchange;

// What -w/--write-out can tell about one finished request, taken from the exchange's own
// timings (the trace clock, the same numbers as `response.complete.timings`).
struct TransferInfo
{
    QString url;          // the URL given (the chain's first with -L)
    QString urlEffective; // the URL fetched last
    QString redirectUrl;  // where a redirect response would have gone, when not followed
    int numRedirects = 0;
    double timeRedirect = 0; // the redirects before the final hop, all steps
    QByteArray method;
    int httpCode = 0;
    QByteArray httpVersion; // "1.0", "1.1", "2"; "0" when no response came
    QByteArray contentType;
    // Seconds since the request started, as curl counts them; 0 for a phase that did not
    // happen (no DNS for an IP address, no connect on a reused connection, no TLS on http://).
    double timeNamelookup = 0;
    double timeConnect = 0;
    double timeAppconnect = 0;
    double timePretransfer = 0;
    double timeStarttransfer = 0;
    double timeTotal = 0;    // the whole chain with -L, as curl
    qint64 sizeDownload = 0; // body bytes as received (before content decoding)
    int numConnects = 0;     // 1 when this request opened its connection, 0 when it reused one
    QString remoteIp;
    int remotePort = 0;
    QByteArray upgrade; // the token a 101 switched the connection to (h2c, websocket, …)
    int streamId = -1;  // the HTTP/2 stream; -1 (written empty) on HTTP/1.1
    int exitCode = 0;
    QString errorMessage;

    // `upgrade`, `exitCode` and `errorMessage` are the caller's: the CLI knows them.
    static TransferInfo of(const Exchange &exchange);
};

// curl's -w/--write-out: `%{variable}`, `%%`, and the escapes \n, \r, \t and \\. The format
// is checked once (unknown variables are a usage error, listing the known ones) and expanded
// after each request.
class WriteOut
{
public:
    // false with a message for an unknown variable or an unterminated %{.
    static bool validate(const QString &format, QString *error);
    static QByteArray expand(const QString &format, const TransferInfo &info);
    static QStringList variables();
};

} // namespace hopscope
