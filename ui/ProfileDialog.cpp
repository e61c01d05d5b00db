#include "ProfileDialog.h"

#include <QDialogButtonBox>
#include <QFormLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QSpinBox>
#include <QVBoxLayout>

namespace lifeboat {

ProfileDialog::ProfileDialog(QWidget *parent)
    : QDialog(parent)
    , m_name(new QLineEdit(this))
    , m_host(new QLineEdit(QStringLiteral("127.0.0.1"), this))
    , m_port(new QSpinBox(this))
    , m_database(new QLineEdit(QStringLiteral("postgres"), this))
    , m_user(new QLineEdit(QStringLiteral("postgres"), this))
    , m_password(new QLineEdit(this))
    , m_buttons(new QDialogButtonBox(QDialogButtonBox::Save | QDialogButtonBox::Cancel, this))
{
    setWindowTitle(tr("Add PostgreSQL profile"));
    m_port->setRange(1, 65535);
    m_port->setValue(5432);
    m_password->setEchoMode(QLineEdit::Password);
    m_password->setPlaceholderText(tr("leave empty to use ~/.pgpass or PGPASSWORD"));
    m_name->setPlaceholderText(tr("e.g. shop-dev"));

    const struct { QWidget *w; const char *name; } fields[] = {
        {m_name, QT_TR_NOOP("Profile name")}, {m_host, QT_TR_NOOP("Host")},
        {m_port, QT_TR_NOOP("Port")},         {m_database, QT_TR_NOOP("Database")},
        {m_user, QT_TR_NOOP("User")},         {m_password, QT_TR_NOOP("Password")},
    };
    auto *form = new QFormLayout;
    for (const auto &f : fields) {
        f.w->setAccessibleName(tr(f.name));
        form->addRow(tr(f.name) + u':', f.w);
    }
    auto *hint = new QLabel(tr("The password is saved in your desktop keychain, never in Lifeboat's settings."), this);
    hint->setWordWrap(true);
    hint->setEnabled(false);

    auto *layout = new QVBoxLayout(this);
    layout->addLayout(form);
    layout->addWidget(hint);
    layout->addWidget(m_buttons);

    connect(m_buttons, &QDialogButtonBox::accepted, this, &QDialog::accept);
    connect(m_buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    for (QLineEdit *e : {m_name, m_host, m_database, m_user})
        connect(e, &QLineEdit::textChanged, this, &ProfileDialog::validate);
    validate();
}

void ProfileDialog::validate()
{
    const bool ok = !m_name->text().trimmed().isEmpty() && !m_host->text().trimmed().isEmpty()
        && !m_database->text().trimmed().isEmpty() && !m_user->text().trimmed().isEmpty();
    m_buttons->button(QDialogButtonBox::Save)->setEnabled(ok);
}

Stack ProfileDialog::profile() const
{
    Stack s;
    s.kind = Stack::Kind::PostgresProfile;
    s.name = m_name->text().trimmed();
    s.connection.host = m_host->text().trimmed();
    s.connection.port = m_port->value();
    s.connection.database = m_database->text().trimmed();
    s.connection.user = m_user->text().trimmed();
    return s;
}

std::optional<QString> ProfileDialog::password() const
{
    if (m_password->text().isEmpty())
        return std::nullopt;
    return m_password->text();
}

} // namespace lifeboat
