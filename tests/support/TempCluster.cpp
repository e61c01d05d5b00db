#include "TempCluster.h"

#include <QCoreApplication>
#include <QDir>
#include <QFile>
#include <QProcess>
#include <QRandomGenerator>
#include <QStandardPaths>
#include <QTemporaryDir>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <pwd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>

namespace lifeboat::test {

namespace {

bool runningAsRoot()
{
    return ::geteuid() == 0;
}

int freePort()
{
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0)
        return 0;
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = 0;
    int port = 0;
    socklen_t len = sizeof addr;
    if (::bind(fd, reinterpret_cast<sockaddr *>(&addr), sizeof addr) == 0
        && ::getsockname(fd, reinterpret_cast<sockaddr *>(&addr), &len) == 0)
        port = ntohs(addr.sin_port);
    ::close(fd);
    return port;
}

bool chownToPostgres(const QString &path)
{
    const passwd *pw = ::getpwnam("postgres");
    if (!pw)
        return false;
    return ::chown(QFile::encodeName(path).constData(), pw->pw_uid, pw->pw_gid) == 0;
}

QString randomPassword()
{
    QString s = QStringLiteral("lbpw-");
    for (int i = 0; i < 4; ++i)
        s += QString::number(QRandomGenerator::global()->generate(), 16);
    return s;
}

} // namespace

TempCluster::TempCluster()
    : TempCluster(Options{})
{}

TempCluster::TempCluster(Options options)
    : m_options(std::move(options))
    , m_password(randomPassword())
{}

TempCluster::~TempCluster()
{
    if (m_options.keep)
        return;
    stop();
    if (!m_dir.isEmpty())
        QDir(m_dir).removeRecursively();
}

QString TempCluster::binDir()
{
    const QString overridden = qEnvironmentVariable("LIFEBOAT_PG_BINDIR");
    if (!overridden.isEmpty())
        return overridden;
    QDir root(QStringLiteral("/usr/lib/postgresql"));
    QStringList versions = root.entryList(QDir::Dirs | QDir::NoDotAndDotDot);
    std::sort(versions.begin(), versions.end(), [](const QString &a, const QString &b) { return a.toInt() > b.toInt(); });
    for (const QString &v : versions)
        if (QFile::exists(root.filePath(v + QStringLiteral("/bin/initdb"))))
            return root.filePath(v + QStringLiteral("/bin"));
    return QFileInfo(QStandardPaths::findExecutable(QStringLiteral("initdb"))).absolutePath();
}

QString TempCluster::dataDir() const
{
    return m_dir + QStringLiteral("/data");
}

QString TempCluster::pgpassFile() const
{
    return m_dir + QStringLiteral("/pgpass");
}

bool TempCluster::runServerTool(const QStringList &command, QString *output) const
{
    QProcess p;
    p.setWorkingDirectory(m_dir); // the postgres user must be able to stand in the cwd
    p.setProcessChannelMode(QProcess::MergedChannels);
    QStringList args = command;
    QString program = args.takeFirst();
    if (runningAsRoot()) {
        args = QStringList{QStringLiteral("-u"), QStringLiteral("postgres"), QStringLiteral("--"), program} + args;
        program = QStringLiteral("runuser");
    }
    p.start(program, args);
    const bool finished = p.waitForFinished(120000);
    if (output)
        *output = QString::fromLocal8Bit(p.readAll());
    return finished && p.exitStatus() == QProcess::NormalExit && p.exitCode() == 0;
}

bool TempCluster::start(QString *error)
{
    const QString base = m_options.baseDir.isEmpty() ? QDir::tempPath() : m_options.baseDir;
    QTemporaryDir tmp(base + QStringLiteral("/lifeboat-pg-XXXXXX"));
    if (!tmp.isValid()) {
        *error = QStringLiteral("cannot create a cluster folder in %1: %2").arg(base, tmp.errorString());
        return false;
    }
    tmp.setAutoRemove(false);
    m_dir = tmp.path();
    QFile::setPermissions(m_dir, QFile::ReadOwner | QFile::WriteOwner | QFile::ExeOwner);

    const QString pwfile = m_dir + QStringLiteral("/pwfile");
    {
        QFile f(pwfile);
        if (!f.open(QIODevice::WriteOnly) || f.write(m_password.toUtf8() + '\n') < 0) {
            *error = QStringLiteral("cannot write %1").arg(pwfile);
            return false;
        }
        f.setPermissions(QFile::ReadOwner | QFile::WriteOwner);
    }
    {
        QFile f(pgpassFile());
        if (!f.open(QIODevice::WriteOnly)) {
            *error = QStringLiteral("cannot write %1").arg(pgpassFile());
            return false;
        }
        f.setPermissions(QFile::ReadOwner | QFile::WriteOwner);
        f.write(QStringLiteral("*:*:*:*:%1\n").arg(m_password).toUtf8());
    }
    if (runningAsRoot() && !(chownToPostgres(m_dir) && chownToPostgres(pwfile))) {
        *error = QStringLiteral("cannot hand %1 to the postgres user (is postgresql installed?)").arg(m_dir);
        return false;
    }

    QString out;
    const QStringList initdb{binDir() + QStringLiteral("/initdb"), QStringLiteral("-D"), dataDir(),
                             QStringLiteral("-U"), m_options.superuser, QStringLiteral("--pwfile=") + pwfile,
                             QStringLiteral("--auth=scram-sha-256"), QStringLiteral("-E"), QStringLiteral("UTF8"),
                             QStringLiteral("--locale=C.UTF-8"), QStringLiteral("-N")};
    if (!runServerTool(initdb, &out)) {
        *error = QStringLiteral("initdb failed:\n") + out;
        return false;
    }
    QFile::remove(pwfile);
    if (!startServer(error))
        return false;
    if (!m_options.keep)
        startWatchdog();
    return true;
}

bool TempCluster::startServer(QString *error)
{
    QString out;
    for (int attempt = 0; attempt < 5; ++attempt) {
        if (m_port == 0 || attempt > 0)
            m_port = freePort();
        const QString opts
            = QStringLiteral("-p %1 -k %2 -c listen_addresses=127.0.0.1 -c fsync=off "
                             "-c synchronous_commit=off -c full_page_writes=off -c max_connections=60 "
                             // as a local Supabase runs (realtime publishes logical changes)
                             "-c wal_level=logical")
                  .arg(m_port)
                  .arg(m_options.extraSocketDir.isEmpty() ? m_dir : m_dir + u',' + m_options.extraSocketDir);
        const QStringList pgctl{binDir() + QStringLiteral("/pg_ctl"), QStringLiteral("-D"), dataDir(),
                                QStringLiteral("-l"), m_dir + QStringLiteral("/server.log"), QStringLiteral("-o"),
                                opts, QStringLiteral("-w"), QStringLiteral("-t"), QStringLiteral("60"),
                                QStringLiteral("start")};
        if (runServerTool(pgctl, &out)) {
            m_running = true;
            return true;
        }
    }
    QFile log(m_dir + QStringLiteral("/server.log"));
    log.open(QIODevice::ReadOnly);
    *error = QStringLiteral("pg_ctl start failed:\n%1\n%2").arg(out, QString::fromUtf8(log.readAll().right(2000)));
    return false;
}

void TempCluster::startWatchdog()
{
    // Outlives this process if it is killed: stops the server and removes the folder.
    const QString pgctl = binDir() + QStringLiteral("/pg_ctl");
    QString stop = QStringLiteral("'%1' -D '%2' stop -m immediate").arg(pgctl, dataDir());
    if (runningAsRoot())
        stop = QStringLiteral("runuser -u postgres -- ") + stop;
    const QString script = QStringLiteral("while kill -0 %1 2>/dev/null; do sleep 1; done; "
                                          "if [ -d '%2' ]; then %3 >/dev/null 2>&1; rm -rf '%2'; fi")
                               .arg(QCoreApplication::applicationPid())
                               .arg(m_dir, stop);
    QProcess::startDetached(QStringLiteral("/bin/sh"), {QStringLiteral("-c"), script}, QStringLiteral("/"));
}

void TempCluster::stop()
{
    if (!m_running)
        return;
    runServerTool({binDir() + QStringLiteral("/pg_ctl"), QStringLiteral("-D"), dataDir(), QStringLiteral("-m"),
                   QStringLiteral("fast"), QStringLiteral("-w"), QStringLiteral("stop")},
                  nullptr);
    m_running = false;
}

bool TempCluster::restart(QString *error)
{
    if (m_running)
        return true;
    return startServer(error);
}

bool TempCluster::isRunning() const
{
    return m_running;
}

ConnectionInfo TempCluster::connection(const QString &database, const QString &user) const
{
    ConnectionInfo c;
    c.host = host();
    c.port = m_port;
    c.database = database;
    c.user = user.isEmpty() ? m_options.superuser : user;
    return c;
}

QString TempCluster::uri(const QString &database, const QString &user) const
{
    return QStringLiteral("postgresql://%1@%2:%3/%4")
        .arg(user.isEmpty() ? m_options.superuser : user, host())
        .arg(m_port)
        .arg(database);
}

PgConnection TempCluster::connect(const QString &database, const QString &user) const
{
    return PgConnection::open(connection(database, user), m_password, 10, QStringLiteral("lifeboat-tests"));
}

bool TempCluster::exec(const QString &sql, QString *error, const QString &database) const
{
    PgConnection c = connect(database);
    if (!c.isOpen()) {
        if (error)
            *error = c.errorMessage();
        return false;
    }
    PgResultPtr r = c.exec(sql);
    if (!PgConnection::succeeded(r.get())) {
        if (error)
            *error = PgConnection::resultError(r.get());
        return false;
    }
    return true;
}

} // namespace lifeboat::test
