#pragma once

#include "core/replayrequest.h"

#include <QByteArrayView>
#include <QString>

namespace hopscope {

// A body larger than this is not written into a copied command (a note says so): a command
// line is pasted into a terminal, and one argument may hold at most 128 KiB on Linux anyway.
inline constexpr qsizetype kMaxCopiedBody = 1024 * 1024;

// The command line tools a request can be copied for.
enum class CopyTool { Curl, Nghttp, HopscopeCli };

struct CopyCommandOptions
{
    // Off: the values of Authorization, Proxy-Authorization and Cookie, and the password of
    // URL userinfo, read "[redacted]" (as in exported HAR).
    bool includeSecrets = false;
};

// A shell command that sends `request` again with `tool`: protocol flags for its mode, the
// method, the headers the tool would not add itself (in wire order), the body, -k. Notes the
// command cannot express come first as "# " lines; a mode the tool cannot speak (nghttp and
// HTTP/1.1) gives only such a line. The request's route words (proxy, --resolve, --connect-to,
// -4/-6, client certificate, key log; core/routewords.h) follow the protocol flags in curl's
// spelling, a password as "[redacted]" with a note; nghttp, which has no proxy or routing
// options and no key log, gets notes that say what its command leaves out. Every argument is quoted
// for a POSIX shell (bash's $'…' for bytes that are not printable); a body that no argument can
// carry (a NUL byte, invalid UTF-8 for hopscope-cli, a leading @) is written by printf into a pipe
// or a temporary file.
QString copyCommand(const ReplayRequest &request, CopyTool tool,
                    const CopyCommandOptions &options = {});

// One shell word that reads back as exactly these bytes: bare when only safe characters,
// '…' (with '\'' for a quote) for printable UTF-8, $'…' with \xHH escapes otherwise. A NUL byte
// cannot be part of an argument; it is written as \x00, which bash stops at.
QString shellQuote(QByteArrayView bytes);

// The command's name as copyCommand() writes it, and the menu's words for it.
QString copyToolName(CopyTool tool);

} // namespace hopscope
