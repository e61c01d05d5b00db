#pragma once

#include "Result.h"

#include <QFuture>
#include <QHash>
#include <QObject>
#include <QString>

#include <optional>

namespace lifeboat {

/// Stack passwords in the desktop keychain (QtKeychain: Secret Service, KWallet, ...).
/// Where no keychain answers, a password is kept in this process's memory only and the
/// caller is told so; it is never written to a plain file.
///
/// Jobs run asynchronously on the thread that owns the store; the returned futures finish
/// there. Callers continue with `.then(context, ...)`.
class SecretStore : public QObject
{
    Q_OBJECT

public:
    struct ReadResult
    {
        std::optional<QString> password; ///< Empty when none is stored.
        QString keychainProblem;         ///< Non-empty when the keychain could not be asked.
    };
    struct WriteResult
    {
        bool persisted = false; ///< True when the keychain holds it; false: this session only.
        QString message;        ///< Why it is session-only, naming the fix.
    };

    explicit SecretStore(const QString &service = QStringLiteral("Lifeboat"), QObject *parent = nullptr);

    QFuture<ReadResult> readPassword(const QString &stackId);
    QFuture<WriteResult> storePassword(const QString &stackId, const QString &password);
    QFuture<Status> removePassword(const QString &stackId);

    /// True when the last keychain call failed because no keychain is available.
    bool keychainUnavailable() const { return m_unavailable; }

private:
    static QString keyFor(const QString &stackId);

    QString m_service;
    QHash<QString, QString> m_sessionOnly;
    bool m_unavailable = false;
};

} // namespace lifeboat
