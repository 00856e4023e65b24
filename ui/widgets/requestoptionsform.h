#pragma once

#include "core/requestspec.h"

#include <QList>
#include <QWidget>

class QCheckBox;
class QLabel;
class QLineEdit;
class QSettings;
class QSpinBox;

namespace hopscope {

class ConnectionOptionsForm;

// The composer's Options tab: TLS (CA file, -k, ALPN), the connection (ConnectionOptionsForm:
// client certificate, key log, proxy and routing), protocol details (decode, follow
// Upgrade: h2, h2c via OPTIONS *, follow redirects (-L, --max-redirs), request target) and the run
// (repeat, parallel, timeouts). It owns these fields' part of a RequestSpec and of the saved
// settings; the protocol mode and the URL stay with the composer.
class RequestOptionsForm : public QWidget
{
    Q_OBJECT
public:
    explicit RequestOptionsForm(QWidget *parent = nullptr);

    // Writes TLS, decode, follow, h2c-via-OPTIONS, target and timeouts; tls.alpn only when the
    // ALPN field names a list (empty: the protocol mode's own offer).
    void writeTo(RequestSpec &spec) const;
    // Fills the fields from `spec`. The ALPN field stays empty when spec.tls.alpn is what the
    // mode offers by itself (`modeAlpn`), so that only a list the user chose shows.
    void readFrom(const RequestSpec &spec, const QList<QByteArray> &modeAlpn);
    // A CA file that does not exist, or what the connection settings refuse; or empty.
    QString validationError() const;
    // The connection settings (client certificate, key log, proxy, routing), which the
    // composer shows on a tab of their own; this form writes and saves them with the rest.
    ConnectionOptionsForm *connectionForm() const { return m_connection; }

    // Only the h2c upgrade mode can upgrade on OPTIONS *.
    void setH2cViaOptionsEnabled(bool enabled);
    bool isInsecure() const;

    int repeat() const;
    void setRepeat(int repeat);
    int parallel() const;
    void setParallel(int parallel);

    // Into the caller's current settings group. Insecure (-k) is never saved, and restoring
    // turns it off: certificate verification is on after every start.
    void saveSettings(QSettings &settings) const;
    void restoreSettings(QSettings &settings);

signals:
    // A field that validationError() looks at changed.
    void edited();
    void insecureToggled(bool on);

private:
    QLayout *buildTlsForm();
    QLayout *buildProtocolForm();
    QLayout *buildRunForm();
    void updateInsecureLook();
    void chooseCaFile();

    QLineEdit *m_caFile = nullptr;
    QCheckBox *m_insecure = nullptr;
    QCheckBox *m_certStatus = nullptr;
    QLabel *m_insecureWarning = nullptr;
    QLineEdit *m_alpn = nullptr;
    QCheckBox *m_decode = nullptr;
    QCheckBox *m_followH2 = nullptr;
    QCheckBox *m_h2cViaOptions = nullptr;
    QCheckBox *m_followRedirects = nullptr;
    QSpinBox *m_maxRedirects = nullptr;
    QLineEdit *m_target = nullptr;
    QSpinBox *m_repeat = nullptr;
    QSpinBox *m_parallel = nullptr;
    QSpinBox *m_connectTimeout = nullptr;
    QSpinBox *m_idleTimeout = nullptr;
    QSpinBox *m_totalTimeout = nullptr;
    ConnectionOptionsForm *m_connection = nullptr;
};

} // namespace hopscope
