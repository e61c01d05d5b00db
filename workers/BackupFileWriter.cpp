#include "BackupFileWriter.h"

#include <QFile>

#include <cerrno>
#include <cstring>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace lifeboat {

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
            setErrorString(errno == ENOSPC ? QStringLiteral("the disk is full")
                                           : QString::fromLocal8Bit(std::strerror(errno)));
            return -1;
        }
        done += n;
    }
    m_hash.update(data, size);
    m_written += size;
    writeBehind();
    return size;
}

void BackupFileWriter::writeBehind()
{
    if (m_written - m_started < Window)
        return;
    ::sync_file_range(m_fd, m_started, m_written - m_started, SYNC_FILE_RANGE_WRITE);
    m_started = m_written;
    const qint64 keepFrom = m_started - WindowsKept * Window;
    if (keepFrom - m_dropped < Window)
        return;
    // Wait for the old range's writeback, then let its pages go (clean pages only can go).
    ::sync_file_range(m_fd, m_dropped, keepFrom - m_dropped,
                      SYNC_FILE_RANGE_WAIT_BEFORE | SYNC_FILE_RANGE_WRITE | SYNC_FILE_RANGE_WAIT_AFTER);
    ::posix_fadvise(m_fd, m_dropped, keepFrom - m_dropped, POSIX_FADV_DONTNEED);
    m_dropped = keepFrom;
}

bool BackupFileWriter::finish()
{
    bool ok = true;
    if (m_fd >= 0) {
        if (m_written > m_started)
            ::sync_file_range(m_fd, m_started, 0, SYNC_FILE_RANGE_WRITE);
        if (::close(m_fd) != 0) {
            setErrorString(errno == ENOSPC ? QStringLiteral("the disk is full")
                                           : QString::fromLocal8Bit(std::strerror(errno)));
            ok = false;
        }
        m_fd = -1;
    }
    if (isOpen())
        QIODevice::close();
    return ok;
}

} // namespace lifeboat
