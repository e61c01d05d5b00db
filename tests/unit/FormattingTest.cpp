#include "BackupHistoryModel.h"
#include "ToolProcess.h"

#include <gtest/gtest.h>

using namespace lifeboat;

TEST(Formatting, DurationsReadAsSecondsThenMinutes)
{
    EXPECT_EQ(formatDuration(4200), QStringLiteral("4.2 s"));
    EXPECT_EQ(formatDuration(185000), QStringLiteral("3 min 05 s"));
}

TEST(Formatting, TimeLeftIsAnEstimateOnlyWithEnoughDoneAndNeverZeroSeconds)
{
    // Too little done to extrapolate from, or nothing left.
    EXPECT_EQ(formatTimeLeft(2000, 30), QString());
    EXPECT_EQ(formatTimeLeft(9000, 1000), QString());
    // 10 s for the first half: about 10 s more.
    EXPECT_EQ(formatTimeLeft(10000, 500), QStringLiteral("about 10.0 s left"));
    EXPECT_EQ(formatTimeLeft(60000, 250), QStringLiteral("about 3 min 00 s left"));
    // Under a second left reads as such, not "about 0.0 s left".
    EXPECT_EQ(formatTimeLeft(300, 830), QStringLiteral("almost done"));
    EXPECT_EQ(formatTimeLeft(9000, 999), QStringLiteral("almost done"));
}

TEST(Formatting, AToolsFailureIsItsErrorLinesNotItsProgress)
{
    const QStringList tail{
        QStringLiteral("pg_dump: last built-in OID is 16383"),
        QStringLiteral("pg_dump: reading extensions"),
        QStringLiteral("pg_dump: error: query failed: ERROR:  relation \"public.victim\" does not exist"),
        QStringLiteral("pg_dump: detail: Query was: LOCK TABLE public.victim IN ACCESS SHARE MODE")};
    EXPECT_EQ(failureText(tail), tail.mid(2).join(u'\n'));
    // Without an error line, all of it is what there is to show.
    EXPECT_EQ(failureText(tail.mid(0, 2)), tail.mid(0, 2).join(u'\n'));
}
