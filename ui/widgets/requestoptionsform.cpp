#include "widgets/requestoptionsform.h"

#include "style/protocolstyle.h"
#include "widgets/connectionoptionsform.h"

#include <QCheckBox>
#include <QFileDialog>
#include <QFileInfo>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QSettings>
#include <QSpinBox>
#include <QToolButton>

namespace hopscope {

namespace {

QString joinAlpn(const QList<QByteArray> &alpn)
{
    QStringList parts;
    for (const QByteArray &a : alpn)
        parts << QString::fromLatin1(a);
    return parts.join(QStringLiteral(", "));
}

QList<QByteArray> parseAlpn(const QString &text)
{
    QList<QByteArray> out;
    for (const QString &a : text.split(QLatin1Char(','), Qt::SkipEmptyParts)) {
        const QString t = a.trimmed();
        if (!t.isEmpty())
            out << t.toLatin1();
    }
    return out;
}

QSpinBox *secondsSpin(int max, const QString &tip)
{
    auto *s = new QSpinBox;
    s->setRange(0, max);
    s->setSuffix(QStringLiteral(" s"));
    s->setSpecialValueText(RequestOptionsForm::tr("none"));
    s->setToolTip(tip);
    return s;
}

} // namespace

RequestOptionsForm::RequestOptionsForm(QWidget *parent) : QWidget(parent)
{
    auto *h = new QHBoxLayout(this);
    h->setContentsMargins(4, 2, 4, 2);
    h->addLayout(buildTlsForm(), 3);
    h->addLayout(buildProtocolForm(), 2);
    h->addLayout(buildRunForm(), 3);
    // Client certificate, key log and route (hopscope-cli's --cert, --keylog, -x, --resolve, …):
    // part of the spec this form writes, shown on a tab of its own (connectionForm()).
    m_connection = new ConnectionOptionsForm(this);
    m_connection->hide();
    connect(m_connection, &ConnectionOptionsForm::edited, this, &RequestOptionsForm::edited);
    updateInsecureLook();
}

QLayout *RequestOptionsForm::buildTlsForm()
{
    auto *tls = new QFormLayout;
    tls->setFieldGrowthPolicy(QFormLayout::AllNonFixedFieldsGrow);
    auto *caRow = new QHBoxLayout;
    m_caFile = new QLineEdit;
    m_caFile->setObjectName(QStringLiteral("caFile"));
    m_caFile->setPlaceholderText(tr("system CAs"));
    m_caFile->setToolTip(tr("PEM file of CA certificates that replaces the system ones "
                            "(curl --cacert)"));
    connect(m_caFile, &QLineEdit::textChanged, this, &RequestOptionsForm::edited);
    auto *browse = new QToolButton;
    browse->setText(tr("…"));
    browse->setToolTip(tr("Choose a CA file"));
    connect(browse, &QToolButton::clicked, this, &RequestOptionsForm::chooseCaFile);
    caRow->addWidget(m_caFile, 1);
    caRow->addWidget(browse);
    tls->addRow(tr("CA file"), caRow);

    auto *insecureRow = new QHBoxLayout;
    m_insecure = new QCheckBox(tr("Insecure (-k)"));
    m_insecure->setObjectName(QStringLiteral("insecure"));
    m_insecure->setToolTip(tr("Skip certificate verification; the trace says so on every "
                              "connection. Not remembered between runs."));
    connect(m_insecure, &QCheckBox::toggled, this, [this](bool on) {
        updateInsecureLook();
        emit insecureToggled(on);
    });
    m_insecureWarning = new QLabel(tr("certificate verification is OFF"));
    m_insecureWarning->setObjectName(QStringLiteral("insecureWarning"));
    insecureRow->addWidget(m_insecure);
    insecureRow->addWidget(m_insecureWarning, 1);
    tls->addRow(insecureRow);

    m_alpn = new QLineEdit;
    m_alpn->setObjectName(QStringLiteral("alpn"));
    m_alpn->setPlaceholderText(tr("by mode"));
    m_alpn->setToolTip(tr("ALPN protocols to offer, comma separated (e.g. h2, http/1.1); "
                          "empty: what the protocol mode offers"));
    tls->addRow(tr("ALPN"), m_alpn);

    m_certStatus = new QCheckBox(tr("Require a good OCSP staple (--cert-status)"));
    m_certStatus->setObjectName(QStringLiteral("certStatus"));
    m_certStatus->setToolTip(tr("Fail a connection unless the server staples an OCSP response "
                                "that says its certificate is good. Without it, the TLS tab "
                                "only reports the staple."));
    connect(m_certStatus, &QCheckBox::toggled, this, &RequestOptionsForm::edited);
    tls->addRow(tr("OCSP"), m_certStatus);
    return tls;
}

QLayout *RequestOptionsForm::buildProtocolForm()
{
    auto *proto = new QFormLayout;
    m_decode = new QCheckBox(tr("Decode content (--compressed)"));
    m_decode->setObjectName(QStringLiteral("decode"));
    m_decode->setToolTip(tr("Send Accept-Encoding and decode gzip, deflate, br and zstd "
                            "bodies"));
    m_followH2 = new QCheckBox(tr("Follow Upgrade: h2"));
    m_followH2->setObjectName(QStringLiteral("followUpgradeH2"));
    m_followH2->setToolTip(tr("When a TLS server's HTTP/1.1 response advertises Upgrade: h2, "
                              "reach it over a new HTTP/2 connection next time"));
    m_h2cViaOptions = new QCheckBox(tr("h2c via OPTIONS *"));
    m_h2cViaOptions->setObjectName(QStringLiteral("h2cViaOptions"));
    m_h2cViaOptions->setToolTip(tr("h2c upgrade: upgrade on a bodiless OPTIONS * first, then "
                                   "send this request as a stream (nghttp -u)"));
    m_followRedirects = new QCheckBox(tr("Follow redirects (-L)"));
    m_followRedirects->setObjectName(QStringLiteral("followRedirects"));
    m_followRedirects->setToolTip(tr("Follow 301, 302, 303, 307 and 308 to their Location as curl "
                                     "-L does: each hop is its own exchange, drawn as an arrow "
                                     "in the timeline"));
    m_maxRedirects = new QSpinBox;
    m_maxRedirects->setObjectName(QStringLiteral("maxRedirects"));
    m_maxRedirects->setRange(-1, 1000);
    m_maxRedirects->setValue(RedirectOptions{}.maxRedirects);
    m_maxRedirects->setSpecialValueText(tr("unlimited")); // -1, as curl's --max-redirs -1
    m_maxRedirects->setPrefix(tr("at most "));
    m_maxRedirects->setToolTip(tr("--max-redirs: past this many the request fails"));
    m_maxRedirects->setEnabled(false);
    connect(m_followRedirects, &QCheckBox::toggled, m_maxRedirects, &QWidget::setEnabled);
    auto *redirectRow = new QHBoxLayout;
    redirectRow->addWidget(m_followRedirects);
    redirectRow->addWidget(m_maxRedirects);
    redirectRow->addStretch(1);
    m_target = new QLineEdit;
    m_target->setObjectName(QStringLiteral("target"));
    m_target->setPlaceholderText(tr("from the URL"));
    m_target->setToolTip(tr("Request target instead of the URL's path, e.g. * for OPTIONS *"));
    proto->addRow(m_decode);
    proto->addRow(m_followH2);
    proto->addRow(m_h2cViaOptions);
    proto->addRow(redirectRow);
    proto->addRow(tr("Target"), m_target);
    return proto;
}

QLayout *RequestOptionsForm::buildRunForm()
{
    auto *run = new QFormLayout;
    m_repeat = new QSpinBox;
    m_repeat->setObjectName(QStringLiteral("repeat"));
    m_repeat->setRange(1, 100000);
    m_repeat->setToolTip(tr("Send this many copies of the request"));
    m_parallel = new QSpinBox;
    m_parallel->setObjectName(QStringLiteral("parallel"));
    m_parallel->setRange(1, 1000);
    m_parallel->setToolTip(tr("At most this many copies in flight at once"));
    // One field a row, as in the other two columns: three timeouts side by side did not fit a
    // third of a 1024 px window.
    run->addRow(tr("Repeat"), m_repeat);
    run->addRow(tr("Parallel"), m_parallel);
    m_connectTimeout = secondsSpin(3600, tr("TCP (and TLS) connect timeout"));
    m_idleTimeout =
        secondsSpin(86400, tr("Fail a request after this long without a byte either way"));
    m_totalTimeout = secondsSpin(86400, tr("Per request; none by default"));
    m_connectTimeout->setObjectName(QStringLiteral("connectTimeout"));
    m_idleTimeout->setObjectName(QStringLiteral("idleTimeout"));
    m_totalTimeout->setObjectName(QStringLiteral("totalTimeout"));
    run->addRow(tr("Connect timeout"), m_connectTimeout);
    run->addRow(tr("Idle timeout"), m_idleTimeout);
    run->addRow(tr("Total timeout"), m_totalTimeout);
    return run;
}

void RequestOptionsForm::writeTo(RequestSpec &spec) const
{
    spec.tls.caFile = m_caFile->text().trimmed();
    spec.tls.insecure = m_insecure->isChecked();
    spec.tls.alpn = parseAlpn(m_alpn->text());
    spec.tls.certStatus = m_certStatus->isChecked();
    spec.decodeContent = m_decode->isChecked();
    spec.followUpgradeH2 = m_followH2->isChecked();
    spec.h2cViaOptions = m_h2cViaOptions->isChecked();
    spec.redirects.follow = m_followRedirects->isChecked();
    spec.redirects.maxRedirects = m_maxRedirects->value();
    spec.targetOverride = m_target->text().trimmed().toLatin1();
    spec.timeouts.connectMs = m_connectTimeout->value() * 1000;
    spec.timeouts.idleMs = m_idleTimeout->value() * 1000;
    spec.timeouts.totalMs = m_totalTimeout->value() * 1000;
    m_connection->writeTo(spec);
}

void RequestOptionsForm::readFrom(const RequestSpec &spec, const QList<QByteArray> &modeAlpn)
{
    m_caFile->setText(spec.tls.caFile);
    m_insecure->setChecked(spec.tls.insecure);
    m_certStatus->setChecked(spec.tls.certStatus);
    m_alpn->setText(spec.tls.alpn.isEmpty() || spec.tls.alpn == modeAlpn ? QString()
                                                                         : joinAlpn(spec.tls.alpn));
    m_decode->setChecked(spec.decodeContent);
    m_followH2->setChecked(spec.followUpgradeH2);
    m_h2cViaOptions->setChecked(spec.h2cViaOptions);
    m_followRedirects->setChecked(spec.redirects.follow);
    m_maxRedirects->setValue(spec.redirects.maxRedirects);
    m_target->setText(QString::fromLatin1(spec.targetOverride));
    m_connectTimeout->setValue(spec.timeouts.connectMs / 1000);
    m_idleTimeout->setValue(spec.timeouts.idleMs / 1000);
    m_totalTimeout->setValue(spec.timeouts.totalMs / 1000);
    m_connection->readFrom(spec);
}

QString RequestOptionsForm::validationError() const
{
    const QString ca = m_caFile->text().trimmed();
    if (!ca.isEmpty() && !QFileInfo(ca).isFile())
        return tr("CA file %1: no such file").arg(ca);
    return m_connection->validationError();
}

void RequestOptionsForm::setH2cViaOptionsEnabled(bool enabled)
{
    m_h2cViaOptions->setEnabled(enabled);
}

bool RequestOptionsForm::isInsecure() const
{
    return m_insecure->isChecked();
}

int RequestOptionsForm::repeat() const
{
    return m_repeat->value();
}

void RequestOptionsForm::setRepeat(int repeat)
{
    m_repeat->setValue(repeat);
}

int RequestOptionsForm::parallel() const
{
    return m_parallel->value();
}

void RequestOptionsForm::setParallel(int parallel)
{
    m_parallel->setValue(parallel);
}

void RequestOptionsForm::saveSettings(QSettings &settings) const
{
    settings.setValue(QStringLiteral("caFile"), m_caFile->text().trimmed());
    // "insecure" is deliberately not saved (see the header).
    settings.setValue(QStringLiteral("decode"), m_decode->isChecked());
    settings.setValue(QStringLiteral("followUpgradeH2"), m_followH2->isChecked());
    settings.setValue(QStringLiteral("h2cViaOptions"), m_h2cViaOptions->isChecked());
    settings.setValue(QStringLiteral("followRedirects"), m_followRedirects->isChecked());
    settings.setValue(QStringLiteral("maxRedirects"), m_maxRedirects->value());
    settings.setValue(QStringLiteral("alpn"), m_alpn->text().trimmed());
    settings.setValue(QStringLiteral("certStatus"), m_certStatus->isChecked());
    settings.setValue(QStringLiteral("target"), m_target->text().trimmed());
    settings.setValue(QStringLiteral("connectTimeout"), m_connectTimeout->value());
    settings.setValue(QStringLiteral("idleTimeout"), m_idleTimeout->value());
    settings.setValue(QStringLiteral("totalTimeout"), m_totalTimeout->value());
    settings.setValue(QStringLiteral("repeat"), repeat());
    settings.setValue(QStringLiteral("parallel"), parallel());
    m_connection->saveSettings(settings);
}

void RequestOptionsForm::restoreSettings(QSettings &settings)
{
    auto value = [&settings](const char *key, const QVariant &fallback) {
        return settings.value(QLatin1String(key), fallback);
    };
    m_caFile->setText(value("caFile", m_caFile->text()).toString());
    m_insecure->setChecked(false); // never restored: verification is on after every start
    m_decode->setChecked(value("decode", m_decode->isChecked()).toBool());
    m_followH2->setChecked(value("followUpgradeH2", m_followH2->isChecked()).toBool());
    m_h2cViaOptions->setChecked(value("h2cViaOptions", m_h2cViaOptions->isChecked()).toBool());
    m_followRedirects->setChecked(
        value("followRedirects", m_followRedirects->isChecked()).toBool());
    m_maxRedirects->setValue(value("maxRedirects", m_maxRedirects->value()).toInt());
    m_alpn->setText(value("alpn", m_alpn->text()).toString());
    m_certStatus->setChecked(value("certStatus", m_certStatus->isChecked()).toBool());
    m_target->setText(value("target", m_target->text()).toString());
    m_connectTimeout->setValue(value("connectTimeout", m_connectTimeout->value()).toInt());
    m_idleTimeout->setValue(value("idleTimeout", m_idleTimeout->value()).toInt());
    m_totalTimeout->setValue(value("totalTimeout", m_totalTimeout->value()).toInt());
    setRepeat(value("repeat", repeat()).toInt());
    setParallel(value("parallel", parallel()).toInt());
    m_connection->restoreSettings(settings);
}

void RequestOptionsForm::updateInsecureLook()
{
    const bool on = m_insecure->isChecked();
    const QString red = errorColor().name();
    // A style sheet, not the palette: styles such as Fusion and Breeze draw check box text
    // from different palette roles, a sheet colours it everywhere.
    m_insecure->setStyleSheet(on ? QStringLiteral("QCheckBox { color: %1; }").arg(red) : QString());
    m_insecureWarning->setStyleSheet(QStringLiteral("QLabel { color: %1; }").arg(red));
    m_insecureWarning->setVisible(on);
}

void RequestOptionsForm::chooseCaFile()
{
    const QString f =
        QFileDialog::getOpenFileName(this, tr("CA certificates"), m_caFile->text(),
                                     tr("PEM certificates (*.pem *.crt *.cer);;All files (*)"));
    if (!f.isEmpty())
        m_caFile->setText(f);
}

} // namespace hopscope
