// Runs with DBUS_SESSION_BUS_ADDRESS pointing nowhere: no keychain can answer.
#include "SecretStore.h"
#include "TestUtil.h"

#include <gtest/gtest.h>

using namespace lifeboat;
using namespace lifeboat::test;

TEST(SecretStoreWithoutKeyring, KeepsThePasswordForTheSessionAndSaysSo)
{
    SecretStore store(QStringLiteral("LifeboatTest"));
    const SecretStore::WriteResult w = await(store.storePassword(QStringLiteral("shop"), QStringLiteral("pw-123")));
    EXPECT_FALSE(w.persisted);
    EXPECT_TRUE(w.message.contains(QStringLiteral("this session only"))) << w.message.toStdString();
    EXPECT_TRUE(w.message.contains(QStringLiteral("shop"))) << w.message.toStdString();
    EXPECT_TRUE(w.message.contains(QStringLiteral(".pgpass"))) << "names a fix";
    EXPECT_FALSE(w.message.contains(QStringLiteral("pw-123")));
    EXPECT_TRUE(store.keychainUnavailable());

    const SecretStore::ReadResult r = await(store.readPassword(QStringLiteral("shop")));
    ASSERT_TRUE(r.password.has_value());
    EXPECT_EQ(*r.password, QStringLiteral("pw-123"));

    SecretStore fresh(QStringLiteral("LifeboatTest"));
    const SecretStore::ReadResult gone = await(fresh.readPassword(QStringLiteral("shop")));
    EXPECT_FALSE(gone.password.has_value()) << "nothing was persisted anywhere";
    EXPECT_FALSE(gone.keychainProblem.isEmpty());

    EXPECT_TRUE(await(store.removePassword(QStringLiteral("shop"))).ok());
    EXPECT_FALSE(await(store.readPassword(QStringLiteral("shop"))).password.has_value());
}
