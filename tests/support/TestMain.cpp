// The main() of every test binary: the applications' own process setup, a private HOME and
// XDG folders (settings, data and the keychain's files never touch the developer's), no
// inherited libpq variables, then the Qt application object (QApplication on the offscreen
// platform for GUI tests). A test program that crashes prints where, so that a crash seen once
// in CI can be understood from its log.
#include "ProcessSetup.h"

#include <QDir>
#include <QTemporaryDir>

#ifdef LIFEBOAT_GUI_TESTS
#include <QApplication>
#else
#include <QCoreApplication>
#endif

#include <gtest/gtest.h>

#include <csignal>
#include <cstdlib>

#include <execinfo.h>
#include <unistd.h>

namespace {

void printBacktraceAndDie(int signalNumber)
{
    static const char Head[] = "\n*** Fatal signal; the stack of the thread that received it:\n";
    (void)!::write(STDERR_FILENO, Head, sizeof Head - 1);
    void *frames[64];
    ::backtrace_symbols_fd(frames, ::backtrace(frames, 64), STDERR_FILENO);
    std::signal(signalNumber, SIG_DFL);
    std::raise(signalNumber);
}

void printBacktraceOnCrash()
{
    void *warmUp[1];
    ::backtrace(warmUp, 1); // loads the unwinder now, not inside the handler
    for (int s : {SIGSEGV, SIGABRT, SIGBUS, SIGFPE, SIGILL})
        std::signal(s, printBacktraceAndDie);
}

} // namespace

int main(int argc, char **argv)
{
    lifeboat::prepareProcess();
    printBacktraceOnCrash();
    QTemporaryDir home(QDir::tempPath() + QStringLiteral("/lifeboat-test-home-XXXXXX"));
    if (!home.isValid())
        return 3;
    const QByteArray h = QFile::encodeName(home.path());
    for (const char *sub : {"/config", "/data", "/cache", "/runtime"})
        QDir().mkpath(home.path() + QLatin1String(sub));
    QFile::setPermissions(home.path() + QStringLiteral("/runtime"),
                          QFile::ReadOwner | QFile::WriteOwner | QFile::ExeOwner);
    qputenv("HOME", h);
    qputenv("XDG_CONFIG_HOME", h + "/config");
    qputenv("XDG_DATA_HOME", h + "/data");
    qputenv("XDG_CACHE_HOME", h + "/cache");
    qputenv("XDG_RUNTIME_DIR", h + "/runtime");
    for (const char *var : {"PGPASSWORD", "PGPASSFILE", "PGHOST", "PGPORT", "PGUSER", "PGDATABASE", "PGSERVICE"})
        qunsetenv(var);

#ifdef LIFEBOAT_GUI_TESTS
    if (qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM"))
        qputenv("QT_QPA_PLATFORM", "offscreen");
    QApplication app(argc, argv);
#else
    QCoreApplication app(argc, argv);
#endif
    QCoreApplication::setOrganizationName(QStringLiteral("Lifeboat"));
    QCoreApplication::setApplicationName(QStringLiteral("lifeboat"));

    ::testing::InitGoogleTest(&argc, argv);
    return RUN_ALL_TESTS();
}
