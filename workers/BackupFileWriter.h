#pragma once

#include "Sha256.h"

#include <QIODevice>

namespace lifeboat {

/// A new backup file (0600) written as a stream: hashed (SHA-256) on the way, and pushed to
/// disk behind the writer. Every few MB the written range starts its writeback, and ranges a
/// couple of windows back are waited for and dropped from the page cache.
///
/// Why: backup files are written once and not read again soon. Left in the page cache, a
/// 2 GB backup evicts the developer's working set and leaves 2 GB for the fsync before the
/// final rename; streamed, the cache holds a few MB per file, its pages are reused at once,
/// and the fsync finds almost nothing left to do. Same idea as PostgreSQL's *_flush_after.
class BackupFileWriter final : public QIODevice
{
public:
    BackupFileWriter() = default;
    explicit BackupFileWriter(const QString &path) : m_path(path) {}
    ~BackupFileWriter() override;

    void setFileName(const QString &path) { m_path = path; }
    QString fileName() const { return m_path; }

    /// Creates or truncates the file, owner-only. WriteOnly is the only mode.
    bool open(OpenMode mode = WriteOnly) override;
    /// Starts writeback of what is left and closes the file; false (and errorString()) when
    /// the close reported a write error. The finalizer's fsync makes the file durable.
    bool finish();
    void close() override { finish(); }
    bool isSequential() const override { return true; }

    /// Lower-case hex SHA-256 of everything written; call once, after close().
    QString sha256() { return m_hash.hex(); }
    qint64 size() const { return m_hash.bytes(); }

    /// Bytes per writeback window, and how many windows stay cached behind the writer.
    static constexpr qint64 Window = 8 << 20;
    static constexpr int WindowsKept = 2;

protected:
    qint64 readData(char *, qint64) override { return -1; }
    qint64 writeData(const char *data, qint64 size) override;

private:
    void writeBehind();

    QString m_path;
    int m_fd = -1;
    qint64 m_written = 0;  ///< bytes in the file
    qint64 m_started = 0;  ///< writeback started up to here
    qint64 m_dropped = 0;  ///< on disk and out of the page cache up to here
    Sha256 m_hash;
};

} // namespace lifeboat
