#include "RunCatalog.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QSet>
#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>
#include <QStandardPaths>
#include <QUuid>
#include <QVariant>

namespace lifeboat {

namespace {
constexpr int SchemaVersion = 1;
}

RunCatalog::RunCatalog(const QString &file)
    : m_file(file.isEmpty() ? QStandardPaths::writableLocation(QStandardPaths::GenericDataLocation)
                                  + QStringLiteral("/lifeboat/catalog.sqlite")
                            : file)
    , m_connection(QStringLiteral("lifeboat-catalog-") + QUuid::createUuid().toString(QUuid::WithoutBraces))
{
    QDir().mkpath(QFileInfo(m_file).absolutePath());
    if (!open()) {
        // Damaged or unreadable: start over; the manifests on disk are the truth.
        QSqlDatabase::removeDatabase(m_connection);
        QFile::remove(m_file);
        m_rebuilt = true;
        open();
    }
}

RunCatalog::~RunCatalog()
{
    {
        QSqlDatabase db = QSqlDatabase::database(m_connection, false);
        db.close();
    }
    QSqlDatabase::removeDatabase(m_connection);
}

bool RunCatalog::open()
{
    const bool existed = QFileInfo::exists(m_file);
    QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), m_connection);
    db.setDatabaseName(m_file);
    if (!db.open()) {
        m_error = db.lastError().text();
        return false;
    }
    QFile::setPermissions(m_file, QFile::ReadOwner | QFile::WriteOwner);
    if (existed) {
        QSqlQuery check(db);
        if (!check.exec(QStringLiteral("PRAGMA integrity_check")) || !check.next()
            || check.value(0).toString() != QLatin1String("ok")) {
            m_error = QStringLiteral("catalog %1 is damaged").arg(m_file);
            db.close();
            return false;
        }
        QSqlQuery version(db);
        if (!version.exec(QStringLiteral("PRAGMA user_version")) || !version.next()
            || version.value(0).toInt() != SchemaVersion) {
            m_error = QStringLiteral("catalog %1 has another schema version").arg(m_file);
            db.close();
            return false;
        }
        return true;
    }
    m_rebuilt = true;
    return createSchema();
}

bool RunCatalog::exec(const QString &sql) const
{
    QSqlQuery q(QSqlDatabase::database(m_connection));
    if (!q.exec(sql)) {
        m_error = q.lastError().text();
        return false;
    }
    return true;
}

bool RunCatalog::createSchema()
{
    return exec(QStringLiteral("CREATE TABLE IF NOT EXISTS stacks (id TEXT PRIMARY KEY, name TEXT, kind TEXT, "
                               "project_dir TEXT, host TEXT, port INTEGER, database TEXT, user TEXT)"))
        && exec(QStringLiteral("CREATE TABLE IF NOT EXISTS runs (id INTEGER PRIMARY KEY, stack_id TEXT NOT NULL, "
                               "kind TEXT NOT NULL DEFAULT 'backup', path TEXT, outcome TEXT NOT NULL, message TEXT, "
                               "started_at TEXT, duration_ms INTEGER, size INTEGER)"))
        && exec(QStringLiteral("CREATE UNIQUE INDEX IF NOT EXISTS runs_path ON runs(path) WHERE path IS NOT NULL"))
        && exec(QStringLiteral("CREATE TABLE IF NOT EXISTS verifications (path TEXT PRIMARY KEY, verified_at TEXT, "
                               "ok INTEGER, problems TEXT)"))
        && exec(QStringLiteral("PRAGMA user_version = %1").arg(SchemaVersion));
}

void RunCatalog::rememberStack(const Stack &stack)
{
    QSqlQuery q(QSqlDatabase::database(m_connection));
    q.prepare(QStringLiteral("INSERT OR REPLACE INTO stacks VALUES (?, ?, ?, ?, ?, ?, ?, ?)"));
    for (const QVariant &v : {QVariant(stack.id), QVariant(stack.name),
                              QVariant(stack.isProject() ? QStringLiteral("supabase") : QStringLiteral("postgres")),
                              QVariant(stack.projectDir), QVariant(stack.connection.host),
                              QVariant(stack.connection.port), QVariant(stack.connection.database),
                              QVariant(stack.connection.user)})
        q.addBindValue(v);
    if (!q.exec())
        m_error = q.lastError().text();
}

void RunCatalog::recordBackup(const Stack &stack, const BackupResult &result)
{
    rememberStack(stack);
    QSqlQuery q(QSqlDatabase::database(m_connection));
    q.prepare(QStringLiteral("INSERT OR REPLACE INTO runs (stack_id, kind, path, outcome, message, started_at, "
                             "duration_ms, size) VALUES (?, 'backup', ?, ?, ?, ?, ?, ?)"));
    q.addBindValue(stack.id);
    q.addBindValue(result.path.isEmpty() ? QVariant() : QVariant(result.path));
    q.addBindValue(outcomeKey(result.outcome));
    q.addBindValue(result.message);
    q.addBindValue(result.manifest.startedAt.isValid() ? result.manifest.startedAt.toString(Qt::ISODateWithMs)
                                                       : QDateTime::currentDateTimeUtc().toString(Qt::ISODateWithMs));
    q.addBindValue(result.manifest.durationMs);
    q.addBindValue(result.manifest.totalSize());
    if (!q.exec())
        m_error = q.lastError().text();
}

void RunCatalog::recordVerification(const QString &path, const VerifyReport &report)
{
    QSqlQuery q(QSqlDatabase::database(m_connection));
    q.prepare(QStringLiteral("INSERT OR REPLACE INTO verifications VALUES (?, ?, ?, ?)"));
    q.addBindValue(path);
    q.addBindValue(QDateTime::currentDateTimeUtc().toString(Qt::ISODateWithMs));
    q.addBindValue(report.ok() ? 1 : 0);
    q.addBindValue(report.problems.join(u'\n'));
    if (!q.exec())
        m_error = q.lastError().text();
}

std::optional<RunCatalog::Verification> RunCatalog::verification(const QString &path) const
{
    QSqlQuery q(QSqlDatabase::database(m_connection));
    q.prepare(QStringLiteral("SELECT verified_at, ok, problems FROM verifications WHERE path = ?"));
    q.addBindValue(path);
    if (!q.exec() || !q.next())
        return std::nullopt;
    Verification v;
    v.at = QDateTime::fromString(q.value(0).toString(), Qt::ISODateWithMs);
    v.ok = q.value(1).toInt() == 1;
    v.problems = q.value(2).toString().split(u'\n', Qt::SkipEmptyParts);
    return v;
}

QList<RunCatalog::Run> RunCatalog::runs(const QString &stackId) const
{
    QList<Run> out;
    QSqlQuery q(QSqlDatabase::database(m_connection));
    q.prepare(QStringLiteral("SELECT path, outcome, message, started_at, duration_ms, size FROM runs "
                             "WHERE stack_id = ? ORDER BY started_at DESC, id DESC"));
    q.addBindValue(stackId);
    if (!q.exec()) {
        m_error = q.lastError().text();
        return out;
    }
    while (q.next())
        out.append({stackId, q.value(0).toString(), q.value(1).toString(), q.value(2).toString(),
                    QDateTime::fromString(q.value(3).toString(), Qt::ISODateWithMs), q.value(4).toLongLong(),
                    q.value(5).toLongLong()});
    return out;
}

void RunCatalog::sync(const QString &stackId, const QList<BackupInfo> &onDisk)
{
    QSqlDatabase db = QSqlDatabase::database(m_connection);
    db.transaction();
    QSet<QString> present;
    for (const BackupInfo &b : onDisk) {
        present.insert(b.path);
        if (b.state == BackupInfo::State::Running)
            continue; // its outcome is recorded by the run itself, or found on disk once it ends
        QSqlQuery q(db);
        q.prepare(QStringLiteral("INSERT OR IGNORE INTO runs (stack_id, kind, path, outcome, message, started_at, "
                                 "duration_ms, size) VALUES (?, 'backup', ?, ?, ?, ?, ?, ?)"));
        q.addBindValue(stackId);
        q.addBindValue(b.path);
        q.addBindValue(BackupInfo::stateKey(b.state));
        q.addBindValue(b.message);
        q.addBindValue((b.manifest ? b.manifest->startedAt : b.timestamp.toUTC()).toString(Qt::ISODateWithMs));
        q.addBindValue(b.manifest ? b.manifest->durationMs : 0);
        q.addBindValue(b.size());
        q.exec();
    }
    QSqlQuery existing(db);
    existing.prepare(QStringLiteral("SELECT path FROM runs WHERE stack_id = ? AND path IS NOT NULL"));
    existing.addBindValue(stackId);
    existing.exec();
    QStringList gone;
    while (existing.next())
        if (!present.contains(existing.value(0).toString()))
            gone << existing.value(0).toString();
    for (const QString &path : std::as_const(gone)) {
        QSqlQuery del(db);
        del.prepare(QStringLiteral("DELETE FROM runs WHERE path = ?"));
        del.addBindValue(path);
        del.exec();
    }
    db.commit();
}

} // namespace lifeboat
