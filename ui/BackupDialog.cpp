#include "BackupDialog.h"

#include "BackupPreferences.h"

#include <QDialogButtonBox>
#include <QFileDialog>
#include <QFormLayout>
#include <QGuiApplication>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QPushButton>
#include <QScreen>
#include <QSpinBox>
#include <QToolButton>
#include <QVBoxLayout>

#include <algorithm>

namespace lifeboat {

BackupDialog::BackupDialog(const Stack &stack, QWidget *parent)
    : QDialog(parent)
    , m_stack(stack)
    , m_components(new QListWidget(this))
    , m_root(new QLineEdit(this))
    , m_jobs(new QSpinBox(this))
    , m_compress(new QSpinBox(this))
    , m_storage(new QLineEdit(this))
{
    setWindowTitle(tr("Back up %1").arg(stack.name));
    const BackupRequest remembered = BackupPreferences::request(stack);

    m_components->setAccessibleName(tr("Components to back up"));
    for (const QString &c : Component::all()) {
        auto *item = new QListWidgetItem(QStringLiteral("%1 — %2").arg(c, Component::describe(c)), m_components);
        item->setData(Qt::UserRole, c);
        item->setFlags(item->flags() | Qt::ItemIsUserCheckable);
        item->setCheckState(remembered.components.contains(c) ? Qt::Checked : Qt::Unchecked);
    }
    // Every row whole: all twelve components and their descriptions, without scrolling.
    const int frame = 2 * m_components->frameWidth();
    m_components->setMinimumHeight(m_components->sizeHintForRow(0) * m_components->count() + frame + 4);
    const int available
        = QGuiApplication::primaryScreen() ? QGuiApplication::primaryScreen()->availableGeometry().width() : 1024;
    m_components->setMinimumWidth(std::min(m_components->sizeHintForColumn(0) + frame + 8, available * 4 / 5));
    connect(m_components, &QListWidget::itemChanged, this, &BackupDialog::updateOk);

    auto *all = new QPushButton(tr("All"), this);
    auto *none = new QPushButton(tr("None"), this);
    connect(all, &QPushButton::clicked, this, [this] {
        for (int i = 0; i < m_components->count(); ++i)
            m_components->item(i)->setCheckState(Qt::Checked);
    });
    connect(none, &QPushButton::clicked, this, [this] {
        for (int i = 0; i < m_components->count(); ++i)
            m_components->item(i)->setCheckState(Qt::Unchecked);
    });
    auto *selection = new QHBoxLayout;
    selection->addWidget(new QLabel(tr("Components:"), this));
    selection->addStretch();
    selection->addWidget(all);
    selection->addWidget(none);

    m_root->setText(remembered.outputRoot);
    m_root->setAccessibleName(tr("Backup folder"));
    auto *browseButton = new QToolButton(this);
    browseButton->setText(tr("…"));
    browseButton->setAccessibleName(tr("Choose backup folder"));
    connect(browseButton, &QToolButton::clicked, this, &BackupDialog::browse);
    auto *rootRow = new QHBoxLayout;
    rootRow->addWidget(m_root, 1);
    rootRow->addWidget(browseButton);

    m_jobs->setRange(1, 16);
    m_jobs->setValue(remembered.jobs);
    m_jobs->setAccessibleName(tr("Parallel connections"));
    m_jobs->setToolTip(tr("Connections that export tables to CSV at the same time."));
    m_compress->setRange(0, 9);
    m_compress->setValue(remembered.compressLevel);
    m_compress->setAccessibleName(tr("Compression level"));
    m_compress->setToolTip(tr("pg_dump compression: 1 is about twice as fast as 6 for about 4% more size."));

    m_storage->setText(remembered.storageDir);
    m_storage->setPlaceholderText(tr("optional: where the storage server keeps object files"));
    m_storage->setAccessibleName(tr("Storage folder"));

    auto *form = new QFormLayout;
    form->addRow(tr("Backup folder:"), rootRow);
    form->addRow(tr("Parallel connections:"), m_jobs);
    form->addRow(tr("Compression (0–9):"), m_compress);
    form->addRow(tr("Storage files:"), m_storage);

    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, this);
    buttons->button(QDialogButtonBox::Ok)->setText(tr("Back up"));
    connect(buttons, &QDialogButtonBox::accepted, this, [this] {
        BackupPreferences::remember(request());
        accept();
    });
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);

    auto *heading = new QLabel(QStringLiteral("<b>%1</b> — %2@%3")
                                   .arg(stack.name.toHtmlEscaped(),
                                        stack.connection.user.toHtmlEscaped(),
                                        stack.connection.displayAddress().toHtmlEscaped()),
                               this);
    heading->setTextInteractionFlags(Qt::TextSelectableByMouse);
    auto *remembers = new QLabel(tr("These choices are kept for this stack: the tray, startup backups and "
                                    "lifeboat-cli use them too."),
                                 this);
    remembers->setWordWrap(true);
    remembers->setEnabled(false);

    auto *layout = new QVBoxLayout(this);
    layout->addWidget(heading);
    layout->addLayout(selection);
    layout->addWidget(m_components, 1);
    layout->addLayout(form);
    layout->addWidget(remembers);
    layout->addWidget(buttons);
    updateOk();
}

QStringList BackupDialog::components() const
{
    QStringList out;
    for (int i = 0; i < m_components->count(); ++i)
        if (m_components->item(i)->checkState() == Qt::Checked)
            out << m_components->item(i)->data(Qt::UserRole).toString();
    return out;
}

QString BackupDialog::outputRoot() const
{
    return m_root->text().trimmed();
}

int BackupDialog::jobs() const
{
    return m_jobs->value();
}

int BackupDialog::compressLevel() const
{
    return m_compress->value();
}

QString BackupDialog::storageDir() const
{
    return m_storage->text().trimmed();
}

BackupRequest BackupDialog::request() const
{
    BackupRequest r;
    r.stack = m_stack;
    r.components = components();
    r.outputRoot = outputRoot();
    r.jobs = jobs();
    r.compressLevel = compressLevel();
    r.storageDir = storageDir();
    return r;
}

void BackupDialog::browse()
{
    const QString dir = QFileDialog::getExistingDirectory(this, tr("Backup folder"), outputRoot());
    if (!dir.isEmpty())
        m_root->setText(dir);
}

void BackupDialog::updateOk()
{
    if (auto *box = findChild<QDialogButtonBox *>())
        box->button(QDialogButtonBox::Ok)->setEnabled(!components().isEmpty() && !outputRoot().isEmpty());
}

} // namespace lifeboat
