#include "ProcessSetup.h"

#include <openssl/crypto.h>

#include <csignal>

namespace lifeboat {

void prepareProcess()
{
    std::signal(SIGPIPE, SIG_IGN);
    std::signal(SIGXFSZ, SIG_IGN);
    // Only the first initialisation decides whether OpenSSL registers its atexit cleanup.
    OPENSSL_init_crypto(OPENSSL_INIT_NO_ATEXIT, nullptr);
}

} // namespace lifeboat
