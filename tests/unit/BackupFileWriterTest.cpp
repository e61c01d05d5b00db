#include "BackupFileWriter.h"
#include "BackupContext.h"
#include "Sha256.h"

#include <QCryptographicHash>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QRandomGenerator>
#include <QTemporaryDir>

#include <gtest/gtest.h>

#include <sys/mman.h>
#include <sys/vfs.h>
#include <unistd.h>

#include <linux/magic.h>

using namespace lifeboat;

namespace {

QByteArray randomBytes(qsizetype size, quint32 seed)
{
    QRandomGenerator gen(seed);
    QByteArray data(size, Qt::Uninitialized);
    gen.fillRange(reinterpret_cast<quint32 *>(data.data()), size / 4);
    return data;
}

// Pages of `path` in the page cache (mincore of a read-only mapping).
qint64 residentBytes(const QString &path)
{
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly))
        return -1;
    const size_t size = size_t(f.size());
    void *map = ::mmap(nullptr, size, PROT_READ, MAP_SHARED, f.handle(), 0);
    if (map == MAP_FAILED)
        return -1;
    const long page = ::sysconf(_SC_PAGESIZE);
    std::vector<unsigned char> vec((size + page - 1) / page);
    qint64 resident = -1;
    if (::mincore(map, size, vec.data()) == 0) {
        resident = 0;
        for (unsigned char v : vec)
            resident += (v & 1) ? page : 0;
    }
    ::munmap(map, size);
    return resident;
}

// Backups go to real disks; the test folder is beside the test binary, not in a tmpfs /tmp.
QString diskFolderTemplate()
{
    return QDir::currentPath() + QStringLiteral("/writer-test-XXXXXX");
}

} // namespace

TEST(BackupFileWriter, WritesTheBytesHashesThemAndKeepsTheFilePrivate)
{
    QTemporaryDir dir(diskFolderTemplate());
    ASSERT_TRUE(dir.isValid());
    const QString path = dir.filePath(QStringLiteral("table.csv"));
    {
        QFile old(path); // a leftover with a wider mode must not keep it
        ASSERT_TRUE(old.open(QIODevice::WriteOnly));
        old.write("old content that must go");
        old.setPermissions(QFile::ReadOwner | QFile::WriteOwner | QFile::ReadOther);
    }
    const QByteArray data = randomBytes(3 * WriteBehind::Window + 12345, 7);
    BackupFileWriter w(path);
    ASSERT_TRUE(w.open()) << w.errorString().toStdString();
    // Uneven pieces, so writes straddle the writeback windows.
    for (qsizetype at = 0, piece = 1; at < data.size(); at += piece, piece = piece * 3 % 1048573 + 1)
        ASSERT_EQ(w.write(data.constData() + at, std::min(piece, data.size() - at)), std::min(piece, data.size() - at));
    ASSERT_TRUE(w.finish()) << w.errorString().toStdString();

    QFile back(path);
    ASSERT_TRUE(back.open(QIODevice::ReadOnly));
    EXPECT_TRUE(back.readAll() == data) << "the file holds exactly the bytes written";
    EXPECT_EQ(w.size(), data.size());
    const QString expected = QString::fromLatin1(QCryptographicHash::hash(data, QCryptographicHash::Sha256).toHex());
    EXPECT_EQ(w.sha256(), expected);
    EXPECT_EQ(Sha256::ofFile(path), expected);
    EXPECT_EQ(QFile::permissions(path), QFile::ReadOwner | QFile::WriteOwner | QFile::ReadUser | QFile::WriteUser);
}

TEST(BackupFileWriter, ALargeFileDoesNotStayInThePageCache)
{
    QTemporaryDir dir(diskFolderTemplate());
    ASSERT_TRUE(dir.isValid());
    struct statfs fs;
    ASSERT_EQ(::statfs(QFile::encodeName(dir.path()).constData(), &fs), 0);
    if (fs.f_type == TMPFS_MAGIC)
        GTEST_SKIP() << dir.path().toStdString() << " is a tmpfs: its pages are the file, nothing can be dropped";

    const QString path = dir.filePath(QStringLiteral("database.sql"));
    const QByteArray block = randomBytes(1 << 20, 11);
    constexpr int Blocks = 96;
    BackupFileWriter w(path);
    ASSERT_TRUE(w.open());
    for (int i = 0; i < Blocks; ++i)
        ASSERT_EQ(w.write(block), block.size());
    ASSERT_TRUE(w.finish());

    // What stays cached: the windows kept behind the writer and the tail not yet written back.
    const qint64 allowed = (WriteBehind::WindowsKept + 2) * WriteBehind::Window;
    const qint64 resident = residentBytes(path);
    ASSERT_GE(resident, 0);
    EXPECT_LE(resident, allowed) << "of " << Blocks << " MB written, " << resident / (1 << 20)
                                 << " MB are still in the page cache";
    EXPECT_EQ(QFileInfo(path).size(), qint64(Blocks) << 20);
}

TEST(BackupFileWriter, AFullDiskIsNamed)
{
    BackupFileWriter w(QStringLiteral("/dev/full"));
    ASSERT_TRUE(w.open()) << w.errorString().toStdString();
    EXPECT_EQ(w.write(QByteArray(4096, 'x')), -1);
    EXPECT_EQ(w.errorString(), QStringLiteral("the disk is full"));
}

TEST(GrowingFileHasher, HashesAFileAnotherWriterIsStillWritingAndPushesItBehind)
{
    QTemporaryDir dir(diskFolderTemplate());
    ASSERT_TRUE(dir.isValid());
    const QString path = dir.filePath(QStringLiteral("database.sql"));
    GrowingFileHasher hasher(path);
    EXPECT_TRUE(hasher.catchUp()) << "a file that does not exist yet is not an error";

    // Another writer (pg_restore in a backup) appends in pieces; the hasher follows.
    const QByteArray data = randomBytes(64 << 20, 3);
    QFile writer(path);
    ASSERT_TRUE(writer.open(QIODevice::WriteOnly | QIODevice::Unbuffered));
    int piece = 0;
    for (qsizetype at = 0; at < data.size(); at += 300000) {
        ASSERT_GT(writer.write(data.constData() + at, std::min<qsizetype>(300000, data.size() - at)), 0);
        if (++piece % 2 == 0) {
            ASSERT_TRUE(hasher.catchUp());
        }
    }
    writer.close();
    ASSERT_TRUE(hasher.finish());
    EXPECT_EQ(hasher.size(), data.size());
    EXPECT_EQ(hasher.sha256(),
              QString::fromLatin1(QCryptographicHash::hash(data, QCryptographicHash::Sha256).toHex()));

    struct statfs fs;
    ASSERT_EQ(::statfs(QFile::encodeName(dir.path()).constData(), &fs), 0);
    if (fs.f_type != TMPFS_MAGIC) {
        const qint64 resident = residentBytes(path);
        EXPECT_LE(resident, (WriteBehind::WindowsKept + 2) * WriteBehind::Window)
            << resident / (1 << 20) << " of 64 MB still in the page cache";
    }
}

TEST(BackupFiles, ObjectsWhoseSafeNamesMeetGetTheirOwnFiles)
{
    FileNamer names;
    EXPECT_EQ(names.take(QStringLiteral("My Schema.a/b")), QStringLiteral("My Schema.a_b"));
    EXPECT_EQ(names.take(QStringLiteral("My Schema.a_b")), QStringLiteral("My Schema.a_b~2"));
    EXPECT_EQ(names.take(QStringLiteral("public.User")), QStringLiteral("public.User"));
    // Apart on this file system, not on a case-blind one (a backup copied to a Mac).
    EXPECT_EQ(names.take(QStringLiteral("public.user")), QStringLiteral("public.user~2"));
    EXPECT_EQ(names.take(QStringLiteral(".hidden")), QStringLiteral("_.hidden"));
}

TEST(BackupFiles, AFileIsNeverWrittenTwiceInOneBackup)
{
    QTemporaryDir dir;
    BackupContext ctx;
    ctx.folder = dir.path();
    ComponentResult result;
    QString error;
    ASSERT_TRUE(ctx.writeFile(result, QStringLiteral("rls_policies/public.a.sql"), "first", false, &error))
        << error.toStdString();
    EXPECT_FALSE(ctx.writeFile(result, QStringLiteral("rls_policies/public.a.sql"), "second", false, &error));
    EXPECT_TRUE(error.contains(QStringLiteral("rls_policies/public.a.sql was already written"))) << error.toStdString();
    QFile f(dir.filePath(QStringLiteral("rls_policies/public.a.sql")));
    ASSERT_TRUE(f.open(QIODevice::ReadOnly));
    EXPECT_EQ(f.readAll(), QByteArray("first"));
    EXPECT_EQ(result.files.size(), 1);
}
