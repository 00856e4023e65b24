#pragma once

#include "clioptions.h"

#include <QObject>

namespace hopscope {

class Client;
class CookieJar;
class Exchange;
class HarRecorder;

// Hands the command line's requests to the client. Otherwise one at a time, the next when the
// previous finished: a sequential run holds only the request it runs, however long --repeat
// makes it. With --parallel a window of kParallelWindow requests is kept handed over, topped up
// as each finishes: far more than any server lets run at once (100 streams, 6 connections), so
// the connections stay as full as before, while a run of a million requests holds a thousand.
class RequestFeeder : public QObject
{
    Q_OBJECT
public:
    // `cookies`: the cookie engine (-b FILE, -c), or nullptr; each request gets the cookies it
    // holds for its URL when the request is handed over (after the previous one finished).
    RequestFeeder(Client *client, const CliOptions &options, const CookieJar *cookies = nullptr,
                  QObject *parent = nullptr);

    // Enqueues the first request (the first kParallelWindow with --parallel).
    void start();
    // Enqueues every request not handed over yet, e.g. so that an abort reports them all.
    void enqueueRest();
    // --har: each request's body sink keeps a bounded copy for the HAR.
    void setHarRecorder(HarRecorder *har) { m_har = har; }

private:
    void enqueueNext();
    void onFinished(Exchange *exchange);

    static constexpr qsizetype kParallelWindow = 1024;

    Client *m_client;
    const CliOptions &m_options;
    const CookieJar *m_cookies;
    qsizetype m_next = 0;
    HarRecorder *m_har = nullptr;
};

} // namespace hopscope
