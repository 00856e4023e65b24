#pragma once

#include "core/bodysink.h"
#include "core/httpheader.h"

#include <QByteArray>

#include <memory>

namespace hopscope {

// Where hopscope-cli sends a response: the body to its output (stdout or -o FILE), with curl's
// -i (the response head first, in the same output) and -f (an error status's body is not
// written, and no -o file is created for it).
class ResponseSink : public BodySink
{
public:
    ResponseSink(std::unique_ptr<BodySink> output, bool includeHead, bool failOnHttpError);

    bool begin(const Exchange &exchange) override;
    bool write(QByteArrayView data) override;
    bool finish() override;
    QString errorString() const override { return m_output->errorString(); }

    // A 101 switched the connection (h2c, WebSocket, a tunnel): with -i its head is written
    // before what follows, as curl -i shows it.
    bool writeSwitchHead(const Exchange &exchange);

    // A head as curl -i writes it: "HTTP/1.1 200 OK" or "HTTP/2 200", the headers as received,
    // CRLF line ends and an empty line.
    static QByteArray headText(const QByteArray &version, int status, const QByteArray &reason,
                               const HeaderList &headers);

private:
    std::unique_ptr<BodySink> m_output;
    bool m_includeHead;
    bool m_failOnHttpError;
    bool m_discard = false;
};

} // namespace hopscope
