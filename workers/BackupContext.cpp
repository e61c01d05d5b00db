#include "BackupContext.h"

#include "BackupFileWriter.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QRegularExpression>

#include <fcntl.h>
#include <unistd.h>

namespace lifeboat {

namespace {
constexpr qint64 ProgressIntervalMs = 200;
const QFile::Permissions OwnerOnlyDir = QFile::ReadOwner | QFile::WriteOwner | QFile::ExeOwner;
const QFile::Permissions OwnerOnlyFile = QFile::ReadOwner | QFile::WriteOwner;
} // namespace

QString safeFileName(const QString &name)
{
    static const QRegularExpression unsafe(QStringLiteral("[/\\\\:*?\"<>|\\x00-\\x1f]"));
    QString s = name;
    s.replace(unsafe, QStringLiteral("_"));
    if (s.startsWith(u'.'))
        s.prepend(u'_');
    return s.left(200);
}

QString FileNamer::take(const QString &objectName)
{
    const QString base = safeFileName(objectName);
    QString name = base;
    for (int n = 2; m_used.contains(name.toLower()); ++n)
        name = base + QStringLiteral("~%1").arg(n);
    m_used.insert(name.toLower());
    return name;
}

PgConnection BackupContext::openSnapshotConnection(QString *error) const
{
    PgConnection conn = PgConnection::open(connection, password, 10, QStringLiteral("lifeboat-backup"));
    if (!conn.isOpen()) {
        *error = conn.errorMessage();
        return conn;
    }
    if (PGcancel *cancel = PQgetCancel(conn.handle())) {
        QMutexLocker lock(&m_cancelMutex);
        m_cancels.emplace_back(cancel);
    }
    if (!joinSnapshot(conn, error))
        return PgConnection();
    return conn;
}

void BackupContext::cancelQueries() const
{
    QMutexLocker lock(&m_cancelMutex);
    for (const auto &cancel : m_cancels) {
        char error[256];
        PQcancel(cancel.get(), error, sizeof error); // a failure leaves that query to end by itself
    }
}

bool BackupContext::joinSnapshot(const PgConnection &conn, QString *error) const
{
    // row_security off: a table whose policies hide rows from this role fails to read instead
    // of being exported short (pg_dump does the same).
    const QString sql
        = QStringLiteral("BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY; "
                         "SET TRANSACTION SNAPSHOT %1; SET LOCAL search_path = pg_catalog; "
                         "SET LOCAL statement_timeout = 0; SET LOCAL idle_in_transaction_session_timeout = 0; "
                         "SET LOCAL row_security = off;")
              .arg(QStringLiteral("'") + snapshot + QStringLiteral("'"));
    PgResultPtr r = conn.exec(sql);
    if (!PgConnection::succeeded(r.get())) {
        *error = QStringLiteral("cannot join the backup's snapshot: ") + PgConnection::resultError(r.get());
        return false;
    }
    return true;
}

QProcessEnvironment BackupContext::toolEnvironment() const
{
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    for (const char *var : {"PGPASSWORD", "PGHOST", "PGPORT", "PGDATABASE", "PGUSER", "PGSERVICE", "PGOPTIONS"})
        env.remove(QString::fromLatin1(var));
    if (!pgpassFile.isEmpty())
        env.insert(QStringLiteral("PGPASSFILE"), pgpassFile);
    env.insert(QStringLiteral("PGAPPNAME"), QStringLiteral("lifeboat-backup"));
    env.insert(QStringLiteral("PGCONNECT_TIMEOUT"), QStringLiteral("10"));
    return env;
}

QString BackupContext::conninfo() const
{
    auto quote = [](QString v) -> QString {
        v.replace(u'\\', QStringLiteral("\\\\")).replace(u'\'', QStringLiteral("\\'"));
        return u'\'' + v + u'\'';
    };
    return QStringLiteral("host=%1 port=%2 dbname=%3 user=%4")
        .arg(quote(connection.host))
        .arg(connection.port)
        .arg(quote(connection.database), quote(connection.user));
}

ToolOutcome BackupContext::runTool(const QString &component, const PgTool &tool, const QStringList &args)
{
    log(component, QStringLiteral("$ %1 %2").arg(tool.path, args.join(u' ')));
    return lifeboat::runTool(tool.path, args, toolEnvironment(), cancelled,
                             [this, component](const QString &line) { log(component, line); });
}

QString BackupContext::absolutePath(const QString &relativePath) const
{
    return folder + u'/' + relativePath;
}

bool BackupContext::makeParent(const QString &relativePath, QString *error) const
{
    const QString parent = QFileInfo(absolutePath(relativePath)).absolutePath();
    QDir dir(folder);
    const QStringList parts = QDir(folder).relativeFilePath(parent).split(u'/', Qt::SkipEmptyParts);
    for (const QString &part : parts) {
        if (part == QLatin1String("."))
            continue;
        if (!dir.exists(part) && !dir.mkdir(part)) {
            *error = QStringLiteral("cannot create folder %1").arg(dir.filePath(part));
            return false;
        }
        QFile::setPermissions(dir.filePath(part), OwnerOnlyDir);
        dir.cd(part);
    }
    return true;
}

bool BackupContext::writeFile(ComponentResult &result, const QString &relativePath, const QByteArray &data,
                              bool secret, QString *error) const
{
    if (!makeParent(relativePath, error))
        return false;
    QFile f(absolutePath(relativePath));
    // The folder is this run's own: a file already there was written by this run, and writing
    // it again would lose what it holds (two objects whose names meet in one file name).
    if (f.exists()) {
        *error = QStringLiteral("%1 was already written by this backup; two objects map to one file name")
                     .arg(relativePath);
        return false;
    }
    if (!f.open(QIODevice::WriteOnly | QIODevice::NewOnly)) {
        *error = QStringLiteral("cannot write %1: %2").arg(f.fileName(), f.errorString());
        return false;
    }
    f.setPermissions(OwnerOnlyFile);
    if (f.write(data) != data.size() || !f.flush()) {
        *error = QStringLiteral("cannot write %1: %2").arg(f.fileName(), f.errorString());
        return false;
    }
    addFile(result, relativePath, secret);
    return true;
}

bool BackupContext::copyFile(ComponentResult &result, const QString &source, const QString &relativePath,
                             bool secret, QString *error) const
{
    if (!makeParent(relativePath, error))
        return false;
    QFile in(source);
    BackupFileWriter out(absolutePath(relativePath));
    if (!in.open(QIODevice::ReadOnly)) {
        *error = QStringLiteral("cannot read %1: %2").arg(source, in.errorString());
        return false;
    }
    if (!out.open()) {
        *error = QStringLiteral("cannot write %1: %2").arg(out.fileName(), out.errorString());
        return false;
    }
    QByteArray chunk;
    while (!(chunk = in.read(1 << 20)).isEmpty()) {
        if (out.write(chunk) != chunk.size()) {
            *error = QStringLiteral("cannot write %1: %2").arg(out.fileName(), out.errorString());
            return false;
        }
    }
    if (in.error() != QFile::NoError) {
        *error = QStringLiteral("cannot read %1: %2").arg(source, in.errorString());
        return false;
    }
    if (!out.finish()) {
        *error = QStringLiteral("cannot write %1: %2").arg(out.fileName(), out.errorString());
        return false;
    }
    addFile(result, relativePath, secret, out.sha256(), out.size());
    return true;
}

void BackupContext::addFile(ComponentResult &result, const QString &relativePath, bool secret, const QString &sha256,
                            qint64 size) const
{
    QFile::setPermissions(absolutePath(relativePath), OwnerOnlyFile);
    // Start writing it to disk now, so the fsync before the final rename has little left to do.
    const int fd = ::open(QFile::encodeName(absolutePath(relativePath)).constData(), O_RDONLY | O_CLOEXEC);
    if (fd >= 0) {
        ::sync_file_range(fd, 0, 0, SYNC_FILE_RANGE_WRITE);
        ::close(fd);
    }
    ManifestFile f;
    f.path = relativePath;
    f.secret = secret;
    f.sha256 = sha256;
    f.size = size;
    result.files.append(f);
}

void BackupContext::startOver()
{
    connection = {};
    password.reset();
    pgpassFile.clear();
    folder.clear();
    snapshot.clear();
    serverVersionNum = 0;
    serverVersion.clear();
    pgDump = pgRestore = pgDumpAll = {};
    csvHandoff.reset();
    {
        QMutexLocker lock(&m_progressMutex);
        m_lastProgressMs.clear();
    }
    {
        QMutexLocker lock(&m_cancelMutex);
        m_cancels.clear();
    }
    cancelled = false;
}

void BackupContext::progress(const QString &component, qint64 done, qint64 total, const QString &item)
{
    {
        QMutexLocker lock(&m_progressMutex);
        if (!m_clock.isValid())
            m_clock.start();
        const qint64 now = m_clock.elapsed();
        const qint64 last = m_lastProgressMs.value(component, -ProgressIntervalMs);
        if (done < total && now - last < ProgressIntervalMs)
            return;
        m_lastProgressMs.insert(component, now);
    }
    if (progressSink)
        progressSink(component, done, total, item);
}

void BackupContext::log(const QString &component, const QString &line)
{
    if (logSink)
        logSink(component, line);
}

} // namespace lifeboat
