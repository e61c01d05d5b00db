// Tables whose rows live elsewhere: a partitioned table (its partitions hold the rows), the
// materialized view that reads it, and a foreign table on a server outside any schema.
#include "BackupTestUtil.h"

#include <QTemporaryDir>

#include <gtest/gtest.h>

using namespace lifeboat;
using namespace lifeboat::test;

namespace {

const char *const Events = R"sql(
CREATE TABLE public.events (id bigint, at date NOT NULL, what text, PRIMARY KEY (id, at)) PARTITION BY RANGE (at);
CREATE TABLE public.events_2025 PARTITION OF public.events FOR VALUES FROM ('2025-01-01') TO ('2026-01-01');
CREATE TABLE public.events_2026 PARTITION OF public.events FOR VALUES FROM ('2026-01-01') TO ('2027-01-01');
CREATE INDEX events_what_idx ON public.events (what);
INSERT INTO public.events SELECT g, date '2025-06-01' + (g % 400), 'e' || g FROM generate_series(1, 1000) g;
CREATE MATERIALIZED VIEW public.event_days AS SELECT at, count(*) AS n FROM public.events GROUP BY at;
CREATE EXTENSION file_fdw;
CREATE SERVER files FOREIGN DATA WRAPPER file_fdw;
CREATE FOREIGN TABLE public.os_release (line text) SERVER files OPTIONS (filename '/etc/os-release');
)sql";

qint64 scalar(const TempCluster &c, const QString &db, const QString &sql)
{
    const PgConnection conn = c.connect(db);
    PgResultPtr r = conn.exec(sql);
    EXPECT_TRUE(PgConnection::succeeded(r.get())) << PgConnection::resultError(r.get()).toStdString();
    return PgConnection::value(r.get(), 0, 0).toLongLong();
}

class Partitions : public ::testing::Test
{
protected:
    void SetUp() override
    {
        QString error;
        ASSERT_TRUE(cluster.start(&error)) << error.toStdString();
        ASSERT_TRUE(cluster.exec(QString::fromUtf8(Events), &error)) << error.toStdString();
        const BackupResult r = runBackup(profileRequest(cluster, out.path()));
        ASSERT_EQ(r.outcome, BackupOutcome::Complete) << r.message.toStdString();
        backup = r.path;
    }
    /// lifeboat-cli restore BACKUP --only ITEM --yes plus `target`; its output.
    QString restore(const QString &item, const QStringList &target)
    {
        QByteArray so, se;
        const int rc = runProgram(QStringLiteral(LIFEBOAT_CLI_PATH),
                                  QStringList{QStringLiteral("restore"),
                                              backup,
                                              QStringLiteral("--only"),
                                              item,
                                              QStringLiteral("--safety-root"),
                                              out.path(),
                                              QStringLiteral("--yes")}
                                      + target,
                                  &so,
                                  &se,
                                  {QStringLiteral("PGPASSFILE=") + cluster.pgpassFile()},
                                  180000);
        EXPECT_EQ(rc, 0) << so.toStdString() << se.toStdString();
        return QString::fromUtf8(so);
    }
    QStringList inPlace() const { return {QStringLiteral("--dsn"), cluster.uri()}; }
    QStringList newDb(const QString &name) const
    {
        return {QStringLiteral("--new-db"), name, QStringLiteral("--dsn"), cluster.uri()};
    }
    qint64 rows(const QString &db, const QString &sql) const { return scalar(cluster, db, sql); }

    TempCluster cluster;
    QTemporaryDir out;
    QString backup;
};

} // namespace

TEST_F(Partitions, APartitionedTableIsListedWithItsPartitionsAndRestoredWithTheirRows)
{
    QByteArray so, se;
    ASSERT_EQ(runProgram(QStringLiteral(LIFEBOAT_CLI_PATH),
                         {QStringLiteral("restore"), backup, QStringLiteral("--list")},
                         &so,
                         &se,
                         {QStringLiteral("PGPASSFILE=") + cluster.pgpassFile()}),
              0)
        << se.toStdString();
    EXPECT_TRUE(so.contains("table:public.events ")) << so.toStdString();
    EXPECT_TRUE(so.contains("2 partition(s)")) << so.toStdString();
    EXPECT_FALSE(so.contains("ATTACH")) << so.toStdString();

    const QString plan = restore(QStringLiteral("table:public.events"), newDb(QStringLiteral("copy")));
    EXPECT_TRUE(plan.contains(QStringLiteral("+2 tables that belong to public.events"))) << plan.toStdString();
    EXPECT_EQ(rows(QStringLiteral("copy"), QStringLiteral("SELECT count(*) FROM public.events")), 1000);
    EXPECT_EQ(rows(QStringLiteral("copy"),
                   QStringLiteral("SELECT count(*) FROM pg_inherits WHERE inhparent = 'public.events'::regclass")),
              2);
    EXPECT_EQ(rows(QStringLiteral("copy"),
                   QStringLiteral("SELECT count(*) FROM pg_indexes WHERE tablename LIKE 'events_2025%'")),
              2);
}

TEST_F(Partitions, OnePartitionAloneComesBackAttachedToItsTable)
{
    restore(QStringLiteral("table:public.events_2025"), newDb(QStringLiteral("one")));
    EXPECT_EQ(rows(QStringLiteral("one"), QStringLiteral("SELECT count(*) FROM public.events")), 628);
    EXPECT_EQ(rows(QStringLiteral("one"),
                   QStringLiteral("SELECT count(*) FROM pg_inherits WHERE inhrelid = 'public.events_2025'::regclass")),
              1);

    // In place, beside a table the target keeps: ATTACH PARTITION gives it the table's keys.
    ASSERT_TRUE(cluster.exec(QStringLiteral("DELETE FROM public.events WHERE at < '2026-01-01'")));
    restore(QStringLiteral("table:public.events_2025"), inPlace());
    EXPECT_EQ(rows(QStringLiteral("postgres"), QStringLiteral("SELECT count(*) FROM public.events")), 1000);
    EXPECT_EQ(rows(QStringLiteral("postgres"),
                   QStringLiteral("SELECT count(*) FROM pg_indexes WHERE tablename = 'events_2025'")),
              2);
}

TEST_F(Partitions, ReplacingThePartitionedTableInPlaceBringsBackItsRowsAndItsView)
{
    ASSERT_TRUE(cluster.exec(QStringLiteral("DELETE FROM public.events WHERE id <= 100; "
                                            "CREATE TABLE public.events_2027 PARTITION OF public.events "
                                            "FOR VALUES FROM ('2027-01-01') TO ('2028-01-01'); "
                                            "INSERT INTO public.events VALUES (5000, '2027-02-01', 'later')")));
    const QString plan = restore(QStringLiteral("table:public.events"), inPlace());
    EXPECT_TRUE(plan.contains(QStringLiteral("drops public.events_2027, which belongs to it but is not in the backup")))
        << plan.toStdString();
    EXPECT_TRUE(plan.contains(QStringLiteral("+1 materialized view because public.events is replaced")))
        << plan.toStdString();
    EXPECT_EQ(rows(QStringLiteral("postgres"), QStringLiteral("SELECT count(*) FROM public.events")), 1000);
    // The view that DROP ... CASCADE took is back, and filled.
    EXPECT_EQ(rows(QStringLiteral("postgres"), QStringLiteral("SELECT sum(n) FROM public.event_days")), 1000);

    // Emptied and reloaded instead, as a role that is not a superuser (TRUNCATE, not DELETE).
    ASSERT_TRUE(cluster.exec(QStringLiteral("CREATE ROLE app LOGIN PASSWORD '%1'; "
                                            "ALTER TABLE public.events OWNER TO app; "
                                            "ALTER TABLE public.events_2025 OWNER TO app; "
                                            "ALTER TABLE public.events_2026 OWNER TO app; "
                                            "DELETE FROM public.events WHERE id <= 100")
                                 .arg(cluster.password())));
    restore(QStringLiteral("data:public.events"),
            {QStringLiteral("--dsn"),
             cluster.uri(QStringLiteral("postgres"), QStringLiteral("app")),
             QStringLiteral("--no-safety-backup")});
    EXPECT_EQ(rows(QStringLiteral("postgres"), QStringLiteral("SELECT count(*) FROM public.events")), 1000);
}

TEST_F(Partitions, ASchemaWithAForeignTableBringsItsServer)
{
    restore(QStringLiteral("schema:public"), newDb(QStringLiteral("schema_copy")));
    EXPECT_EQ(rows(QStringLiteral("schema_copy"),
                   QStringLiteral("SELECT count(*) FROM pg_foreign_server WHERE srvname = 'files'")),
              1);
    EXPECT_GT(rows(QStringLiteral("schema_copy"), QStringLiteral("SELECT count(*) FROM public.os_release")), 0);
    EXPECT_EQ(rows(QStringLiteral("schema_copy"), QStringLiteral("SELECT sum(n) FROM public.event_days")), 1000);
}
