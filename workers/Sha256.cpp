#include "Sha256.h"

#include <QFile>

#include <openssl/evp.h>

namespace lifeboat {

struct Sha256::Private
{
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    ~Private() { EVP_MD_CTX_free(ctx); }
};

Sha256::Sha256()
    : d(std::make_unique<Private>())
{
    EVP_DigestInit_ex(d->ctx, EVP_sha256(), nullptr);
}

Sha256::~Sha256() = default;

void Sha256::update(const char *data, qsizetype size)
{
    EVP_DigestUpdate(d->ctx, data, size_t(size));
    m_bytes += size;
}

QString Sha256::hex()
{
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int length = 0;
    EVP_DigestFinal_ex(d->ctx, digest, &length);
    return QString::fromLatin1(QByteArray(reinterpret_cast<const char *>(digest), int(length)).toHex());
}

QString Sha256::ofFile(const QString &path, qint64 *size, const std::atomic_bool *stop)
{
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly))
        return {};
    Sha256 hash;
    QByteArray buffer(1 << 20, Qt::Uninitialized);
    for (;;) {
        if (stop && stop->load())
            return {};
        const qint64 n = f.read(buffer.data(), buffer.size());
        if (n < 0)
            return {};
        if (n == 0)
            break;
        hash.update(buffer.constData(), n);
    }
    if (size)
        *size = hash.bytes();
    return hash.hex();
}

} // namespace lifeboat
