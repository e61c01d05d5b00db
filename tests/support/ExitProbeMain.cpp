// lifeboat-exit-probe [--without-setup] FILE: hashes FILE on Lifeboat's worker threads, as a
// backup does, and ends as the programs do: the pool's threads end as the application object
// goes, then main() returns. Its last exit handler (registered before anything else, so it runs
// after every other) asks whether OpenSSL is still whole by then: exit status 0 when it is,
// 3 when OpenSSL cleaned itself up at exit, under threads that may still be ending (the race
// ProcessSetup.h describes), 1 when the file could not be hashed. --without-setup leaves out
// prepareProcess(), to show the probe tells the two apart.
#include "ProcessSetup.h"
#include "Sha256.h"
#include "WorkerThreads.h"

#include <QCoreApplication>
#include <QFuture>
#include <QtConcurrent/QtConcurrentRun>

#include <openssl/crypto.h>

#include <cstdlib>
#include <cstring>

#include <unistd.h>

namespace {

bool hashFailed = false;

void reportOpenSsl()
{
    ::_exit(hashFailed ? 1 : OPENSSL_init_crypto(0, nullptr) == 1 ? 0 : 3);
}

} // namespace

int main(int argc, char **argv)
{
    std::atexit(reportOpenSsl);
    const bool setup = !(argc > 1 && std::strcmp(argv[1], "--without-setup") == 0);
    if (setup)
        lifeboat::prepareProcess();
    QCoreApplication app(argc, argv);
    const QString file = app.arguments().constLast();
    QList<QFuture<QString>> hashes;
    for (int i = 0; i < 4; ++i)
        hashes << QtConcurrent::run(lifeboat::WorkerThreads::pool(), [file] { return lifeboat::Sha256::ofFile(file); });
    for (QFuture<QString> &h : hashes)
        hashFailed = hashFailed || h.result().isEmpty();
    return 0;
}
