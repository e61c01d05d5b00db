#pragma once

#include "BackupEngine.h"
#include "BackupRequest.h"
#include "SupabaseFixture.h"
#include "TestUtil.h"

#include <QDir>
#include <QDirIterator>
#include <QFile>
#include <QStringList>

#include <gtest/gtest.h>

namespace lifeboat::test {

/// A PostgreSQL client tool of the version the test clusters run.
inline QString tool(const QString &name)
{
    return TempCluster::binDir() + u'/' + name;
}

/// The libpq environment for `c`'s superuser and database `db`, for tools and scripts.
inline QStringList pgEnv(const TempCluster &c, const QString &db = QStringLiteral("postgres"))
{
    return {QStringLiteral("PGPASSFILE=") + c.pgpassFile(),
            QStringLiteral("PGHOST=127.0.0.1"),
            QStringLiteral("PGPORT=%1").arg(c.port()),
            QStringLiteral("PGUSER=") + c.superuser(),
            QStringLiteral("PGDATABASE=") + db};
}

/// Adds public.bulk, `rows` rows of about 300 bytes (600000 rows: about 200 MB), so that a
/// backup of the fixture takes a few seconds and one table holds most of its data.
inline void growFixture(const SupabaseFixture &f, int rows)
{
    QString error;
    ASSERT_TRUE(f.cluster().exec(QStringLiteral("CREATE TABLE public.bulk AS SELECT g AS id, md5(g::text) AS a, "
                                                "repeat(md5(g::text), 8) AS b FROM generate_series(1, %1) g")
                                     .arg(rows),
                                 &error))
        << error.toStdString();
}

/// Starts `cluster` and loads the plain fixture (no Supabase schemas) into its database "postgres".
inline ::testing::AssertionResult startPlain(TempCluster &cluster)
{
    QString error;
    if (!cluster.start(&error) || !SupabaseFixture::loadPlain(cluster, QStringLiteral("postgres"), &error))
        return ::testing::AssertionFailure() << error.toStdString();
    return ::testing::AssertionSuccess();
}

/// A request for the fixture's stack: its cluster password, a fresh output root.
inline BackupRequest requestFor(const SupabaseFixture &fixture, const QString &outputRoot)
{
    BackupRequest r;
    r.stack = fixture.stack();
    r.password = fixture.cluster().password();
    r.outputRoot = outputRoot;
    r.storageDir = fixture.storageDir();
    return r;
}

/// A plain PostgreSQL connection profile for `cluster` (no project folder, no Supabase guesses).
inline Stack profileStack(const TempCluster &cluster, const QString &id, const QString &name)
{
    Stack s;
    s.kind = Stack::Kind::PostgresProfile;
    s.id = id;
    s.name = name;
    s.connection = cluster.connection();
    return s;
}

/// A backup of `cluster`'s database "postgres" as its plain profile "plain", connected as `user`
/// (default: the cluster's superuser) with the cluster's password.
inline BackupRequest profileRequest(const TempCluster &cluster, const QString &outputRoot, const QString &user = {})
{
    BackupRequest req;
    req.stack = profileStack(cluster, QStringLiteral("plain"), QStringLiteral("plain"));
    if (!user.isEmpty())
        req.stack.connection.user = user;
    req.password = cluster.password();
    req.outputRoot = outputRoot;
    return req;
}

/// Runs a backup to the end, keeping the event loop turning; `log` collects every log line.
inline BackupResult runBackup(const BackupRequest &request, QStringList *log = nullptr, int timeoutMs = 300000)
{
    std::shared_ptr<BackupJob> job = BackupEngine::start(request);
    if (log)
        QObject::connect(job.get(), &BackupJob::logLine, job.get(),
                         [log](const QString &c, const QString &line) { *log << c + QStringLiteral(": ") + line; });
    return await(job->future(), timeoutMs);
}

/// Every file below `dir`, relative.
inline QStringList filesBelow(const QString &dir)
{
    QStringList files;
    QDirIterator it(dir, QDir::Files | QDir::Hidden | QDir::NoDotAndDotDot, QDirIterator::Subdirectories);
    while (it.hasNext())
        files << QDir(dir).relativeFilePath(it.next());
    files.sort();
    return files;
}

inline QByteArray readAll(const QString &path)
{
    QFile f(path);
    return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
}

} // namespace lifeboat::test
