#pragma once

#include "Stack.h"
#include "TempCluster.h"

#include <QString>

#include <memory>

namespace lifeboat::test {

/// A realistic local Supabase stack: a cluster whose bootstrap superuser is `supabase_admin`,
/// the platform schemas (auth, storage, ...), the project's migrations applied as the
/// non-superuser `postgres` and recorded in supabase_migrations, the seed, and a project folder
/// (config.toml pointing at the cluster's port, migrations, edge functions, storage files).
/// The SQL and files live in tests/fixtures/supabase (see its README).
class SupabaseFixture
{
public:
    struct Options
    {
        QString baseDir;   ///< Parent of the cluster and project folders; default: temp dir.
        QString rootDir;   ///< Exact folder for project/ and storage/ (the demo); default: a new temp folder.
        bool keep = false; ///< Leave cluster and folders in place (the demo).
    };

    SupabaseFixture();
    explicit SupabaseFixture(Options options);
    ~SupabaseFixture();

    bool setUp(QString *error);

    TempCluster &cluster() { return *m_cluster; }
    const TempCluster &cluster() const { return *m_cluster; }
    /// The project folder (holds supabase/config.toml).
    QString projectDir() const { return m_root + QStringLiteral("/project"); }
    /// Where the storage object files are, as a file-backed storage server keeps them.
    QString storageDir() const { return m_root + QStringLiteral("/storage"); }
    /// The stack as Lifeboat's scanner sees the project folder.
    Stack stack() const;

    /// tests/fixtures in the source tree.
    static QString fixturesDir();
    /// Loads tests/fixtures/plain/*.sql (a database with no Supabase schemas) into `database`.
    static bool loadPlain(const TempCluster &cluster, const QString &database, QString *error);

private:
    bool loadDatabase(QString *error);
    bool copyProject(QString *error);

    Options m_options;
    std::unique_ptr<TempCluster> m_cluster;
    QString m_root;
};

/// Copies a folder tree (files and folders; symbolic links are copied as what they point to).
bool copyTree(const QString &from, const QString &to, QString *error);
/// Runs each statement file (one libpq call per file) as `user`, in name order.
bool execSqlFiles(const TempCluster &cluster, const QStringList &files, const QString &database,
                  const QString &user, QString *error);

} // namespace lifeboat::test
