#include "Stack.h"

#include <QDir>
#include <QRegularExpression>

namespace lifeboat {

QString ConnectionInfo::displayAddress() const
{
    return host + u':' + QString::number(port) + u'/' + database;
}

QString Stack::configPath() const
{
    if (projectDir.isEmpty())
        return {};
    return QDir(projectDir).filePath(QStringLiteral("supabase/config.toml"));
}

QJsonObject Stack::toJson() const
{
    QJsonObject o{
        {QStringLiteral("id"), id},
        {QStringLiteral("name"), name},
        {QStringLiteral("kind"), isProject() ? QStringLiteral("supabase") : QStringLiteral("postgres")},
        {QStringLiteral("project_dir"), projectDir.isEmpty() ? QJsonValue() : QJsonValue(projectDir)},
        {QStringLiteral("host"), connection.host},
        {QStringLiteral("port"), connection.port},
        {QStringLiteral("database"), connection.database},
        {QStringLiteral("user"), connection.user},
    };
    if (wantedMajorVersion > 0)
        o.insert(QStringLiteral("major_version"), wantedMajorVersion);
    if (hasConfigError())
        o.insert(QStringLiteral("config_error"), configError);
    return o;
}

QString stackIdFromName(const QString &name)
{
    static const QRegularExpression nonWord(QStringLiteral("[^a-z0-9_.]+"));
    QString id = name.toLower().replace(nonWord, QStringLiteral("-"));
    while (id.startsWith(u'-') || id.startsWith(u'.'))
        id.remove(0, 1);
    while (id.endsWith(u'-'))
        id.chop(1);
    return id.isEmpty() ? QStringLiteral("stack") : id;
}

} // namespace lifeboat
