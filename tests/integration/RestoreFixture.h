#pragma once

// The restore tests' fixture: the Supabase fixture, one complete backup of it, its
// fingerprint at backup time and its inventory; helpers to plan and run restores.
#include "BackupStore.h"
#include "BackupTestUtil.h"
#include "Fingerprint.h"
#include "RestoreService.h"
#include <QDir>
#include <QJsonDocument>
#include <QJsonObject>
#include <QFileInfo>
#include <QElapsedTimer>
#include <QTemporaryDir>
#include <QThread>
#include <gtest/gtest.h>

using namespace lifeboat;
using namespace lifeboat::test;

namespace restore_test {

inline QString str(const QStringList &l)
{
    return l.join(u'\n');
}

/// Keys of `fp` whose prefix is one of `prefixes`, and whose name is not in `except`.
inline Fingerprint without(const Fingerprint &fp, const QStringList &exceptKeys)
{
    Fingerprint out;
    for (const auto &[k, v] : fp)
        if (!exceptKeys.contains(k))
            out[k] = v;
    return out;
}

inline Fingerprint only(const Fingerprint &fp, const QStringList &keys)
{
    Fingerprint out;
    for (const auto &[k, v] : fp)
        if (keys.contains(k))
            out[k] = v;
    return out;
}

/// Fingerprint keys that belong to one table: its rows, its sequence, its policies, its triggers.
inline QStringList keysOfTable(const Fingerprint &fp, const QString &table, const QString &sequence)
{
    QStringList keys;
    for (const auto &[k, v] : fp)
        if (k == QStringLiteral("table:") + table || k == QStringLiteral("sequence:") + sequence
            || k.startsWith(QStringLiteral("policy:") + table + u'.') || k.startsWith(QStringLiteral("trigger:") + table + u'.')
            || k == QStringLiteral("rls:") + table)
            keys << k;
    return keys;
}

class Restore : public ::testing::Test
{
protected:
    void SetUp() override
    {
        QString error;
        ASSERT_TRUE(source.setUp(&error)) << error.toStdString();
        backup = runBackup(requestFor(source, out.path()));
        ASSERT_EQ(backup.outcome, BackupOutcome::Complete) << backup.message.toStdString();
        atBackup = fingerprintOf(source.cluster());
        ASSERT_FALSE(atBackup.empty());
        auto inv = await(RestoreService::loadInventory(backup.path));
        ASSERT_TRUE(inv.ok()) << inv.error().toStdString();
        inventory = inv.value();
    }

    Fingerprint fingerprintOf(const TempCluster &c, const QString &db = QStringLiteral("postgres"))
    {
        QString error;
        PgConnection conn = PgConnection::open(c.connection(db), c.password());
        Fingerprint fp = fingerprint(conn, &error);
        EXPECT_FALSE(fp.empty()) << error.toStdString();
        return fp;
    }

    /// The fixture's stack, connected as its superuser (supabase_admin) or as postgres.
    Stack stackAs(const QString &user) const
    {
        Stack s = source.stack();
        s.connection.user = user;
        return s;
    }

    RestoreTarget inPlace(const QString &user = QStringLiteral("supabase_admin")) const
    {
        RestoreTarget t = RestoreService::targetFor(inventory, stackAs(user));
        EXPECT_EQ(t.kind, RestoreTarget::Kind::InPlace);
        return t;
    }

    /// A new database on the fixture's server, created by `user`.
    RestoreTarget intoNewDatabase(const QString &name, const QString &user = QStringLiteral("supabase_admin")) const
    {
        RestoreTarget t;
        t.kind = RestoreTarget::Kind::NewDatabase;
        t.stack = stackAs(user);
        t.newDatabase = name;
        return t;
    }

    static QStringList titlesOf(const RestorePlan &plan)
    {
        QStringList titles;
        for (const RestoreStep &s : plan.steps)
            titles << s.title;
        return titles;
    }

    Credentials credentials() const { return Credentials{source.cluster().password(), {}}; }

    RestoreOptions options() const
    {
        RestoreOptions o;
        o.safetyBackupRoot = safetyRoot.path();
        return o;
    }

    RestorePlan planFor(const QStringList &words, const RestoreTarget &target, const RestoreOptions &o)
    {
        auto sel = RestoreService::parseSelection(*inventory, words);
        EXPECT_TRUE(sel.ok()) << sel.error().toStdString();
        if (!sel.ok())
            return {};
        auto plan = await(RestoreService::plan(PlanInput{inventory, sel.value(), target, o, credentials()}), 60000);
        EXPECT_TRUE(plan.ok()) << plan.error().toStdString();
        return plan.ok() ? plan.value() : RestorePlan{};
    }

    RestoreReport run(const RestorePlan &plan, bool verified = false, QStringList *log = nullptr)
    {
        RestoreRun r;
        r.plan = plan;
        r.credentials = credentials();
        r.verified = verified;
        r.logDir = logs.path();
        auto job = RestoreService::run(r);
        if (log)
            QObject::connect(job.get(), &RestoreJob::logLine, job.get(), [log](const QString &l) { *log << l; });
        return await(job->future(), 300000);
    }

    bool exec(const QString &sql, const QString &db = QStringLiteral("postgres"))
    {
        QString error;
        const bool ok = source.cluster().exec(sql, &error, db);
        EXPECT_TRUE(ok) << error.toStdString();
        return ok;
    }

    SupabaseFixture source;
    QTemporaryDir out, safetyRoot, logs;
    BackupResult backup;
    Fingerprint atBackup;
    InventoryPtr inventory;
};

} // namespace restore_test

using namespace restore_test;
