#pragma once

#include <QCommandLineOption>
#include <QString>

class QCommandLineParser;

namespace hopscope {

struct CliOptions;
struct RequestSpec;

// curl's spellings that hopscope-cli takes as well (issue 13), kept apart from the options of
// its own: output (-i, -I, -s, -S, -f, -w), request building (-u, -A, -e, -b, -c, -G,
// --data-raw), -m/--max-time and the low-speed abort (-Y, -y). The protocol aliases (--http2,
// --http2-prior-knowledge) and -d's joining live with the options they alias in clioptions.cpp.
class CurlHabits
{
public:
    // Adds the options to the parser (before it parses).
    explicit CurlHabits(QCommandLineParser &parser);

    // After parsing: what these options set on the request every URL starts from, and on the
    // run. Returns a usage error, or an empty string.
    QString applyToRequest(const QCommandLineParser &parser, RequestSpec &base) const;
    QString applyToRun(const QCommandLineParser &parser, CliOptions &options) const;

    const QCommandLineOption include{{QStringLiteral("i"), QStringLiteral("include")},
                                     QStringLiteral("Write the response head before the body, "
                                                    "into the same output.")};
    const QCommandLineOption head{{QStringLiteral("I"), QStringLiteral("head")},
                                  QStringLiteral("Send HEAD and write the response head.")};
    const QCommandLineOption silent{{QStringLiteral("s"), QStringLiteral("silent")},
                                    QStringLiteral("Print no error messages.")};
    const QCommandLineOption showError{{QStringLiteral("S"), QStringLiteral("show-error")},
                                       QStringLiteral("With -s: print error messages still.")};
    const QCommandLineOption fail{{QStringLiteral("f"), QStringLiteral("fail")},
                                  QStringLiteral("A status of 400 or more fails the request "
                                                 "(exit 22); its body is not written.")};
    const QCommandLineOption writeOut{
        {QStringLiteral("w"), QStringLiteral("write-out")},
        QStringLiteral("After each request write FORMAT to stdout: %{http_code}, "
                       "%{http_version}, %{time_connect}, %{time_appconnect}, "
                       "%{time_starttransfer}, %{time_total}, %{size_download}, "
                       "%{num_connects}, %{remote_ip}, %{upgrade}, %{stream_id}, %{json}, "
                       "… (see the README); \\n, \\t; @FILE reads FORMAT from a file."),
        QStringLiteral("FORMAT")};
    const QCommandLineOption user{{QStringLiteral("u"), QStringLiteral("user")},
                                  QStringLiteral("Basic authentication (Authorization header)."),
                                  QStringLiteral("USER:PASSWORD")};
    const QCommandLineOption userAgent{{QStringLiteral("A"), QStringLiteral("user-agent")},
                                       QStringLiteral("User-Agent header."),
                                       QStringLiteral("NAME")};
    const QCommandLineOption referer{{QStringLiteral("e"), QStringLiteral("referer")},
                                     QStringLiteral("Referer header."),
                                     QStringLiteral("URL")};
    const QCommandLineOption cookie{
        {QStringLiteral("b"), QStringLiteral("cookie")},
        QStringLiteral("Send cookies: 'name=value; n2=v2' as given, or those of a Netscape "
                       "cookie FILE that match the URL. Turns the cookie engine on: cookies "
                       "that responses set go to later requests (repeatable)."),
        QStringLiteral("DATA|FILE")};
    const QCommandLineOption cookieJar{
        {QStringLiteral("c"), QStringLiteral("cookie-jar")},
        QStringLiteral("At the end, write every cookie (-b FILE and Set-Cookie) to FILE in "
                       "Netscape format (- for stdout)."),
        QStringLiteral("FILE")};
    const QCommandLineOption get{{QStringLiteral("G"), QStringLiteral("get")},
                                 QStringLiteral("Append the -d data to the URL's query and send "
                                                "GET.")};
    const QCommandLineOption dataRaw{QStringLiteral("data-raw"),
                                     QStringLiteral("Like -d, but @ is not special."),
                                     QStringLiteral("DATA")};
    const QCommandLineOption maxTime{{QStringLiteral("m"), QStringLiteral("max-time")},
                                     QStringLiteral("Give up on each request after SECONDS "
                                                    "(exit 28)."),
                                     QStringLiteral("SECONDS")};
    const QCommandLineOption speedLimit{
        {QStringLiteral("Y"), QStringLiteral("speed-limit")},
        QStringLiteral("Abort a request whose connection moves fewer than BYTES per second "
                       "for --speed-time seconds (limit lowSpeedLimit; exit 28)."),
        QStringLiteral("BYTES")};
    const QCommandLineOption speedTime{
        {QStringLiteral("y"), QStringLiteral("speed-time")},
        QStringLiteral("The time for -Y (default 30; alone it means -Y 1)."),
        QStringLiteral("SECONDS")};
    const QCommandLineOption location{
        {QStringLiteral("L"), QStringLiteral("location")},
        QStringLiteral("Follow redirects (301, 302, 303, 307, 308): each hop is its own "
                       "exchange; only the final body is written.")};
    const QCommandLineOption maxRedirs{
        QStringLiteral("max-redirs"),
        QStringLiteral("With -L, follow at most NUM redirects (default 50, -1 unlimited; "
                       "exit 47 past it)."),
        QStringLiteral("NUM")};
    const QCommandLineOption locationTrusted{
        QStringLiteral("location-trusted"),
        QStringLiteral("Like -L, and send Authorization and Cookie to other hosts too.")};
};

} // namespace hopscope
