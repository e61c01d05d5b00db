#pragma once

#include "Sha256.h"

#include <QIODevice>

#include <functional>

namespace lifeboat {

/// Pushes a file that is being written sequentially to disk behind the writer: every window
/// of new bytes starts its writeback, and ranges a couple of windows back are waited for and
/// dropped from the page cache. Works on any descriptor of the file, so it also serves files
/// a child process writes.
///
/// Why: backup files are written once and not read again soon. Left in the page cache, a
/// 2 GB backup evicts the developer's working set and leaves 2 GB for the fsync before the
/// final rename; pushed behind, the cache holds a few MB per file, its pages are reused at
/// once, and the fsync finds almost nothing left to do. Same idea as PostgreSQL's
/// *_flush_after.
class WriteBehind
{
public:
    /// Bytes per writeback window, and how many windows stay cached behind the writer.
    static constexpr qint64 Window = 8 << 20;
    static constexpr int WindowsKept = 2;

    /// The first `written` bytes of the file behind `fd` are complete.
    void advance(int fd, qint64 written);
    /// Starts writeback of whatever is left (the finalizer's fsync makes it durable).
    void finish(int fd, qint64 written);

private:
    qint64 m_started = 0; ///< writeback started up to here
    qint64 m_dropped = 0; ///< on disk and out of the page cache up to here
};

/// A new backup file (0600) written as a stream: hashed (SHA-256) on the way and pushed to
/// disk behind the writer (WriteBehind).
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

    /// Lower-case hex SHA-256 of everything written; call once, after finish().
    QString sha256() { return m_hash.hex(); }
    qint64 size() const { return m_hash.bytes(); }

protected:
    qint64 readData(char *, qint64) override { return -1; }
    qint64 writeData(const char *data, qint64 size) override;

private:
    QString m_path;
    int m_fd = -1;
    WriteBehind m_behind;
    Sha256 m_hash;
};

/// Hashes a file another process is writing sequentially, as it grows, and pushes it to disk
/// behind that process (WriteBehind): the file is never read back at the end.
class GrowingFileHasher
{
public:
    explicit GrowingFileHasher(const QString &path) : m_path(path) {}
    ~GrowingFileHasher();
    GrowingFileHasher(const GrowingFileHasher &) = delete;
    GrowingFileHasher &operator=(const GrowingFileHasher &) = delete;

    /// Reads and hashes whatever has been added since the last call (nothing while the file
    /// does not exist yet). False on a read error.
    bool catchUp();
    /// After the writer has finished: catches up to the end and closes.
    bool finish();
    /// Also hands every byte read, in order, to `reader`.
    void setReader(std::function<void(QByteArrayView)> reader) { m_reader = std::move(reader); }

    QString sha256() { return m_hash.hex(); }
    qint64 size() const { return m_hash.bytes(); }

private:
    QString m_path;
    int m_fd = -1;
    WriteBehind m_behind;
    Sha256 m_hash;
    QByteArray m_buffer;
    std::function<void(QByteArrayView)> m_reader;
};

} // namespace lifeboat
