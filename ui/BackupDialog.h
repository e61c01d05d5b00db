#pragma once

#include "BackupRequest.h"

#include <QDialog>

class QLineEdit;
class QListWidget;
class QSpinBox;

namespace lifeboat {

/// "Back up now": which components, where, how many parallel connections and how much
/// compression. Choices are remembered per stack.
class BackupDialog final : public QDialog
{
    Q_OBJECT

public:
    BackupDialog(const Stack &stack, const QString &defaultRoot, QWidget *parent = nullptr);

    QStringList components() const;
    QString outputRoot() const;
    int jobs() const;
    int compressLevel() const;
    QString storageDir() const;
    /// Saves the choices for this stack (called on accept).
    void remember() const;

    /// The remembered (or default) backup root of a stack.
    static QString rememberedRoot(const Stack &stack, const QString &defaultRoot);
    /// A request with the remembered choices (for the tray and startup backups).
    static BackupRequest rememberedRequest(const Stack &stack, const QString &defaultRoot);

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
