#pragma once

#include "Stack.h"

#include <QDialog>

#include <optional>

class QLineEdit;
class QSpinBox;
class QDialogButtonBox;

namespace lifeboat {

/// The form for a plain PostgreSQL connection profile. The password goes to the keychain,
/// never into the profile.
class ProfileDialog final : public QDialog
{
    Q_OBJECT

public:
    explicit ProfileDialog(QWidget *parent = nullptr);

    Stack profile() const;
    /// Empty when the field was left blank (libpq's ~/.pgpass or PGPASSWORD then apply).
    std::optional<QString> password() const;

private:
    void validate();

    QLineEdit *m_name;
    QLineEdit *m_host;
    QSpinBox *m_port;
    QLineEdit *m_database;
    QLineEdit *m_user;
    QLineEdit *m_password;
    QDialogButtonBox *m_buttons;
};

} // namespace lifeboat
