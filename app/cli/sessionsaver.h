#pragma once

#include "session/sessionwriter.h"

#include <QFile>
#include <QObject>
#include <QString>

namespace hopscope {

class Client;
class Exchange;
class TraceStore;

// hopscope-cli --save FILE: the run as a session file (docs/session-format.md), written as it
// goes — each trace batch as it is delivered, each exchange's bodies when it finishes — so the
// CLI keeps nothing in memory for it, and a run that is killed leaves every batch written so
// far (the window then says the file was cut short and shows what it holds).
class SessionSaver : public QObject
{
    Q_OBJECT
public:
    SessionSaver(TraceStore *trace, Client *client, QString path, QObject *parent = nullptr);

    bool open(QString *error);   // before the run starts
    bool finish(QString *error); // after the last batch was delivered (TraceStore::flush)

private:
    void onFinished(Exchange *ex);

    TraceStore *m_trace;
    QFile m_file;
    SessionWriter m_writer;
};

} // namespace hopscope
