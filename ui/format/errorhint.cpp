#include "format/errorhint.h"

#include <QCoreApplication>

namespace hopscope {

QString errorHint(const QString &code)
{
    if (code == QLatin1String("tls-verify"))
        return QCoreApplication::translate(
            "ErrorHint", "To trust its CA, choose a CA file under Options; to skip "
                         "verification, tick \"Insecure (-k)\" there.");
    return {};
}

} // namespace hopscope
