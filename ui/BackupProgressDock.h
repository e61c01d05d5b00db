#pragma once

#include <QDockWidget>
#include <QList>

class QVBoxLayout;

namespace lifeboat {

class BackupProgressWidget;

/// The dock that holds one progress panel per running backup. It shows itself when a panel
/// is added and hides when the last one is closed.
class BackupProgressDock final : public QDockWidget
{
    Q_OBJECT

public:
    explicit BackupProgressDock(QWidget *parent = nullptr);

    /// Takes ownership of `panel` and shows the dock.
    void addPanel(BackupProgressWidget *panel);
    QList<BackupProgressWidget *> panels() const;

private:
    QVBoxLayout *m_layout;
};

} // namespace lifeboat
