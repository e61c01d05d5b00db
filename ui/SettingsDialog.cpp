#include "SettingsDialog.h"

#include "BackupPreferences.h"

#include <QCheckBox>
#include <QDialogButtonBox>
#include <QFormLayout>
#include <QGroupBox>
#include <QLabel>
#include <QSettings>
#include <QSpinBox>
#include <QVBoxLayout>

namespace lifeboat {

namespace {
const QString TrayKey = QStringLiteral("general/startInTray");
} // namespace

bool SettingsDialog::startInTray()
{
    return QSettings().value(TrayKey, false).toBool();
}

bool SettingsDialog::backsUpOnStart(const QString &stackId)
{
    return QSettings().value(QStringLiteral("stacks/%1/backupOnStart").arg(stackId), false).toBool();
}

void SettingsDialog::setBacksUpOnStart(const QString &stackId, bool on)
{
    QSettings().setValue(QStringLiteral("stacks/%1/backupOnStart").arg(stackId), on);
}

SettingsDialog::SettingsDialog(QWidget *parent)
    : QDialog(parent)
    , m_keep(new QSpinBox(this))
    , m_jobs(new QSpinBox(this))
    , m_compress(new QSpinBox(this))
    , m_tray(new QCheckBox(tr("Start in the tray (the window opens from the tray icon)"), this))
{
    setWindowTitle(tr("Lifeboat settings"));
    m_keep->setRange(0, 999);
    m_keep->setSpecialValueText(tr("keep all"));
    m_keep->setValue(BackupPreferences::keepLast());
    m_keep->setAccessibleName(tr("Complete backups to keep per stack"));
    m_jobs->setRange(1, 16);
    m_jobs->setValue(BackupPreferences::defaultJobs());
    m_jobs->setAccessibleName(tr("Default parallel connections"));
    m_compress->setRange(0, 9);
    m_compress->setValue(BackupPreferences::defaultCompression());
    m_compress->setAccessibleName(tr("Default compression level"));
    m_tray->setChecked(startInTray());

    auto dimNote = [this](const QString &text) {
        auto *note = new QLabel(text, this);
        note->setWordWrap(true);
        note->setEnabled(false);
        return note;
    };

    auto *history = new QGroupBox(tr("Old backups"), this);
    auto *historyForm = new QFormLayout(history);
    historyForm->addRow(tr("Keep per stack:"), m_keep);
    historyForm->addRow(QString(),
                        dimNote(tr("After each successful backup Lifeboat shows which older complete backups fall "
                                   "outside this number and deletes them only when you confirm. The newest "
                                   "verified backup is always kept.")));

    auto *defaults = new QGroupBox(tr("New backups"), this);
    auto *defaultsForm = new QFormLayout(defaults);
    m_jobs->setToolTip(tr("Connections that export tables to CSV at the same time."));
    m_compress->setToolTip(tr("pg_dump compression: 1 is about twice as fast as 6 for about 4% more size."));
    defaultsForm->addRow(tr("Parallel connections:"), m_jobs);
    defaultsForm->addRow(tr("Compression (0–9):"), m_compress);
    defaultsForm->addRow(QString(),
                         dimNote(tr("For every stack whose backup sheet has not set its own: in the window, the "
                                    "tray, startup backups and lifeboat-cli.")));

    auto *start = new QGroupBox(tr("Start"), this);
    auto *startLayout = new QVBoxLayout(start);
    startLayout->addWidget(m_tray);

    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Save | QDialogButtonBox::Cancel, this);
    connect(buttons, &QDialogButtonBox::accepted, this, [this] {
        save();
        accept();
    });
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    auto *layout = new QVBoxLayout(this);
    layout->addWidget(history);
    layout->addWidget(defaults);
    layout->addWidget(start);
    layout->addWidget(buttons);
    setMinimumWidth(fontMetrics().averageCharWidth() * 96); // the notes in two or three lines, not five
}

void SettingsDialog::save()
{
    QSettings s;
    s.setValue(TrayKey, m_tray->isChecked());
    BackupPreferences::setDefaults(m_jobs->value(), m_compress->value());
    BackupPreferences::setKeepLast(m_keep->value());
}

} // namespace lifeboat
