// How a Lifeboat program ends once its backup is written: the worker threads that hashed the
// files end as the application object goes, some of them still ending as main() returns.
// OpenSSL's own exit-time cleanup freed their state under them now and then ("double free or
// corruption" and exit status 134 after a backup had finished well); prepareProcess() turns
// that cleanup off. The probe hashes on the worker threads and reports, from the very last
// exit handler, whether OpenSSL cleaned up at exit.
#include "TestUtil.h"

#include <QTemporaryDir>

#include <gtest/gtest.h>

using namespace lifeboat::test;

TEST(ProcessSetup, OpenSslIsNotCleanedUpUnderTheThreadsThatEndAsAProgramExits)
{
    QTemporaryDir dir;
    ASSERT_TRUE(dir.isValid());
    const QString file = dir.filePath(QStringLiteral("data.bin"));
    ASSERT_TRUE(writeFile(file, QByteArray(4 << 20, 'x')));

    QByteArray out, err;
    EXPECT_EQ(runProgram(QStringLiteral(LIFEBOAT_EXIT_PROBE_PATH), {file}, &out, &err), 0) << err.toStdString();
    // The probe can tell: without the setup, OpenSSL's cleanup has run when the program ends.
    EXPECT_EQ(
        runProgram(QStringLiteral(LIFEBOAT_EXIT_PROBE_PATH), {QStringLiteral("--without-setup"), file}, &out, &err), 3)
        << err.toStdString();
}
