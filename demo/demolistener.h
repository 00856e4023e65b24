#pragma once

#include <QTcpServer>

namespace hopscope {

// A listening socket that hands over raw descriptors instead of QTcpSockets: the TLS port must
// wrap each one in a QSslSocket (Qt 6.4 has no QSslServer), and one code path serves both.
class DemoListener : public QTcpServer
{
    Q_OBJECT
public:
    using QTcpServer::QTcpServer;

signals:
    void accepted(qintptr descriptor);

protected:
    void incomingConnection(qintptr descriptor) override { emit accepted(descriptor); }
};

} // namespace hopscope
