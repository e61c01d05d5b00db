// Progress as a person watching the bars sees it.
#include "BackupTestUtil.h"

#include <QHash>
#include <QTemporaryDir>

#include <gtest/gtest.h>

using namespace lifeboat;
using namespace lifeboat::test;

TEST(BackupProgress, EachBarOnlyMovesForwardAndTheDatabaseBarMovesWhileItsBigTableIsDumped)
{
    SupabaseFixture source;
    QString error;
    ASSERT_TRUE(source.setUp(&error)) << error.toStdString();
    ASSERT_NO_FATAL_FAILURE(growFixture(source, 600000)); // public.bulk: most of the database
    QTemporaryDir out;
    struct Report
    {
        qint64 done, total;
        QString item;
    };
    QHash<QString, QList<Report>> reports;
    std::shared_ptr<BackupJob> job = BackupEngine::start(requestFor(source, out.path()));
    QObject::connect(job.get(),
                     &BackupJob::componentProgress,
                     job.get(),
                     [&](const QString &c, qint64 done, qint64 total, const QString &item) {
                         reports[c] << Report{done, total, item};
                     });
    const BackupResult r = await(job->future(), 300000);
    ASSERT_EQ(r.outcome, BackupOutcome::Complete) << r.message.toStdString();

    for (const QString &c : {QString(Component::Database), QString(Component::DataCsv)}) {
        const QList<Report> &seen = reports.value(c);
        ASSERT_FALSE(seen.isEmpty()) << c.toStdString();
        for (qsizetype i = 1; i < seen.size(); ++i) {
            EXPECT_GE(seen[i].done, seen[i - 1].done) << c.toStdString() << " went back at report " << i;
            EXPECT_EQ(seen[i].total, seen[0].total) << c.toStdString();
        }
        EXPECT_EQ(seen.last().done, seen.last().total) << c.toStdString() << " did not end full";
    }
    // pg_dump names a table only as it starts it: the bar must not stand still for the seconds
    // the big table takes, but cross most of its width meanwhile.
    QList<double> during;
    for (const Report &rep : reports.value(Component::Database))
        if (rep.item == QLatin1String("public.bulk"))
            during << double(rep.done) / double(rep.total);
    ASSERT_GE(during.size(), 3) << "reports while public.bulk was dumped: " << during.size();
    EXPECT_GT(during.last() - during.first(), 0.4) << during.first() << " to " << during.last();
}
