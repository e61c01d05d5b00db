// The failure text a backup shows when pg_dump fails: the error and what it means, never a
// screenful of the SQL it was running.
#include "ToolProcess.h"

#include <gtest/gtest.h>

using namespace lifeboat;

TEST(ToolTail, TheSqlOfAFailedQueryDoesNotPushTheErrorOut)
{
    // pg_dump's stderr when `supabase db reset` ends its session during a catalog query.
    ToolTail tail(12);
    for (const char *line :
         {"pg_dump: reading table attributes",
          "pg_dump: error: query failed: FATAL:  terminating connection due to administrator command",
          "server closed the connection unexpectedly",
          "\tThis probably means the server terminated abnormally",
          "\tbefore or while processing the request.",
          "pg_dump: detail: Query was: SELECT",
          "a.attrelid,",
          "a.attnum,",
          "a.attname,",
          "a.atttypmod,",
          "a.attstattarget,",
          "a.attstorage,",
          "t.typstorage,",
          "a.attnotnull,",
          "a.atthasdef,",
          "a.attisdropped,",
          "FROM unnest('{16482,16489}'::pg_catalog.oid[]) AS src(tbloid)",
          "ORDER BY a.attrelid, a.attnum"})
        tail.add(QString::fromUtf8(line));
    const QString text = failureText(tail.lines());
    EXPECT_TRUE(text.startsWith(QStringLiteral("pg_dump: error: query failed: FATAL:  terminating connection")))
        << text.toStdString();
    EXPECT_TRUE(text.contains(QStringLiteral("server closed the connection unexpectedly")));
    EXPECT_FALSE(text.contains(QStringLiteral("attrelid"))) << text.toStdString();

    // The tool's next message is kept again, and the tail stays as long as asked.
    tail.add(QStringLiteral("pg_dump: hint: back up again"));
    EXPECT_EQ(tail.lines().last(), QStringLiteral("pg_dump: hint: back up again"));
    for (int i = 0; i < 20; ++i)
        tail.add(QStringLiteral("pg_dump: line %1").arg(i));
    EXPECT_EQ(tail.lines().size(), 12);
    EXPECT_EQ(tail.lines().last(), QStringLiteral("pg_dump: line 19"));
}
