#pragma once

#include <QDialog>

class QCheckBox;
class QSpinBox;

namespace lifeboat {

/// Lifeboat-wide settings: retention, the defaults of a new stack's backup sheet (kept by
/// BackupPreferences, which `lifeboat-cli` reads too), and whether to start in the tray.
/// Per-stack choices live in the backup sheet.
class SettingsDialog final : public QDialog
{
    Q_OBJECT

public:
    explicit SettingsDialog(QWidget *parent = nullptr);

    static bool startInTray();
    /// "Back up when this stack starts": a backup runs when its database goes from down to up.
    static bool backsUpOnStart(const QString &stackId);
    static void setBacksUpOnStart(const QString &stackId, bool on);

private:
    void save();

    QSpinBox *m_keep;
    QSpinBox *m_jobs;
    QSpinBox *m_compress;
    QCheckBox *m_tray;
};

} // namespace lifeboat
