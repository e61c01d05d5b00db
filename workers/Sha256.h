#pragma once

#include <QByteArray>
#include <QString>

#include <atomic>
#include <memory>

namespace lifeboat {

/// Incremental SHA-256 (OpenSSL, so the CPU's SHA extensions are used), for hashing data
/// while it is written instead of reading it back.
class Sha256
{
public:
    Sha256();
    ~Sha256();
    Sha256(const Sha256 &) = delete;
    Sha256 &operator=(const Sha256 &) = delete;

    void update(const char *data, qsizetype size);
    void update(const QByteArray &data) { update(data.constData(), data.size()); }
    /// Lower-case hex; the object is spent afterwards.
    QString hex();
    qint64 bytes() const { return m_bytes; }

    /// SHA-256 of a whole file, streamed; empty on a read error, or when `stop` turns true
    /// (checked between 1 MiB reads).
    static QString ofFile(const QString &path, qint64 *size = nullptr, const std::atomic_bool *stop = nullptr);

private:
    struct Private;
    std::unique_ptr<Private> d;
    qint64 m_bytes = 0;
};

} // namespace lifeboat
