// The CSV of every table is what `COPY table TO STDOUT (FORMAT csv, HEADER)` gives in the
// backup's snapshot, byte for byte, whether it was written from the dump's SQL (when the
// database component runs too) or read from the server (data_csv alone).
#include "BackupTestUtil.h"
#include "ExportSql.h"

#include <QBuffer>
#include <QJsonObject>
#include <QTemporaryDir>

#include <gtest/gtest.h>

using namespace lifeboat;
using namespace lifeboat::test;

namespace {

// Values whose CSV is easy to get wrong: NULL against the empty string, the CSV's own
// characters, line breaks, backslashes (the text format's escape), tabs (its delimiter),
// "\." (COPY's end marker), control characters, non-ASCII text, a column name to quote.
const char *const OddValues = R"sql(
CREATE TABLE public.odd_values (id int PRIMARY KEY, t text, "Odd ""Col"", too" text, n numeric, j jsonb,
                                b bytea, a text[], ts timestamptz, d date, f float8, g text GENERATED ALWAYS AS (upper(t)) STORED);
INSERT INTO public.odd_values (id, t, "Odd ""Col"", too", n, j, b, a, ts, d, f) VALUES
 (1, NULL, '', 1.50, '{"k": "v, \"q\""}', '\x00ff10', '{a,"b c",NULL,"d,e"}', '2024-02-29 12:34:56.789+00', '2024-01-01', 0.1),
 (2, '', NULL, -0, '[]', '', '{}', NULL, NULL, 'NaN'),
 (3, 'a,b', 'quote"d', 1e20, 'null', '\x5c', NULL, 'infinity', 'infinity', '-Infinity'),
 (4, E'line\nbreak', E'cr\rhere', NULL, '"\\"', NULL, '{"\\\\"}', '1999-12-31 23:59:59+05:30', '0001-01-01 BC', 1e-300),
 (5, E'tab\there', E'back\\slash', 3, '{"u": "Crème brûlée"}', '\x0d0a', '{"x\ty"}', NULL, NULL, 3.141592653589793),
 (6, '\.', E'\\.', 4, NULL, NULL, NULL, NULL, NULL, NULL),
 (7, E'ctl\x01\x07\x1b', '\N', 5, NULL, NULL, NULL, NULL, NULL, NULL),
 (8, ' lead and trail ', '"', 6, NULL, NULL, NULL, NULL, NULL, NULL);
CREATE TABLE public.one_column (v text);
INSERT INTO public.one_column VALUES ('\.'), (NULL), (''), ('plain'), (E'two\nlines');
CREATE TABLE public."Weird ""Table"", Name" ("x y" int);
INSERT INTO public."Weird ""Table"", Name" VALUES (1), (NULL);
CREATE TABLE public.no_columns ();
INSERT INTO public.no_columns SELECT FROM generate_series(1, 3);
CREATE TABLE public.empty_table (id int);
)sql";

QByteArray serverCsv(const PgConnection &conn, const QString &schema, const QString &table)
{
    QBuffer buffer;
    buffer.open(QIODevice::WriteOnly);
    auto rows = ExportSql::copyOut(
        conn,
        QStringLiteral("COPY %1 TO STDOUT (FORMAT csv, HEADER)").arg(ExportSql::qualified(schema, table)),
        buffer,
        [] { return false; });
    EXPECT_TRUE(rows.ok()) << schema.toStdString() << "." << table.toStdString();
    return buffer.data();
}

void expectEveryCsvAsTheServerWritesIt(const SupabaseFixture &source, const BackupResult &r, int fromDumpAtLeast)
{
    const ComponentResult *csv = r.manifest.component(Component::DataCsv);
    ASSERT_NE(csv, nullptr);
    const QJsonObject tables = csv->details.value(QStringLiteral("tables")).toObject();
    EXPECT_GE(csv->details.value(QStringLiteral("from_dump")).toInteger(), fromDumpAtLeast);
    PgConnection conn = source.cluster().connect();
    int compared = 0;
    for (auto it = tables.begin(); it != tables.end(); ++it) {
        // "schema.table": the schema has no dot in this fixture, a table name may.
        const QString schema = it.key().section(u'.', 0, 0);
        const QString table = it.key().section(u'.', 1);
        const QByteArray inBackup
            = readAll(r.path + u'/' + it.value().toObject().value(QStringLiteral("file")).toString());
        EXPECT_EQ(inBackup.toStdString(), serverCsv(conn, schema, table).toStdString()) << it.key().toStdString();
        ++compared;
    }
    EXPECT_GE(compared, 30);
}

class BackupCsv : public ::testing::Test
{
protected:
    void SetUp() override
    {
        QString error;
        ASSERT_TRUE(source.setUp(&error)) << error.toStdString();
        ASSERT_TRUE(source.cluster().exec(QString::fromUtf8(OddValues), &error)) << error.toStdString();
    }
    SupabaseFixture source;
    QTemporaryDir out;
};

} // namespace

TEST_F(BackupCsv, EveryCsvWrittenFromTheDumpIsWhatTheServerWouldWrite)
{
    const BackupResult r = runBackup(requestFor(source, out.path()));
    ASSERT_EQ(r.outcome, BackupOutcome::Complete) << r.message.toStdString();
    // All but the extensions' own tables come from the dump's SQL.
    expectEveryCsvAsTheServerWritesIt(source, r, 30);
}

TEST_F(BackupCsv, DataCsvAloneReadsTheServerAndWritesTheSame)
{
    BackupRequest request = requestFor(source, out.path());
    request.components = {Component::DataCsv};
    const BackupResult r = runBackup(request);
    ASSERT_EQ(r.outcome, BackupOutcome::Complete) << r.message.toStdString();
    expectEveryCsvAsTheServerWritesIt(source, r, 0);
    EXPECT_EQ(r.manifest.component(Component::DataCsv)->details.value(QStringLiteral("from_dump")).toInteger(), 0);
}
