#include "StackCatalog.h"

#include <QDir>

namespace lifeboat {

namespace {
const QString kScanRoots = QStringLiteral("stacks/scanRoots");
const QString kProjects = QStringLiteral("stacks/projectDirs");
const QString kHidden = QStringLiteral("stacks/hiddenProjectDirs");
const QString kProfiles = QStringLiteral("profiles");

// Canonical where the folder exists, so a folder reached through a symbolic link is one stack.
QString normalized(const QString &dir)
{
    const QString canonical = QDir(dir).canonicalPath();
    return canonical.isEmpty() ? QDir::cleanPath(QDir(dir).absolutePath()) : canonical;
}
} // namespace

StackCatalog::StackCatalog()
    : m_settings(std::make_unique<QSettings>())
{}

StackCatalog::StackCatalog(const QString &settingsFile)
    : m_settings(std::make_unique<QSettings>(settingsFile, QSettings::IniFormat))
{}

QStringList StackCatalog::readList(const QString &key) const
{
    return m_settings->value(key).toStringList();
}

void StackCatalog::writeList(const QString &key, const QStringList &values)
{
    m_settings->setValue(key, values);
}

QStringList StackCatalog::scanRoots() const
{
    return readList(kScanRoots);
}

void StackCatalog::addScanRoot(const QString &dir)
{
    QStringList roots = scanRoots();
    const QString d = normalized(dir);
    if (!roots.contains(d))
        writeList(kScanRoots, roots << d);
}

void StackCatalog::removeScanRoot(const QString &dir)
{
    QStringList roots = scanRoots();
    roots.removeAll(normalized(dir));
    writeList(kScanRoots, roots);
}

QStringList StackCatalog::projectDirs() const
{
    return readList(kProjects);
}

void StackCatalog::addProjectDir(const QString &dir)
{
    QStringList dirs = projectDirs();
    const QString d = normalized(dir);
    if (!dirs.contains(d))
        writeList(kProjects, dirs << d);
    QStringList hidden = hiddenProjectDirs();
    if (hidden.removeAll(d))
        writeList(kHidden, hidden);
}

void StackCatalog::removeProjectDir(const QString &dir)
{
    QStringList dirs = projectDirs();
    dirs.removeAll(normalized(dir));
    writeList(kProjects, dirs);
}

QStringList StackCatalog::hiddenProjectDirs() const
{
    return readList(kHidden);
}

void StackCatalog::hideProjectDir(const QString &dir)
{
    removeProjectDir(dir);
    QStringList hidden = hiddenProjectDirs();
    const QString d = normalized(dir);
    if (!hidden.contains(d))
        writeList(kHidden, hidden << d);
}

QList<Stack> StackCatalog::profiles() const
{
    QList<Stack> result;
    m_settings->beginGroup(kProfiles);
    const QStringList ids = m_settings->childGroups();
    for (const QString &id : ids) {
        m_settings->beginGroup(id);
        Stack s;
        s.kind = Stack::Kind::PostgresProfile;
        s.id = id;
        s.name = m_settings->value(QStringLiteral("name"), id).toString();
        s.connection.host = m_settings->value(QStringLiteral("host"), s.connection.host).toString();
        s.connection.port = m_settings->value(QStringLiteral("port"), s.connection.port).toInt();
        s.connection.database = m_settings->value(QStringLiteral("database"), s.connection.database).toString();
        s.connection.user = m_settings->value(QStringLiteral("user"), s.connection.user).toString();
        s.wantedMajorVersion = m_settings->value(QStringLiteral("majorVersion"), 0).toInt();
        m_settings->endGroup();
        result.append(s);
    }
    m_settings->endGroup();
    return result;
}

Status StackCatalog::saveProfile(Stack &profile)
{
    if (profile.name.trimmed().isEmpty())
        return Error{QStringLiteral("The profile needs a name.")};
    if (profile.connection.host.trimmed().isEmpty())
        return Error{QStringLiteral("The profile \"%1\" needs a host (for example 127.0.0.1).").arg(profile.name)};
    if (profile.connection.port < 1 || profile.connection.port > 65535)
        return Error{QStringLiteral("The port of profile \"%1\" must be between 1 and 65535.").arg(profile.name)};
    if (profile.connection.database.isEmpty() || profile.connection.user.isEmpty())
        return Error{QStringLiteral("The profile \"%1\" needs a database and a user.").arg(profile.name)};
    if (profile.id.isEmpty())
        profile.id = stackIdFromName(profile.name);
    profile.kind = Stack::Kind::PostgresProfile;

    m_settings->beginGroup(kProfiles);
    m_settings->beginGroup(profile.id);
    m_settings->setValue(QStringLiteral("name"), profile.name);
    m_settings->setValue(QStringLiteral("host"), profile.connection.host);
    m_settings->setValue(QStringLiteral("port"), profile.connection.port);
    m_settings->setValue(QStringLiteral("database"), profile.connection.database);
    m_settings->setValue(QStringLiteral("user"), profile.connection.user);
    m_settings->setValue(QStringLiteral("majorVersion"), profile.wantedMajorVersion);
    m_settings->endGroup();
    m_settings->endGroup();
    return success();
}

void StackCatalog::removeProfile(const QString &id)
{
    m_settings->remove(kProfiles + u'/' + id);
}

void StackCatalog::sync()
{
    m_settings->sync();
}

} // namespace lifeboat
