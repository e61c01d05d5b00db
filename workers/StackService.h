#pragma once

#include "SecretStore.h"
#include "Stack.h"
#include "StackCatalog.h"
#include "StackStatus.h"

#include <QFuture>
#include <QObject>

#include <optional>

namespace lifeboat {

/// The facade that the GUI and the CLI use for stacks: what is known, what is found on disk,
/// whether each is up. Everything slow runs off the caller's thread and comes back as a future.
class StackService : public QObject
{
    Q_OBJECT

public:
    StackService(StackCatalog *catalog, SecretStore *secrets, QObject *parent = nullptr);

    StackCatalog *catalog() const { return m_catalog; }
    SecretStore *secrets() const { return m_secrets; }

    /// Profiles, remembered project folders, and projects found below the scan roots plus
    /// `extraRoots`; ids made unique.
    QFuture<QList<Stack>> loadStacks(const QStringList &extraRoots = {}) const;

    /// Status of one stack: its password comes from the keychain, else from libpq's own
    /// sources; a project stack also tries Supabase's default local password.
    QFuture<StackStatus> probe(const Stack &stack);

    /// Saves a profile and, when given, its password in the keychain.
    /// The result says whether the password is kept beyond this session.
    QFuture<SecretStore::WriteResult> addProfile(Stack profile, const std::optional<QString> &password);

    static void makeIdsUnique(QList<Stack> &stacks);

private:
    StackCatalog *m_catalog;
    SecretStore *m_secrets;
};

} // namespace lifeboat
