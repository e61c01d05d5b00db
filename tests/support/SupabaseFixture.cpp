#include "SupabaseFixture.h"

#include "StackScanner.h"

#include <QDir>
#include <QDirIterator>
#include <QFile>
#include <QFileInfo>
#include <QTemporaryDir>

namespace lifeboat::test {

namespace {

QByteArray readFile(const QString &path, QString *error)
{
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly)) {
        *error = QStringLiteral("cannot read %1: %2").arg(path, f.errorString());
        return {};
    }
    return f.readAll();
}

QStringList sortedFiles(const QString &dir, const QString &pattern)
{
    QStringList files;
    const QFileInfoList entries = QDir(dir).entryInfoList({pattern}, QDir::Files, QDir::Name);
    for (const QFileInfo &fi : entries)
        files << fi.absoluteFilePath();
    return files;
}

} // namespace

bool copyTree(const QString &from, const QString &to, QString *error)
{
    QDir source(from);
    if (!source.exists()) {
        *error = QStringLiteral("no folder %1").arg(from);
        return false;
    }
    QDirIterator it(from, QDir::AllEntries | QDir::Hidden | QDir::NoDotAndDotDot, QDirIterator::Subdirectories);
    QDir().mkpath(to);
    while (it.hasNext()) {
        const QString path = it.next();
        const QString target = to + u'/' + source.relativeFilePath(path);
        if (it.fileInfo().isDir()) {
            QDir().mkpath(target);
        } else {
            QDir().mkpath(QFileInfo(target).absolutePath());
            QFile::remove(target);
            if (!QFile::copy(path, target)) {
                *error = QStringLiteral("cannot copy %1 to %2").arg(path, target);
                return false;
            }
            QFile::setPermissions(target, QFile::permissions(path) | QFile::WriteOwner);
        }
    }
    return true;
}

bool execSqlFiles(const TempCluster &cluster, const QStringList &files, const QString &database,
                  const QString &user, QString *error)
{
    PgConnection conn = cluster.connect(database, user);
    if (!conn.isOpen()) {
        *error = QStringLiteral("connect as %1: %2").arg(user, conn.errorMessage());
        return false;
    }
    for (const QString &file : files) {
        const QByteArray sql = readFile(file, error);
        if (sql.isNull())
            return false;
        PgResultPtr r = conn.exec(QString::fromUtf8(sql));
        if (!PgConnection::succeeded(r.get())) {
            *error = QStringLiteral("%1 (as %2): %3").arg(file, user, PgConnection::resultError(r.get()));
            return false;
        }
    }
    return true;
}

SupabaseFixture::SupabaseFixture()
    : SupabaseFixture(Options{})
{}

SupabaseFixture::SupabaseFixture(Options options)
    : m_options(std::move(options))
{
    TempCluster::Options co;
    co.superuser = QStringLiteral("supabase_admin");
    co.baseDir = m_options.baseDir;
    co.keep = m_options.keep;
    m_cluster = std::make_unique<TempCluster>(co);
}

SupabaseFixture::~SupabaseFixture()
{
    m_cluster.reset(); // stop the server before its project folder goes
    if (!m_options.keep && !m_root.isEmpty())
        QDir(m_root).removeRecursively();
}

QString SupabaseFixture::fixturesDir()
{
    const QString overridden = qEnvironmentVariable("LIFEBOAT_FIXTURES_DIR");
    return overridden.isEmpty() ? QStringLiteral(LIFEBOAT_FIXTURES_DIR) : overridden;
}

bool SupabaseFixture::setUp(QString *error)
{
    if (!m_options.rootDir.isEmpty()) {
        m_root = QDir(m_options.rootDir).absolutePath();
        if (!QDir().mkpath(m_root)) {
            *error = QStringLiteral("cannot create %1").arg(m_root);
            return false;
        }
    } else {
        const QString base = m_options.baseDir.isEmpty() ? QDir::tempPath() : m_options.baseDir;
        QTemporaryDir root(base + QStringLiteral("/lifeboat-stack-XXXXXX"));
        if (!root.isValid()) {
            *error = QStringLiteral("cannot create a folder in %1").arg(base);
            return false;
        }
        root.setAutoRemove(false);
        m_root = root.path();
    }
    return m_cluster->start(error) && copyProject(error) && loadDatabase(error);
}

bool SupabaseFixture::copyProject(QString *error)
{
    const QString src = fixturesDir() + QStringLiteral("/supabase");
    if (!copyTree(src + QStringLiteral("/project"), projectDir(), error)
        || !copyTree(src + QStringLiteral("/storage"), storageDir(), error))
        return false;

    // Point config.toml's [db] port at this cluster.
    const QString configPath = projectDir() + QStringLiteral("/supabase/config.toml");
    QByteArray config = readFile(configPath, error);
    if (config.isNull())
        return false;
    const QByteArray line = "port = 54322";
    if (config.count(line) != 1) {
        *error = QStringLiteral("%1 must hold the line `port = 54322` exactly once").arg(configPath);
        return false;
    }
    config.replace(line, QByteArray(QByteArray("port = ") + QByteArray::number(m_cluster->port())));
    QFile out(configPath);
    if (!out.open(QIODevice::WriteOnly | QIODevice::Truncate) || out.write(config) != config.size()) {
        *error = QStringLiteral("cannot write %1").arg(configPath);
        return false;
    }
    return true;
}

bool SupabaseFixture::loadDatabase(QString *error)
{
    const QString src = fixturesDir() + QStringLiteral("/supabase");
    const QString db = QStringLiteral("postgres");
    if (!execSqlFiles(*m_cluster, sortedFiles(src + QStringLiteral("/platform"), QStringLiteral("*.sql")), db,
                      m_cluster->superuser(), error))
        return false;

    // Every login role gets the cluster's password, as `supabase start` gives them all one.
    PgConnection admin = m_cluster->connect(db);
    PgResultPtr roles = admin.exec(QStringLiteral(
        "SELECT quote_ident(rolname) FROM pg_roles WHERE rolcanlogin AND rolname <> current_user"));
    if (!PgConnection::succeeded(roles.get())) {
        *error = PgConnection::resultError(roles.get());
        return false;
    }
    char *literal = PQescapeLiteral(admin.handle(), m_cluster->password().toUtf8().constData(),
                                    size_t(m_cluster->password().toUtf8().size()));
    const QString pw = QString::fromUtf8(literal);
    PQfreemem(literal);
    for (int i = 0; i < PQntuples(roles.get()); ++i) {
        PgResultPtr r = admin.exec(QStringLiteral("ALTER ROLE %1 PASSWORD %2")
                                       .arg(PgConnection::value(roles.get(), i, 0), pw));
        if (!PgConnection::succeeded(r.get())) {
            *error = PgConnection::resultError(r.get());
            return false;
        }
    }

    // Migrations as `postgres`, each recorded the way the Supabase CLI records it.
    PgConnection pg = m_cluster->connect(db, QStringLiteral("postgres"));
    if (!pg.isOpen()) {
        *error = QStringLiteral("connect as postgres: ") + pg.errorMessage();
        return false;
    }
    const QStringList migrations = sortedFiles(projectDir() + QStringLiteral("/supabase/migrations"),
                                               QStringLiteral("*.sql"));
    for (const QString &file : migrations) {
        const QByteArray sql = readFile(file, error);
        if (sql.isNull())
            return false;
        const QString base = QFileInfo(file).completeBaseName();
        const QString version = base.section(u'_', 0, 0);
        const QString name = base.section(u'_', 1);
        PgResultPtr begin = pg.exec(QStringLiteral("BEGIN"));
        PgResultPtr r = pg.exec(QString::fromUtf8(sql));
        if (!PgConnection::succeeded(r.get())) {
            *error = QStringLiteral("migration %1: %2").arg(file, PgConnection::resultError(r.get()));
            pg.exec(QStringLiteral("ROLLBACK"));
            return false;
        }
        PgResultPtr rec = pg.execParams(
            QStringLiteral("INSERT INTO supabase_migrations.schema_migrations(version, name, statements) "
                           "VALUES ($1, $2, ARRAY[$3])"),
            {version.toUtf8(), name.toUtf8(), sql});
        PgResultPtr commit = pg.exec(QStringLiteral("COMMIT"));
        if (!PgConnection::succeeded(rec.get()) || !PgConnection::succeeded(commit.get())) {
            *error = QStringLiteral("recording migration %1: %2")
                         .arg(file, PgConnection::resultError(rec.get()) + PgConnection::resultError(commit.get()));
            return false;
        }
    }
    return execSqlFiles(*m_cluster, {projectDir() + QStringLiteral("/supabase/seed.sql")}, db,
                        QStringLiteral("postgres"), error);
}

Stack SupabaseFixture::stack() const
{
    return StackScanner::stackFromProjectDir(projectDir());
}

bool SupabaseFixture::loadPlain(const TempCluster &cluster, const QString &database, QString *error)
{
    return execSqlFiles(cluster, sortedFiles(fixturesDir() + QStringLiteral("/plain"), QStringLiteral("*.sql")),
                        database, cluster.superuser(), error);
}

} // namespace lifeboat::test
