// RequestComposer's settings (group "composer"): what was typed survives a restart. Kept apart
// from the widget code because the keys are a file format: renaming one loses a user's setup.

#include "models/headerstablemodel.h"
#include "widgets/protocolmodes.h"
#include "widgets/requestcomposer.h"
#include "widgets/requestoptionsform.h"

#include <QAction>
#include <QComboBox>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QSettings>
#include <QTabWidget>
#include <QUrl>

namespace hopscope {

namespace {

// "http://user:pw@host/" -> "http://host/"; text that is not a URL with user info stays as is.
QString withoutUserInfo(const QString &text)
{
    const QUrl url(text);
    if (!url.isValid() || url.userInfo().isEmpty())
        return text;
    return url.adjusted(QUrl::RemoveUserInfo).toString();
}

} // namespace

bool RequestComposer::isCredentialHeader(const QString &name)
{
    const QString n = name.trimmed().toLower();
    if (n == QLatin1String("authorization") || n == QLatin1String("proxy-authorization") ||
        n == QLatin1String("cookie"))
        return true;
    for (const char *word : {"token", "secret", "password", "passwd", "session", "api-key",
                             "apikey", "api_key", "auth"})
        if (n.contains(QLatin1String(word)))
            return true;
    return false;
}

bool RequestComposer::rememberSecrets() const
{
    return m_rememberSecrets->isChecked();
}

void RequestComposer::saveSettings(QSettings &settings) const
{
    const bool secrets = rememberSecrets();
    settings.beginGroup(QStringLiteral("composer"));
    settings.setValue(QStringLiteral("rememberSecrets"), secrets);
    settings.setValue(QStringLiteral("method"), m_method->currentText().trimmed());
    QStringList history = m_history;
    if (!secrets)
        for (QString &entry : history)
            entry = withoutUserInfo(entry);
    settings.setValue(QStringLiteral("url"), secrets ? url() : withoutUserInfo(url()));
    settings.setValue(QStringLiteral("history"), history);
    settings.setValue(QStringLiteral("mode"), protocolModeKey(protocolMode()));
    settings.setValue(QStringLiteral("token"), upgradeToken());
    settings.beginWriteArray(QStringLiteral("headers"), int(m_headers->rows().size()));
    const QList<HeadersTableModel::Row> rows = m_headers->rows();
    for (int i = 0; i < rows.size(); ++i) {
        settings.setArrayIndex(i);
        settings.setValue(QStringLiteral("enabled"), rows.at(i).enabled);
        settings.setValue(QStringLiteral("name"), rows.at(i).name);
        // The name stays (the row comes back to be filled in), the credential does not.
        const bool keep = secrets || !isCredentialHeader(rows.at(i).name);
        settings.setValue(QStringLiteral("value"), keep ? rows.at(i).value : QString());
    }
    settings.endArray();
    // A body may carry credentials (a login form, a token request); a pasted multi-megabyte one
    // does not belong in a settings file either.
    const QString body = m_body->toPlainText();
    settings.setValue(QStringLiteral("body"),
                      secrets && body.size() <= 64 * 1024 ? body : QString());
    settings.setValue(QStringLiteral("bodyFile"), m_bodyFile->text().trimmed());
    m_options->saveSettings(settings);
    settings.setValue(QStringLiteral("tab"), m_tabs->currentIndex());
    settings.endGroup();
}

void RequestComposer::restoreSettings(QSettings &settings)
{
    settings.beginGroup(QStringLiteral("composer"));
    auto value = [&settings](const char *key, const QVariant &fallback) {
        return settings.value(QLatin1String(key), fallback);
    };
    m_rememberSecrets->setChecked(value("rememberSecrets", false).toBool());
    m_method->setEditText(value("method", m_method->currentText()).toString());
    setHistory(value("history", m_history).toStringList());
    setUrl(value("url", url()).toString());
    m_token->setText(value("token", upgradeToken()).toString());
    setProtocolMode(protocolModeFromKey(value("mode", protocolModeKey(protocolMode())).toString()));
    if (settings.childGroups().contains(QLatin1String("headers"))) {
        QList<HeadersTableModel::Row> rows;
        const int n = settings.beginReadArray(QStringLiteral("headers"));
        for (int i = 0; i < n; ++i) {
            settings.setArrayIndex(i);
            rows.append({settings.value(QStringLiteral("enabled"), true).toBool(),
                         settings.value(QStringLiteral("name")).toString(),
                         settings.value(QStringLiteral("value")).toString()});
        }
        settings.endArray();
        m_headers->setRows(rows);
    }
    m_body->setPlainText(value("body", m_body->toPlainText()).toString());
    m_bodyFile->setText(value("bodyFile", m_bodyFile->text()).toString());
    m_options->restoreSettings(settings);
    m_tabs->setCurrentIndex(value("tab", m_tabs->currentIndex()).toInt());
    settings.endGroup();
    updateModeUi();
    updateBodyFileUi();
    showError({});
}

} // namespace hopscope
