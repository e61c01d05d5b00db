// One comprehensive backup of the Supabase fixture, then what a user would check in it.
#include "BackupHistoryModel.h"
#include "BackupStore.h"
#include "BackupTestUtil.h"
#include "Fingerprint.h"

#include <QAbstractItemModelTester>
#include <QFileInfo>
#include <QJsonArray>
#include <QRegularExpression>
#include <QTemporaryDir>

#include <gtest/gtest.h>

using namespace lifeboat;
using namespace lifeboat::test;

namespace {

const char *const PlantedMigration = "20990101000000_never_applied.sql";

class BackupContentTest : public ::testing::Test
{
protected:
    static void SetUpTestSuite()
    {
        fixture = new SupabaseFixture;
        out = new QTemporaryDir;
        if (!fixture->setUp(&setupError))
            return;
        // A migration written but never applied: the drift report must find it.
        writeFile(fixture->projectDir() + QStringLiteral("/supabase/migrations/") + QLatin1String(PlantedMigration),
                  "create table public.not_yet (id int);\n");
        log = new QStringList;
        result = new BackupResult(runBackup(requestFor(*fixture, out->path()), log));
    }
    static void TearDownTestSuite()
    {
        delete result;
        delete log;
        delete out;
        delete fixture;
    }
    void SetUp() override
    {
        ASSERT_TRUE(setupError.isEmpty()) << setupError.toStdString();
        ASSERT_EQ(result->outcome, BackupOutcome::Complete) << result->message.toStdString();
        conn = fixture->cluster().connect();
        conn.exec(QStringLiteral("SET search_path = pg_catalog"));
    }
    QString path(const QString &rel) const { return result->path + u'/' + rel; }
    qint64 scalar(const QString &sql) const
    {
        PgResultPtr r = conn.exec(sql);
        EXPECT_TRUE(PgConnection::succeeded(r.get())) << PgConnection::resultError(r.get()).toStdString();
        return PgConnection::value(r.get(), 0, 0).toLongLong();
    }
    const ComponentResult &component(const QString &name) const { return *result->manifest.component(name); }

    static inline SupabaseFixture *fixture = nullptr;
    static inline QTemporaryDir *out = nullptr;
    static inline BackupResult *result = nullptr;
    static inline QStringList *log = nullptr;
    static inline QString setupError;
    PgConnection conn;
};

} // namespace

TEST_F(BackupContentTest, EveryComponentIsPresentAndTheFolderIsFinal)
{
    EXPECT_TRUE(result->path.startsWith(out->path() + QStringLiteral("/lifeboat-demo/")));
    EXPECT_FALSE(result->path.endsWith(QLatin1String(".partial")));
    ASSERT_EQ(result->manifest.components.size(), Component::all().size());
    for (const ComponentResult &c : result->manifest.components)
        EXPECT_EQ(c.status, ComponentResult::Status::Ok) << c.name.toStdString() << ": " << c.message.toStdString();
    for (const char *f : {"manifest.json", "BACKUP_MANIFEST.md", "SHA256SUMS", "restore.sh", "database/database.dump",
                          "database/database.toc", "database/database.sql", "roles/roles.sql"})
        EXPECT_TRUE(QFileInfo::exists(path(QLatin1String(f)))) << f;
    EXPECT_TRUE(BackupStore::verify(result->path).ok());
}

TEST_F(BackupContentTest, FoldersArePrivateAndSecretsAreMarked)
{
    QDirIterator it(out->path(), QDir::AllEntries | QDir::Hidden | QDir::NoDotAndDotDot, QDirIterator::Subdirectories);
    int checked = 0;
    while (it.hasNext()) {
        const QFileInfo fi(it.next());
        if (fi.fileName() == QLatin1String(".gitignore"))
            continue;
        const auto others = fi.permissions() & (QFile::ReadGroup | QFile::WriteGroup | QFile::ExeGroup
                                                | QFile::ReadOther | QFile::WriteOther | QFile::ExeOther);
        EXPECT_EQ(int(others), 0) << fi.filePath().toStdString() << " is readable by others";
        ++checked;
    }
    EXPECT_GT(checked, 50);
    QStringList secret;
    for (const ManifestFile &f : result->manifest.allFiles())
        if (f.secret)
            secret << f.path;
    for (const char *f : {"roles/roles.sql", "roles/database_settings.sql", "auth_users/users.sql",
                          "encryption/settings.sql", "edge_functions/.env"})
        EXPECT_TRUE(secret.contains(QLatin1String(f))) << f << " must be marked secret";
}

TEST_F(BackupContentTest, NoPasswordTextInAnyFileOrLog)
{
    const QByteArray password = fixture->cluster().password().toUtf8();
    for (const QString &rel : filesBelow(result->path))
        EXPECT_FALSE(readAll(path(rel)).contains(password)) << rel.toStdString();
    EXPECT_FALSE(log->join(u'\n').toUtf8().contains(password));
    EXPECT_FALSE(log->isEmpty()) << "the log shows the tools that ran";
}

TEST_F(BackupContentTest, AuthUsersKeepTheirBcryptHashesByteIdentical)
{
    PgResultPtr r = conn.exec(QStringLiteral("SELECT encrypted_password FROM auth.users WHERE email = 'user05@example.com'"));
    const QByteArray hash = PQgetvalue(r.get(), 0, 0);
    ASSERT_TRUE(hash.startsWith("$2a$"));
    EXPECT_TRUE(readAll(path(QStringLiteral("auth_users/users.sql"))).contains(hash));
    EXPECT_EQ(component(Component::AuthUsers).counts.value(QStringLiteral("users")),
              scalar(QStringLiteral("SELECT count(*) FROM auth.users")));
    EXPECT_EQ(component(Component::AuthUsers).counts.value(QStringLiteral("identities")),
              scalar(QStringLiteral("SELECT count(*) FROM auth.identities")));
    const QString warnings = component(Component::AuthUsers).warnings.join(u'\n');
    EXPECT_TRUE(warnings.contains(QStringLiteral("user07@example.com")) && warnings.contains(QStringLiteral("user19@example.com")))
        << warnings.toStdString();
    const QString sql = QString::fromUtf8(readAll(path(QStringLiteral("auth_users/users.sql"))));
    EXPECT_FALSE(sql.contains(QRegularExpression(QStringLiteral("[(,] confirmed_at[,)]"))))
        << "the generated column confirmed_at is never written";
    EXPECT_TRUE(sql.contains(QStringLiteral(", email_confirmed_at,"))) << "while its neighbours are";
}

TEST_F(BackupContentTest, PolicyAndFunctionCountsEqualTheCatalog)
{
    EXPECT_EQ(component(Component::RlsPolicies).counts.value(QStringLiteral("policies")),
              scalar(QStringLiteral("SELECT count(*) FROM pg_policy")));
    qint64 inFiles = 0;
    for (const ManifestFile &f : component(Component::RlsPolicies).files)
        inFiles += readAll(path(f.path)).count("CREATE POLICY ");
    EXPECT_EQ(inFiles, scalar(QStringLiteral("SELECT count(*) FROM pg_policy")));

    const qint64 catalogFunctions = scalar(QStringLiteral(
        "SELECT count(*) FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace WHERE p.prokind IN ('f','p') "
        "AND n.nspname NOT IN ('pg_catalog','information_schema') AND NOT EXISTS (SELECT 1 FROM pg_depend d "
        "WHERE d.classid = 'pg_proc'::regclass AND d.objid = p.oid AND d.deptype = 'e')"));
    const ComponentResult &fns = component(Component::Functions);
    EXPECT_EQ(fns.counts.value(QStringLiteral("functions")) + fns.counts.value(QStringLiteral("procedures")),
              catalogFunctions);
    qint64 defs = 0;
    for (const ManifestFile &f : fns.files)
        defs += readAll(path(f.path)).count("CREATE OR REPLACE ");
    EXPECT_EQ(defs, catalogFunctions);
    EXPECT_TRUE(readAll(path(QStringLiteral("functions/public.has_role.sql"))).contains("GRANT EXECUTE"));
}

TEST_F(BackupContentTest, EveryCsvHasAsManyRowsAsItsTable)
{
    const QJsonObject tables = component(Component::DataCsv).details.value(QStringLiteral("tables")).toObject();
    EXPECT_EQ(tables.size(), scalar(QStringLiteral("SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = "
                                                    "c.relnamespace WHERE c.relkind = 'r' AND n.nspname NOT IN "
                                                    "('pg_catalog','information_schema')")));
    for (auto it = tables.begin(); it != tables.end(); ++it) {
        const QString table = it.key();
        const qint64 count = scalar(QStringLiteral("SELECT count(*) FROM ONLY %1")
                                        .arg(QStringLiteral("\"%1\".\"%2\"").arg(table.section(u'.', 0, 0),
                                                                                 table.section(u'.', 1))));
        EXPECT_EQ(it.value().toObject().value(QStringLiteral("rows")).toInteger(), count) << table.toStdString();
    }
    // And counted independently from the file for a table without line breaks in its data.
    const QByteArray tasks = readAll(path(tables.value(QStringLiteral("public.tasks")).toObject()
                                              .value(QStringLiteral("file")).toString()));
    EXPECT_EQ(tasks.count('\n') - 1, scalar(QStringLiteral("SELECT count(*) FROM public.tasks")));
}

TEST_F(BackupContentTest, EdgeFunctionsAreIdenticalAndEnvIsKept)
{
    const QString src = fixture->projectDir() + QStringLiteral("/supabase/functions");
    const QStringList files = filesBelow(src);
    EXPECT_EQ(filesBelow(path(QStringLiteral("edge_functions"))), files);
    for (const QString &f : files)
        EXPECT_EQ(readAll(src + u'/' + f), readAll(path(QStringLiteral("edge_functions/") + f))) << f.toStdString();
    EXPECT_EQ(component(Component::EdgeFunctions).counts.value(QStringLiteral("functions")), 3);
}

TEST_F(BackupContentTest, MigrationsHistoryAndDriftReport)
{
    const ComponentResult &m = component(Component::Migrations);
    EXPECT_EQ(m.counts.value(QStringLiteral("applied")),
              scalar(QStringLiteral("SELECT count(*) FROM supabase_migrations.schema_migrations")));
    EXPECT_EQ(m.counts.value(QStringLiteral("migration_files")), 6);
    const QJsonArray unapplied =
        m.details.value(QStringLiteral("drift")).toObject().value(QStringLiteral("unapplied_files")).toArray();
    ASSERT_EQ(unapplied.size(), 1);
    EXPECT_EQ(unapplied.first().toString(), QLatin1String(PlantedMigration));
    EXPECT_TRUE(m.warnings.join(u'\n').contains(QLatin1String(PlantedMigration)));
    EXPECT_TRUE(m.details.value(QStringLiteral("drift")).toObject().value(QStringLiteral("changed_after_apply"))
                    .toArray()
                    .isEmpty())
        << "the applied files are unchanged";
    EXPECT_TRUE(readAll(path(QStringLiteral("migrations/drift.md"))).contains(PlantedMigration));
}

TEST_F(BackupContentTest, StorageRowsFilesAndTheMissingOne)
{
    const ComponentResult &s = component(Component::Storage);
    EXPECT_EQ(s.counts.value(QStringLiteral("buckets")), scalar(QStringLiteral("SELECT count(*) FROM storage.buckets")));
    EXPECT_EQ(s.counts.value(QStringLiteral("objects")), scalar(QStringLiteral("SELECT count(*) FROM storage.objects")));
    EXPECT_EQ(s.counts.value(QStringLiteral("missing_files")), 1);
    EXPECT_TRUE(readAll(path(QStringLiteral("storage/missing_files.txt"))).contains("passport-scan.pdf"));
    EXPECT_EQ(readAll(path(QStringLiteral("storage/files/avatars/00000000-0000-4000-8000-000000000001/avatar.png"))),
              readAll(fixture->storageDir() + QStringLiteral("/avatars/00000000-0000-4000-8000-000000000001/avatar.png")));
}

TEST_F(BackupContentTest, EncryptionRolesAndConfig)
{
    const ComponentResult &e = component(Component::Encryption);
    EXPECT_EQ(e.counts.value(QStringLiteral("extensions")), scalar(QStringLiteral("SELECT count(*) FROM pg_extension")));
    EXPECT_GE(e.counts.value(QStringLiteral("crypto_functions")), 2);
    EXPECT_EQ(e.counts.value(QStringLiteral("vault_secrets")), scalar(QStringLiteral("SELECT count(*) FROM vault.secrets")));
    EXPECT_TRUE(e.warnings.join(u'\n').contains(QStringLiteral("vault key")));
    EXPECT_TRUE(readAll(path(QStringLiteral("encryption/settings.sql"))).contains("app.settings.jwt_secret"));
    EXPECT_TRUE(readAll(path(QStringLiteral("roles/roles.sql"))).contains("CREATE ROLE authenticator"));
    EXPECT_TRUE(readAll(path(QStringLiteral("roles/database_settings.sql"))).contains("ALTER DATABASE :\"target_db\""));
    EXPECT_EQ(readAll(path(QStringLiteral("config/config.toml"))),
              readAll(fixture->projectDir() + QStringLiteral("/supabase/config.toml")));
    EXPECT_TRUE(QFileInfo::exists(path(QStringLiteral("config/seed.sql"))));
    EXPECT_GE(component(Component::UserRoles).counts.value(QStringLiteral("assignments")),
              scalar(QStringLiteral("SELECT count(*) FROM public.user_roles")));
}

TEST_F(BackupContentTest, ManifestRecordsStackToolsAndEveryFile)
{
    auto m = BackupStore::readManifest(result->path);
    ASSERT_TRUE(m.ok()) << m.error().toStdString();
    EXPECT_EQ(m->stackId, QStringLiteral("lifeboat-demo"));
    EXPECT_EQ(m->port, fixture->cluster().port());
    EXPECT_EQ(m->serverVersionNum / 10000, 15);
    EXPECT_TRUE(m->pgDumpPath.endsWith(QLatin1String("pg_dump")));
    EXPECT_FALSE(m->snapshot.isEmpty());
    EXPECT_EQ(m->allFiles().size() + 3, filesBelow(result->path).size()) << "all but manifest, .md and SHA256SUMS";
    for (const ManifestFile &f : m->allFiles())
        EXPECT_EQ(f.sha256.size(), 64) << f.path.toStdString();
    const QString md = QString::fromUtf8(readAll(path(QStringLiteral("BACKUP_MANIFEST.md"))));
    EXPECT_TRUE(md.contains(QStringLiteral("lifeboat-demo")) && md.contains(QStringLiteral("restore.sh")));
}

TEST_F(BackupContentTest, CliListShowAndVerify)
{
    QByteArray outText, errText;
    ASSERT_EQ(runProgram(QStringLiteral(LIFEBOAT_CLI_PATH), {QStringLiteral("list"), QStringLiteral("--out"), out->path(),
                                                              QStringLiteral("--json")},
                         &outText, &errText),
              0)
        << errText.toStdString();
    EXPECT_TRUE(outText.contains("\"status\": \"complete\"")) << outText.toStdString();
    ASSERT_EQ(runProgram(QStringLiteral(LIFEBOAT_CLI_PATH), {QStringLiteral("show"), result->path}, &outText, &errText), 0);
    EXPECT_TRUE(outText.contains("# Lifeboat backup of lifeboat-demo"));
    ASSERT_EQ(runProgram(QStringLiteral(LIFEBOAT_CLI_PATH), {QStringLiteral("verify"), result->path}, &outText, &errText), 0)
        << errText.toStdString();
    EXPECT_TRUE(outText.startsWith("OK: ")) << outText.toStdString();

    // A mistyped folder is an error naming it, not an empty list.
    const QString typo = out->path() + QStringLiteral("-typo");
    EXPECT_EQ(runProgram(QStringLiteral(LIFEBOAT_CLI_PATH), {QStringLiteral("list"), QStringLiteral("--out"), typo},
                         &outText, &errText),
              2);
    EXPECT_TRUE(errText.contains(typo.toUtf8()) && errText.contains("--out")) << errText.toStdString();
    EXPECT_EQ(runProgram(QStringLiteral(LIFEBOAT_CLI_PATH), {QStringLiteral("list"), QStringLiteral("--project"), typo},
                         &outText, &errText),
              2);
    EXPECT_TRUE(errText.contains(typo.toUtf8()) && errText.contains("--project")) << errText.toStdString();
}

TEST_F(BackupContentTest, HistoryModelShowsCompletePartialAndDamagedFolders)
{
    // Next to the real backup: a run that was killed, and a folder whose manifest is broken.
    const QString stackDir = QFileInfo(result->path).absolutePath();
    QTemporaryDir extra;
    const QString partial = stackDir + QStringLiteral("/20200101-000000.partial");
    const QString damaged = stackDir + QStringLiteral("/20200102-000000");
    ASSERT_TRUE(QDir().mkpath(partial + QStringLiteral("/database")));
    ASSERT_TRUE(writeFile(damaged + QStringLiteral("/manifest.json"), "{ not json"));

    QList<BackupInfo> list = BackupStore::list(out->path());
    BackupHistoryModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::Fatal);
    model.setBackups(list);
    ASSERT_EQ(model.rowCount(), 3);
    EXPECT_EQ(model.statusKey(model.rowOf(result->path)), QStringLiteral("complete"));
    EXPECT_EQ(model.statusKey(model.rowOf(partial)), QStringLiteral("incomplete"));
    EXPECT_EQ(model.statusKey(model.rowOf(damaged)), QStringLiteral("damaged"));
    const int row = model.rowOf(result->path);
    EXPECT_EQ(model.data(model.index(row, BackupHistoryModel::ComponentsColumn)).toString(), QStringLiteral("12 of 12"));
    EXPECT_EQ(model.data(model.index(row, BackupHistoryModel::SizeColumn), BackupHistoryModel::RawRole).toLongLong(),
              result->manifest.totalSize());
    model.setVerification(result->path, {false, {QStringLiteral("damaged: x")}});
    EXPECT_EQ(model.statusKey(row), QStringLiteral("damaged"));
    QDir(partial).removeRecursively();
    QDir(damaged).removeRecursively();
}

TEST(EdgeFunctionLinks, ALinkedSharedFolderIsCopiedAndWhatCannotBeIsNamed)
{
    // A monorepo links code shared with other apps into supabase/functions; a link may also
    // point nowhere or back up the tree.
    TempCluster cluster;
    QString error;
    ASSERT_TRUE(cluster.start(&error)) << error.toStdString();
    QTemporaryDir work, out;
    const QString functions = work.path() + QStringLiteral("/project/supabase/functions");
    writeFile(functions + QStringLiteral("/hello/index.ts"), "import { x } from '../shared/util.ts';\n");
    writeFile(work.path() + QStringLiteral("/packages/shared/util.ts"), "export const x = 1;\n");
    ASSERT_TRUE(QFile::link(QStringLiteral("../../../packages/shared"), functions + QStringLiteral("/shared")));
    ASSERT_TRUE(QFile::link(QStringLiteral("/nowhere/gone.ts"), functions + QStringLiteral("/gone.ts")));
    ASSERT_TRUE(QFile::link(QStringLiteral(".."), functions + QStringLiteral("/hello/up")));

    BackupRequest req = profileRequest(cluster, out.path());
    req.stack.projectDir = work.path() + QStringLiteral("/project");
    req.components = QStringList{Component::EdgeFunctions};
    const BackupResult r = runBackup(req);
    ASSERT_EQ(r.outcome, BackupOutcome::Complete) << r.message.toStdString();
    EXPECT_EQ(filesBelow(r.path + QStringLiteral("/edge_functions")),
              (QStringList{QStringLiteral("hello/index.ts"), QStringLiteral("shared/util.ts")}));
    EXPECT_EQ(readAll(r.path + QStringLiteral("/edge_functions/shared/util.ts")), "export const x = 1;\n");
    const QString warnings = r.manifest.component(Component::EdgeFunctions)->warnings.join(u'\n');
    EXPECT_TRUE(warnings.contains(QStringLiteral("gone.ts is a link to /nowhere/gone.ts, which does not exist")))
        << warnings.toStdString();
    EXPECT_TRUE(warnings.contains(QStringLiteral("hello/up is a link to"))) << warnings.toStdString();
    EXPECT_TRUE(warnings.contains(QStringLiteral("shared is a link to"))) << warnings.toStdString();
    EXPECT_TRUE(BackupStore::verify(r.path).ok());
}
