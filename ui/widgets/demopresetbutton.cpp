#include "widgets/demopresetbutton.h"

#include <QAction>
#include <QMenu>

namespace hopscope {

DemoPresetButton::DemoPresetButton(QWidget *parent) : QToolButton(parent)
{
    setObjectName(QStringLiteral("presets"));
    setText(tr("Demo requests"));
    setToolTip(tr("Fill the composer with one of the demo tour's requests"));
    setPopupMode(QToolButton::InstantPopup);
    setMenu(new QMenu(this));
    setVisible(false);
}

void DemoPresetButton::setPresets(const QList<QPair<QString, RequestSpec>> &presets)
{
    m_presets = presets;
    QMenu *list = menu();
    list->clear();
    for (int i = 0; i < presets.size(); ++i) {
        const RequestSpec &s = presets.at(i).second;
        QAction *a = list->addAction(presets.at(i).first);
        a->setToolTip(QStringLiteral("%1 %2").arg(QString::fromLatin1(s.method), s.url.toString()));
        // By index: the list may be replaced while a menu is open.
        connect(a, &QAction::triggered, this, [this, i] {
            if (i < m_presets.size())
                emit presetChosen(m_presets.at(i).first, m_presets.at(i).second);
        });
    }
    list->setToolTipsVisible(true);
    setVisible(!presets.isEmpty());
}

} // namespace hopscope
