// lifeboat-demo-stack: the demo stack of scripts/demo.sh, made from the tests' own fixture.
//   lifeboat-demo-stack create DIR   cluster + project folder under DIR, left running;
//                                    writes DIR/stack.env and DIR/.pgpass (0600)
//   lifeboat-demo-stack hold         a throwaway cluster; prints "PORT DIR", waits to be killed
//                                    (the harness test that a killed test leaves nothing behind)
#include "SupabaseFixture.h"
#include "TempCluster.h"

#include <QCoreApplication>
#include <QDir>
#include <QFile>
#include <QProcess>
#include <QTextStream>
#include <QThread>

#include <unistd.h>

using namespace lifeboat::test;

namespace {

// When root runs the demo, the postgres user must be able to reach the cluster folder.
bool postgresCanUse(const QString &dir)
{
    if (::geteuid() != 0)
        return true;
    return QProcess::execute(QStringLiteral("runuser"), {QStringLiteral("-u"), QStringLiteral("postgres"),
                                                         QStringLiteral("--"), QStringLiteral("test"),
                                                         QStringLiteral("-x"), dir}) == 0;
}

int create(const QString &dirArg)
{
    QTextStream err(stderr), out(stdout);
    const QString dir = QDir(dirArg).absolutePath();
    QDir().mkpath(dir);
    SupabaseFixture::Options o;
    o.rootDir = dir;
    o.baseDir = postgresCanUse(dir) ? dir : QDir::tempPath();
    o.keep = true;
    SupabaseFixture fixture(o);
    QString error;
    if (!fixture.setUp(&error)) {
        err << "Could not create the demo stack: " << error << '\n';
        return 1;
    }
    const TempCluster &c = fixture.cluster();
    const QString pgpass = dir + QStringLiteral("/.pgpass");
    QFile pass(pgpass);
    if (!pass.open(QIODevice::WriteOnly | QIODevice::Truncate)) {
        err << "Cannot write " << pgpass << '\n';
        return 1;
    }
    pass.setPermissions(QFile::ReadOwner | QFile::WriteOwner);
    pass.write(QStringLiteral("127.0.0.1:%1:*:*:%2\n").arg(c.port()).arg(c.password()).toUtf8());
    pass.close();

    QFile env(dir + QStringLiteral("/stack.env"));
    if (!env.open(QIODevice::WriteOnly | QIODevice::Truncate)) {
        err << "Cannot write " << env.fileName() << '\n';
        return 1;
    }
    QTextStream e(&env);
    e << "# The demo stack made by scripts/demo.sh (no password here: see PGPASSFILE)\n"
      << "PGHOST=127.0.0.1\nPGPORT=" << c.port() << "\nPGUSER=postgres\nPGDATABASE=postgres\n"
      << "PGPASSFILE=" << pgpass << '\n'
      << "LIFEBOAT_DEMO_PROJECT=" << fixture.projectDir() << '\n'
      << "LIFEBOAT_DEMO_STORAGE=" << fixture.storageDir() << '\n'
      << "LIFEBOAT_DEMO_PGDATA=" << c.dataDir() << '\n'
      << "LIFEBOAT_DEMO_PGBIN=" << TempCluster::binDir() << '\n';
    out << "Demo stack is up: postgresql://postgres@127.0.0.1:" << c.port() << "/postgres\n"
        << "  project folder: " << fixture.projectDir() << '\n'
        << "  password file:  " << pgpass << " (0600)\n";
    return 0;
}

int hold()
{
    TempCluster cluster;
    QString error;
    if (!cluster.start(&error)) {
        QTextStream(stderr) << error << '\n';
        return 1;
    }
    QTextStream(stdout) << cluster.port() << ' ' << cluster.dir() << Qt::endl;
    for (;;)
        QThread::sleep(1);
}

} // namespace

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    const QStringList args = app.arguments();
    if (args.size() == 3 && args.at(1) == QLatin1String("create"))
        return create(args.at(2));
    if (args.size() == 2 && args.at(1) == QLatin1String("hold"))
        return hold();
    QTextStream(stderr) << "usage: lifeboat-demo-stack create DIR | hold\n";
    return 2;
}
