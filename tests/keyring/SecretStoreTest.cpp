// Runs inside a private session bus with a real, unlocked GNOME Keyring (support/with-keyring.sh).
#include "SecretStore.h"
#include "StackCatalog.h"
#include "StackService.h"
#include "TempCluster.h"
#include "TestUtil.h"

#include <QDirIterator>
#include <QFile>
#include <QFileInfo>
#include <QProcess>
#include <QTemporaryDir>

#include <gtest/gtest.h>

using namespace lifeboat;
using namespace lifeboat::test;

TEST(SecretStoreKeyring, StoresReadsAndRemovesAPassword)
{
    ASSERT_FALSE(qEnvironmentVariableIsEmpty("DBUS_SESSION_BUS_ADDRESS")) << "run through with-keyring.sh";
    SecretStore store(QStringLiteral("LifeboatTest"));
    const SecretStore::WriteResult w = await(store.storePassword(QStringLiteral("shop"), QStringLiteral("s3cr3t-Ü")));
    ASSERT_TRUE(w.persisted) << w.message.toStdString();
    EXPECT_TRUE(w.message.isEmpty());

    // A second store object (a new process, in effect) finds it in the keychain.
    SecretStore other(QStringLiteral("LifeboatTest"));
    const SecretStore::ReadResult r = await(other.readPassword(QStringLiteral("shop")));
    ASSERT_TRUE(r.password.has_value()) << r.keychainProblem.toStdString();
    EXPECT_EQ(*r.password, QStringLiteral("s3cr3t-Ü"));
    EXPECT_FALSE(other.keychainUnavailable());

    const SecretStore::ReadResult none = await(other.readPassword(QStringLiteral("nobody")));
    EXPECT_FALSE(none.password.has_value());
    EXPECT_TRUE(none.keychainProblem.isEmpty()) << "a missing entry is not a keychain problem";

    EXPECT_TRUE(await(other.removePassword(QStringLiteral("shop"))).ok());
    EXPECT_FALSE(await(store.readPassword(QStringLiteral("shop"))).password.has_value());
}

TEST(SecretStoreKeyring, ProfilePasswordFromTheKeychainOpensTheDatabase)
{
    TempCluster cluster;
    QString error;
    ASSERT_TRUE(cluster.start(&error)) << error.toStdString();

    QTemporaryDir settingsDir;
    const QString ini = settingsDir.filePath(QStringLiteral("lifeboat.conf"));
    {
        StackCatalog catalog(ini);
        SecretStore secrets(QStringLiteral("LifeboatTest"));
        StackService service(&catalog, &secrets);
        Stack profile;
        profile.name = QStringLiteral("keyring-db");
        profile.connection = cluster.connection();
        const SecretStore::WriteResult w = await(service.addProfile(profile, cluster.password()));
        ASSERT_TRUE(w.persisted) << w.message.toStdString();
    }

    // Fresh objects, as after a restart: the password comes back from the keychain.
    StackCatalog catalog(ini);
    SecretStore secrets(QStringLiteral("LifeboatTest"));
    StackService service(&catalog, &secrets);
    const QList<Stack> stacks = await(service.loadStacks());
    ASSERT_EQ(stacks.size(), 1);
    const StackStatus status = await(service.probe(stacks.first()));
    EXPECT_EQ(status.state, StackStatus::State::Up) << status.detail.toStdString();

    // The password is in no file Lifeboat wrote.
    QDirIterator it(settingsDir.path(), QDir::Files, QDirIterator::Subdirectories);
    while (it.hasNext()) {
        QFile f(it.next());
        ASSERT_TRUE(f.open(QIODevice::ReadOnly));
        EXPECT_FALSE(f.readAll().contains(cluster.password().toUtf8())) << f.fileName().toStdString();
    }
}

TEST(SecretStoreKeyring, CliSavesAPasswordReadFromStdinInTheKeychain)
{
    TempCluster cluster;
    QString error;
    ASSERT_TRUE(cluster.start(&error)) << error.toStdString();
    QProcess cli;
    cli.start(QStringLiteral(LIFEBOAT_CLI_PATH),
              {QStringLiteral("profile"), QStringLiteral("add"), QStringLiteral("cli-db"), QStringLiteral("--port"),
               QString::number(cluster.port()), QStringLiteral("--password-stdin")});
    cli.write(cluster.password().toUtf8() + '\n');
    cli.closeWriteChannel();
    ASSERT_TRUE(cli.waitForFinished(30000));
    EXPECT_EQ(cli.exitCode(), 0) << cli.readAllStandardError().toStdString();

    QByteArray out, err;
    ASSERT_EQ(runProgram(QStringLiteral(LIFEBOAT_CLI_PATH), {QStringLiteral("stacks"), QStringLiteral("--json")}, &out,
                         &err),
              0)
        << err.toStdString();
    EXPECT_TRUE(out.contains("\"status\": \"up\"")) << out.toStdString();
    EXPECT_FALSE(out.contains(cluster.password().toUtf8()));

    // A URL that reaches the profile's server, database and user is that profile: the backup
    // takes its password from the keychain (no PGPASSWORD, no password file here) and goes
    // into the profile's folder, where Lifeboat's History for it looks.
    QTemporaryDir root;
    ASSERT_EQ(runProgram(QStringLiteral(LIFEBOAT_CLI_PATH),
                         {QStringLiteral("backup"),
                          QStringLiteral("--dsn"),
                          QStringLiteral("postgresql://postgres@localhost:%1/postgres").arg(cluster.port()),
                          QStringLiteral("--out"),
                          root.path(),
                          QStringLiteral("--components"),
                          QStringLiteral("functions")},
                         &out,
                         &err),
              0)
        << err.toStdString();
    EXPECT_EQ(QFileInfo(QString::fromUtf8(out.trimmed())).absolutePath(), root.path() + QStringLiteral("/cli-db"))
        << out.toStdString();
    EXPECT_TRUE(err.contains("is the profile \"cli-db\"")) << err.toStdString();
    EXPECT_FALSE(err.contains(cluster.password().toUtf8()));
}
