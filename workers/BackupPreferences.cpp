#include "BackupPreferences.h"

#include "BackupEngine.h"

#include <QSettings>

namespace lifeboat {

namespace {

const QString JobsKey = QStringLiteral("defaults/jobs");
const QString CompressKey = QStringLiteral("defaults/compress");
const QString KeepKey = QStringLiteral("retention/keepLast");

QString key(const Stack &stack, const char *name)
{
    return QStringLiteral("stacks/%1/backup/%2").arg(stack.id, QLatin1String(name));
}

} // namespace

int BackupPreferences::defaultJobs()
{
    return QSettings().value(JobsKey, BackupRequest().jobs).toInt();
}

int BackupPreferences::defaultCompression()
{
    return QSettings().value(CompressKey, BackupRequest().compressLevel).toInt();
}

void BackupPreferences::setDefaults(int jobs, int compression)
{
    QSettings s;
    s.setValue(JobsKey, jobs);
    s.setValue(CompressKey, compression);
}

int BackupPreferences::keepLast()
{
    return QSettings().value(KeepKey, 0).toInt();
}

void BackupPreferences::setKeepLast(int keep)
{
    QSettings().setValue(KeepKey, keep);
}

QString BackupPreferences::root(const Stack &stack)
{
    const QString chosen = QSettings().value(key(stack, "root")).toString();
    return chosen.isEmpty() ? BackupEngine::defaultOutputRoot(stack) : chosen;
}

BackupRequest BackupPreferences::request(const Stack &stack)
{
    QSettings s;
    BackupRequest r;
    r.stack = stack;
    r.outputRoot = root(stack);
    r.components = s.value(key(stack, "components"), Component::all()).toStringList();
    r.jobs = s.value(key(stack, "jobs"), defaultJobs()).toInt();
    r.compressLevel = s.value(key(stack, "compress"), defaultCompression()).toInt();
    r.storageDir = s.value(key(stack, "storageDir")).toString();
    return r;
}

void BackupPreferences::remember(const BackupRequest &request)
{
    // Only what differs from the defaults is the stack's own: the rest keeps following
    // Settings… (a stack backed up once with 2 connections takes 3 when the default becomes 3).
    QSettings s;
    auto keep = [&](const char *name, const QVariant &value, const QVariant &byDefault) {
        if (value == byDefault)
            s.remove(key(request.stack, name));
        else
            s.setValue(key(request.stack, name), value);
    };
    keep("components", request.components, Component::all());
    keep("root", request.outputRoot, BackupEngine::defaultOutputRoot(request.stack));
    keep("jobs", request.jobs, defaultJobs());
    keep("compress", request.compressLevel, defaultCompression());
    keep("storageDir", request.storageDir, QString());
}

} // namespace lifeboat
