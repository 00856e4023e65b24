#pragma once

#include "core/requestspec.h"

#include <QList>
#include <QPair>
#include <QString>
#include <QToolButton>

namespace hopscope {

// "Demo requests ▾": a menu of named requests (the demo tour's), each with its method and URL
// as a tool tip. Choosing one only reports it; what to do with it is the owner's business.
// Hidden while the list is empty.
class DemoPresetButton : public QToolButton
{
    Q_OBJECT
public:
    explicit DemoPresetButton(QWidget *parent = nullptr);

    void setPresets(const QList<QPair<QString, RequestSpec>> &presets);

signals:
    void presetChosen(const QString &name, const hopscope::RequestSpec &spec);

private:
    QList<QPair<QString, RequestSpec>> m_presets;
};

} // namespace hopscope
