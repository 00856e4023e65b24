#pragma once

#include "core/requestspec.h"

#include <QWidget>

class QComboBox;
class QLineEdit;
class QSettings;

namespace hopscope {

// The composer's connection settings, as hopscope-cli's options: who we are to the server
// (client certificate, key, its password), where the TLS secrets go (key log), and the route
// (proxy, proxy user, no-proxy list, --resolve, --connect-to, IPv4/IPv6). It owns these fields'
// part of a RequestSpec (tls.cert*, tls.keyLogFile, route) and of the saved settings.
// Credentials are never saved: the key's password and the proxy user go with the window.
class ConnectionOptionsForm : public QWidget
{
    Q_OBJECT
public:
    explicit ConnectionOptionsForm(QWidget *parent = nullptr);

    void writeTo(RequestSpec &spec) const;
    void readFrom(const RequestSpec &spec);
    // What is wrong with a field, in the field's own words, or empty.
    QString validationError() const;

    void saveSettings(QSettings &settings) const;
    void restoreSettings(QSettings &settings);

signals:
    void edited();

private:
    QLineEdit *fileField(const QString &name, const QString &placeholder, const QString &tip,
                         const QString &dialogTitle, QLayout **row);
    QLineEdit *textField(const QString &name, const QString &placeholder, const QString &tip);

    QLineEdit *m_cert = nullptr;
    QLineEdit *m_key = nullptr;
    QLineEdit *m_password = nullptr;
    QLineEdit *m_keyLog = nullptr;
    QLineEdit *m_proxy = nullptr;
    QLineEdit *m_proxyUser = nullptr;
    QLineEdit *m_noProxy = nullptr;
    QLineEdit *m_resolve = nullptr;
    QLineEdit *m_connectTo = nullptr;
    QComboBox *m_family = nullptr;
};

} // namespace hopscope
