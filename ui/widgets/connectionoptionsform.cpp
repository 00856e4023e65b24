#include "widgets/connectionoptionsform.h"

#include "core/route.h"

#include <QComboBox>
#include <QFileDialog>
#include <QFileInfo>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLineEdit>
#include <QSettings>
#include <QToolButton>
#include <QUrl>

namespace hopscope {

namespace {

// Several --resolve or --connect-to entries in one field: separated by spaces (each entry may
// hold commas itself: HOST:PORT:ADDR,ADDR).
QStringList entries(const QLineEdit *field)
{
    return field->text().split(QLatin1Char(' '), Qt::SkipEmptyParts);
}

// A proxy URL as it may be saved: without user and password.
QString withoutCredentials(const QString &proxy)
{
    QUrl url(proxy);
    if (!url.isValid() || url.userInfo().isEmpty())
        return proxy;
    url.setUserInfo({});
    return url.toString();
}

} // namespace

ConnectionOptionsForm::ConnectionOptionsForm(QWidget *parent) : QWidget(parent)
{
    // Three columns of at most four rows: no higher than the Options tab.
    auto *h = new QHBoxLayout(this);
    h->setContentsMargins(4, 2, 4, 2);

    auto *tls = new QFormLayout;
    tls->setFieldGrowthPolicy(QFormLayout::AllNonFixedFieldsGrow);
    QLayout *row = nullptr;
    m_cert = fileField(QStringLiteral("clientCert"), tr("none"),
                       tr("Client certificate (curl --cert): a PEM file, with its key unless a "
                          "key file is given, or a PKCS#12 file"),
                       tr("Client certificate"), &row);
    tls->addRow(tr("Client certificate"), row);
    m_key = fileField(QStringLiteral("clientKey"), tr("in the certificate file"),
                      tr("PEM private key for the client certificate (curl --key)"),
                      tr("Private key"), &row);
    tls->addRow(tr("Key"), row);
    m_password = textField(QStringLiteral("certPassword"), tr("none"),
                           tr("Password of the key or the PKCS#12 file (curl --pass). Never "
                              "saved."));
    m_password->setEchoMode(QLineEdit::Password);
    tls->addRow(tr("Password"), m_password);
    m_keyLog = fileField(QStringLiteral("keyLog"), tr("$SSLKEYLOGFILE, if set"),
                         tr("Append the TLS secrets to this file (NSS key log) so that Wireshark "
                            "decrypts the connections (--keylog)"),
                         tr("Key log file"), &row);
    tls->addRow(tr("Key log"), row);
    h->addLayout(tls, 1);

    auto *route = new QFormLayout;
    route->setFieldGrowthPolicy(QFormLayout::AllNonFixedFieldsGrow);
    m_proxy = textField(QStringLiteral("proxy"), tr("none"),
                        tr("http://host:port (CONNECT for https and upgrades), socks5:// or "
                           "socks5h:// (-x/--proxy)"));
    route->addRow(tr("Proxy"), m_proxy);
    m_proxyUser = textField(QStringLiteral("proxyUser"), tr("USER:PASSWORD"),
                            tr("Proxy credentials (-U/--proxy-user). Never saved."));
    m_proxyUser->setEchoMode(QLineEdit::PasswordEchoOnEdit);
    route->addRow(tr("Proxy user"), m_proxyUser);
    m_noProxy = textField(QStringLiteral("noProxy"), tr("hosts, comma separated"),
                          tr("Hosts that go direct even with a proxy (--noproxy; * for all)"));
    route->addRow(tr("No proxy"), m_noProxy);
    h->addLayout(route, 1);

    auto *addresses = new QFormLayout;
    addresses->setFieldGrowthPolicy(QFormLayout::AllNonFixedFieldsGrow);
    m_resolve = textField(QStringLiteral("resolve"), tr("HOST:PORT:ADDRESS …"),
                          tr("Use these addresses instead of DNS (--resolve); several entries "
                             "separated by spaces"));
    addresses->addRow(tr("Resolve"), m_resolve);
    m_connectTo = textField(QStringLiteral("connectTo"), tr("HOST:PORT:HOST2:PORT2 …"),
                            tr("Connect to another host and port for this one (--connect-to); "
                               "several entries separated by spaces"));
    addresses->addRow(tr("Connect to"), m_connectTo);
    m_family = new QComboBox;
    m_family->setObjectName(QStringLiteral("ipFamily"));
    m_family->addItem(tr("IPv4 or IPv6"), int(IpFamily::Any));
    m_family->addItem(tr("IPv4 only (-4)"), int(IpFamily::V4));
    m_family->addItem(tr("IPv6 only (-6)"), int(IpFamily::V6));
    connect(m_family, &QComboBox::currentIndexChanged, this, &ConnectionOptionsForm::edited);
    addresses->addRow(tr("Addresses"), m_family);
    h->addLayout(addresses, 1);
}

QLineEdit *ConnectionOptionsForm::textField(const QString &name, const QString &placeholder,
                                            const QString &tip)
{
    auto *field = new QLineEdit;
    field->setObjectName(name);
    field->setPlaceholderText(placeholder);
    field->setToolTip(tip);
    field->setClearButtonEnabled(true);
    connect(field, &QLineEdit::textChanged, this, &ConnectionOptionsForm::edited);
    return field;
}

QLineEdit *ConnectionOptionsForm::fileField(const QString &name, const QString &placeholder,
                                            const QString &tip, const QString &dialogTitle,
                                            QLayout **row)
{
    QLineEdit *field = textField(name, placeholder, tip);
    auto *browse = new QToolButton;
    browse->setText(QStringLiteral("…"));
    browse->setToolTip(tr("Choose a file"));
    connect(browse, &QToolButton::clicked, this, [this, field, dialogTitle] {
        const QString f = QFileDialog::getOpenFileName(this, dialogTitle, field->text());
        if (!f.isEmpty())
            field->setText(f);
    });
    auto *h = new QHBoxLayout;
    h->addWidget(field, 1);
    h->addWidget(browse);
    *row = h;
    return field;
}

void ConnectionOptionsForm::writeTo(RequestSpec &spec) const
{
    spec.tls.certFile = m_cert->text().trimmed();
    spec.tls.keyFile = spec.tls.certFile.isEmpty() ? QString() : m_key->text().trimmed();
    spec.tls.certPassword = spec.tls.certFile.isEmpty() ? QString() : m_password->text();
    spec.tls.keyLogFile = m_keyLog->text().trimmed();
    RouteOptions &r = spec.route;
    r.proxy = m_proxy->text().trimmed();
    r.proxySet = !r.proxy.isEmpty();
    r.proxyUser = m_proxyUser->text();
    r.noProxy = m_noProxy->text().trimmed();
    r.noProxySet = !r.noProxy.isEmpty();
    r.resolve.clear();
    for (const QString &e : entries(m_resolve)) {
        ResolveOverride o;
        if (parseResolve(e, &o).isEmpty())
            r.resolve << o;
    }
    r.connectTo.clear();
    for (const QString &e : entries(m_connectTo)) {
        ConnectToRule c;
        if (parseConnectTo(e, &c).isEmpty())
            r.connectTo << c;
    }
    r.family = IpFamily(m_family->currentData().toInt());
}

void ConnectionOptionsForm::readFrom(const RequestSpec &spec)
{
    m_cert->setText(spec.tls.certFile);
    m_key->setText(spec.tls.keyFile);
    m_password->setText(spec.tls.certPassword);
    m_keyLog->setText(spec.tls.keyLogFile);
    m_proxy->setText(spec.route.proxySet ? spec.route.proxy : QString());
    m_proxyUser->setText(spec.route.proxyUser);
    m_noProxy->setText(spec.route.noProxySet ? spec.route.noProxy : QString());
    QStringList resolve;
    for (const ResolveOverride &o : spec.route.resolve) {
        QStringList addrs;
        for (const QHostAddress &a : o.addresses)
            addrs << (a.protocol() == QAbstractSocket::IPv6Protocol
                          ? QStringLiteral("[%1]").arg(a.toString())
                          : a.toString());
        resolve << QStringLiteral("%1:%2:%3").arg(o.host).arg(o.port).arg(addrs.join(u','));
    }
    m_resolve->setText(resolve.join(u' '));
    QStringList connectTo;
    for (const ConnectToRule &c : spec.route.connectTo) {
        const auto port = [](quint16 p) { return p ? QString::number(p) : QString(); };
        connectTo
            << QStringLiteral("%1:%2:%3:%4").arg(c.host, port(c.port), c.toHost, port(c.toPort));
    }
    m_connectTo->setText(connectTo.join(u' '));
    m_family->setCurrentIndex(qMax(0, m_family->findData(int(spec.route.family))));
}

QString ConnectionOptionsForm::validationError() const
{
    const QString cert = m_cert->text().trimmed();
    if (!cert.isEmpty() && !QFileInfo(cert).isFile())
        return tr("Client certificate %1: no such file").arg(cert);
    const QString key = m_key->text().trimmed();
    if (!key.isEmpty() && cert.isEmpty())
        return tr("Key %1: it goes with a client certificate, and none is given").arg(key);
    if (!key.isEmpty() && !QFileInfo(key).isFile())
        return tr("Key %1: no such file").arg(key);
    const QString proxy = m_proxy->text().trimmed();
    ProxyEndpoint endpoint;
    if (!proxy.isEmpty()) {
        if (const QString why = parseProxyUrl(proxy, &endpoint); !why.isEmpty())
            return tr("Proxy: %1").arg(why);
    }
    for (const QString &e : entries(m_resolve)) {
        ResolveOverride o;
        if (const QString why = parseResolve(e, &o); !why.isEmpty())
            return tr("Resolve %1: %2").arg(e, why);
    }
    for (const QString &e : entries(m_connectTo)) {
        ConnectToRule c;
        if (const QString why = parseConnectTo(e, &c); !why.isEmpty())
            return tr("Connect to %1: %2").arg(e, why);
    }
    return {};
}

void ConnectionOptionsForm::saveSettings(QSettings &settings) const
{
    // The password and the proxy user are credentials: never written to disk (issue 11), and
    // a proxy URL loses any user:password of its own.
    settings.setValue(QStringLiteral("clientCert"), m_cert->text().trimmed());
    settings.setValue(QStringLiteral("clientKey"), m_key->text().trimmed());
    settings.setValue(QStringLiteral("keyLog"), m_keyLog->text().trimmed());
    settings.setValue(QStringLiteral("proxy"), withoutCredentials(m_proxy->text().trimmed()));
    settings.setValue(QStringLiteral("noProxy"), m_noProxy->text().trimmed());
    settings.setValue(QStringLiteral("resolve"), m_resolve->text().trimmed());
    settings.setValue(QStringLiteral("connectTo"), m_connectTo->text().trimmed());
    settings.setValue(QStringLiteral("ipFamily"), m_family->currentData().toInt());
}

void ConnectionOptionsForm::restoreSettings(QSettings &settings)
{
    auto text = [&settings](const char *key, const QLineEdit *field) {
        return settings.value(QLatin1String(key), field->text()).toString();
    };
    m_cert->setText(text("clientCert", m_cert));
    m_key->setText(text("clientKey", m_key));
    m_keyLog->setText(text("keyLog", m_keyLog));
    m_proxy->setText(text("proxy", m_proxy));
    m_noProxy->setText(text("noProxy", m_noProxy));
    m_resolve->setText(text("resolve", m_resolve));
    m_connectTo->setText(text("connectTo", m_connectTo));
    m_family->setCurrentIndex(qMax(
        0, m_family->findData(settings.value(QStringLiteral("ipFamily"), int(IpFamily::Any)))));
    m_password->clear();
    m_proxyUser->clear();
}

} // namespace hopscope
