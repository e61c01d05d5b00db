#pragma once

#include "Result.h"
#include "Stack.h"

#include <QSettings>
#include <QStringList>

#include <memory>

namespace lifeboat {

/// The stacks a user told Lifeboat about: project folders, folders to scan for projects, and
/// plain PostgreSQL profiles. Stored in QSettings; passwords are not (see SecretStore).
class StackCatalog
{
public:
    /// Uses the application's QSettings (shared by `lifeboat` and `lifeboat-cli`).
    StackCatalog();
    /// Uses an INI file at `settingsFile` (tests, portable setups).
    explicit StackCatalog(const QString &settingsFile);

    QStringList scanRoots() const;
    void addScanRoot(const QString &dir);
    void removeScanRoot(const QString &dir);

    QStringList projectDirs() const;
    void addProjectDir(const QString &dir);
    void removeProjectDir(const QString &dir);

    /// Project folders the user removed from the list; a scan does not bring them back
    /// until they are added again. Their backups stay on disk.
    QStringList hiddenProjectDirs() const;
    void hideProjectDir(const QString &dir);

    QList<Stack> profiles() const;
    /// Adds or replaces a profile; fills in `profile.id` from its name when empty.
    Status saveProfile(Stack &profile);
    void removeProfile(const QString &id);

    void sync();

private:
    QStringList readList(const QString &key) const;
    void writeList(const QString &key, const QStringList &values);

    std::unique_ptr<QSettings> m_settings;
};

} // namespace lifeboat
