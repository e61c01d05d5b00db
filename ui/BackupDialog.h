#pragma once

#include "BackupRequest.h"

#include <QDialog>

class QLineEdit;
class QListWidget;
class QSpinBox;

namespace lifeboat {

/// "Back up now": which components, where, how many parallel connections and how much
/// compression. Choices are remembered per stack, for `lifeboat-cli` too (BackupPreferences).
class BackupDialog final : public QDialog
{
    Q_OBJECT

public:
    /// Opens with the stack's remembered choices (BackupPreferences).
    explicit BackupDialog(const Stack &stack, QWidget *parent = nullptr);

    QStringList components() const;
    QString outputRoot() const;
    int jobs() const;
    int compressLevel() const;
    QString storageDir() const;
    /// The run the sheet describes; accepting it remembers these choices for the stack.
    BackupRequest request() const;

private:
    void browse();
    void updateOk();

    Stack m_stack;
    QListWidget *m_components;
    QLineEdit *m_root;
    QSpinBox *m_jobs;
    QSpinBox *m_compress;
    QLineEdit *m_storage;
};

} // namespace lifeboat
