#include "BackupFileWriter.h"

#include <QByteArray>
#include <QFile>

#include <cerrno>
#include <cstring>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace lifeboat {

namespace {

QString writeErrorText(int error)
{
    return error == ENOSPC ? QStringLiteral("the disk is full") : QString::fromLocal8Bit(std::strerror(error));
}

} // namespace

void WriteBehind::advance(int fd, qint64 written)
{
    if (written - m_started < Window)
        return;
    ::sync_file_range(fd, m_started, written - m_started, SYNC_FILE_RANGE_WRITE);
    m_started = written;
    const qint64 keepFrom = m_started - WindowsKept * Window;
    if (keepFrom - m_dropped < Window)
        return;
    // Wait for the old range's writeback, then let its pages go (only clean pages can go).
    ::sync_file_range(fd, m_dropped, keepFrom - m_dropped,
                      SYNC_FILE_RANGE_WAIT_BEFORE | SYNC_FILE_RANGE_WRITE | SYNC_FILE_RANGE_WAIT_AFTER);
    ::posix_fadvise(fd, m_dropped, keepFrom - m_dropped, POSIX_FADV_DONTNEED);
    m_dropped = keepFrom;
}

void WriteBehind::finish(int fd, qint64 written)
{
    if (written > m_started)
        ::sync_file_range(fd, m_started, 0, SYNC_FILE_RANGE_WRITE);
    m_started = written;
}

BackupFileWriter::~BackupFileWriter()
{
    if (m_fd >= 0)
        finish();
}

bool BackupFileWriter::open(OpenMode mode)
{
    if (m_fd >= 0 || mode != WriteOnly) {
        setErrorString(QStringLiteral("%1: only opened once, write-only").arg(m_path));
        return false;
    }
    m_fd = ::open(QFile::encodeName(m_path).constData(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (m_fd < 0) {
        setErrorString(QString::fromLocal8Bit(std::strerror(errno)));
        return false;
    }
    struct stat st;
    if (::fstat(m_fd, &st) == 0 && S_ISREG(st.st_mode))
        ::fchmod(m_fd, 0600); // an existing file keeps its mode through O_CREAT
    return QIODevice::open(mode | Unbuffered);
}

qint64 BackupFileWriter::writeData(const char *data, qint64 size)
{
    qint64 done = 0;
    while (done < size) {
        const ssize_t n = ::write(m_fd, data + done, size_t(size - done));
        if (n < 0) {
            if (errno == EINTR)
                continue;
            setErrorString(writeErrorText(errno));
            return -1;
        }
        done += n;
    }
    m_hash.update(data, size);
    m_behind.advance(m_fd, m_hash.bytes());
    return size;
}

bool BackupFileWriter::finish()
{
    bool ok = true;
    if (m_fd >= 0) {
        m_behind.finish(m_fd, m_hash.bytes());
        if (::close(m_fd) != 0) {
            setErrorString(writeErrorText(errno));
            ok = false;
        }
        m_fd = -1;
    }
    if (isOpen())
        QIODevice::close();
    return ok;
}

GrowingFileHasher::~GrowingFileHasher()
{
    if (m_fd >= 0)
        ::close(m_fd);
}

bool GrowingFileHasher::catchUp()
{
    if (m_fd < 0) {
        m_fd = ::open(QFile::encodeName(m_path).constData(), O_RDONLY | O_CLOEXEC);
        if (m_fd < 0)
            return errno == ENOENT;
    }
    if (m_buffer.isEmpty())
        m_buffer.resize(1 << 20);
    for (;;) {
        const ssize_t n = ::read(m_fd, m_buffer.data(), size_t(m_buffer.size()));
        if (n < 0) {
            if (errno == EINTR)
                continue;
            return false;
        }
        if (n == 0)
            return true;
        m_hash.update(m_buffer.constData(), n);
        m_behind.advance(m_fd, m_hash.bytes());
        if (m_reader)
            m_reader(QByteArrayView(m_buffer.constData(), n));
    }
}

bool GrowingFileHasher::finish()
{
    if (!catchUp() || m_fd < 0)
        return false;
    m_behind.finish(m_fd, m_hash.bytes());
    ::close(m_fd);
    m_fd = -1;
    return true;
}

} // namespace lifeboat
