#pragma once

#include "clioptions.h"

#include <QObject>

namespace hopscope {

class Client;
class Exchange;

// Hands the command line's requests to the client. With --parallel all go at once (they were
// asked to be in flight together). Otherwise one at a time, the next when the previous
// finished: a sequential run holds only the request it runs, however long --repeat makes it.
class RequestFeeder : public QObject
{
    Q_OBJECT
public:
    RequestFeeder(Client *client, const CliOptions &options, QObject *parent = nullptr);

    // Enqueues the first request (all of them with --parallel).
    void start();
    // Enqueues every request not handed over yet, e.g. so that an abort reports them all.
    void enqueueRest();

private:
    void enqueueNext();
    void onFinished(Exchange *exchange);

    Client *m_client;
    const CliOptions &m_options;
    qsizetype m_next = 0;
};

} // namespace hopscope
