#include "BackupProgressDock.h"

#include "BackupProgressWidget.h"

#include <QScrollArea>
#include <QVBoxLayout>

namespace lifeboat {

BackupProgressDock::BackupProgressDock(QWidget *parent)
    : QDockWidget(tr("Backups in progress"), parent)
{
    auto *host = new QWidget(this);
    m_layout = new QVBoxLayout(host);
    m_layout->addStretch();
    auto *scroll = new QScrollArea(this);
    scroll->setWidgetResizable(true);
    scroll->setWidget(host);
    setObjectName(QStringLiteral("progressDock"));
    setWidget(scroll);
    setFeatures(QDockWidget::DockWidgetClosable | QDockWidget::DockWidgetMovable);
    hide();
}

void BackupProgressDock::addPanel(BackupProgressWidget *panel)
{
    m_layout->insertWidget(m_layout->count() - 1, panel);
    connect(panel, &BackupProgressWidget::closeRequested, panel, [this, panel] {
        panel->deleteLater();
        if (panels().size() <= 1)
            hide();
    });
    show();
}

QList<BackupProgressWidget *> BackupProgressDock::panels() const
{
    return findChildren<BackupProgressWidget *>();
}

} // namespace lifeboat
