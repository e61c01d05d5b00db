#include "BackupService.h"

#include "WorkerThreads.h"

#include <QCoreApplication>
#include <QDir>
#include <QPointer>
#include <QFileInfo>
#include <QFutureWatcher>
#include <QtConcurrent/QtConcurrentRun>

namespace lifeboat {

BackupService::BackupService(RunCatalog *catalog, QObject *parent)
    : QObject(parent)
    , m_catalog(catalog)
{
    connect(&m_watcher, &QFileSystemWatcher::directoryChanged, this, [this](const QString &dir) {
        const QSet<QString> ids = m_watchedStacks.value(dir);
        for (const QString &id : ids)
            emit backupsChanged(id);
    });
}

QString BackupService::rootFor(const Stack &stack, const QString &configuredRoot)
{
    return configuredRoot.isEmpty() ? BackupEngine::defaultOutputRoot(stack) : configuredRoot;
}

QFuture<QList<BackupInfo>> BackupService::listBackups(const Stack &stack, const QString &root)
{
    const QString dir = root + u'/' + stack.id;
    return QtConcurrent::run(WorkerThreads::pool(), [dir] {
        QList<BackupInfo> all;
        const QFileInfoList runs = QDir(dir).entryInfoList(QDir::Dirs | QDir::NoDotAndDotDot);
        for (const QFileInfo &run : runs) {
            BackupInfo info = BackupStore::inspect(run.absoluteFilePath());
            if (info.timestamp.isValid())
                all.append(info);
        }
        BackupStore::sweepStaleLocks(dir);
        std::sort(all.begin(), all.end(), [](const BackupInfo &a, const BackupInfo &b) {
            return a.timestamp != b.timestamp ? a.timestamp > b.timestamp : a.path > b.path;
        });
        return all;
    });
}

QFuture<QList<BackupInfo>> BackupService::history(const Stack &stack, const QString &root)
{
    // The application object as context (it outlives every service); the service itself
    // may be gone by the time the list is read, and then there is nothing to merge.
    QPointer<BackupService> self(this);
    return listBackups(stack, root).then(QCoreApplication::instance(), [self, stack](QList<BackupInfo> list) {
        if (!self || !self->m_catalog)
            return list;
        RunCatalog *m_catalog = self->m_catalog;
        m_catalog->sync(stack.id, list);
        for (BackupInfo &b : list) {
            if (auto v = m_catalog->verification(b.path)) {
                b.verifiedOk = v->ok;
                b.verifyProblems = v->problems;
            }
        }
        // Runs that failed before they had a folder exist only in the catalog.
        for (const RunCatalog::Run &run : m_catalog->runs(stack.id)) {
            if (!run.path.isEmpty())
                continue;
            BackupInfo b;
            b.stackId = stack.id;
            b.timestamp = run.startedAt.toLocalTime();
            b.name = b.timestamp.toString(QStringLiteral("yyyyMMdd-HHmmss"));
            b.state = run.outcome == QLatin1String("cancelled") ? BackupInfo::State::Cancelled
                                                                : BackupInfo::State::Failed;
            b.message = run.message;
            list.append(b);
        }
        std::sort(list.begin(), list.end(), [](const BackupInfo &a, const BackupInfo &b) {
            return a.timestamp > b.timestamp;
        });
        return list;
    });
}

std::shared_ptr<BackupJob> BackupService::startBackup(const BackupRequest &request, QString *refusal)
{
    const QString id = request.stack.id;
    if (m_running.contains(id)) {
        *refusal = tr("A backup of \"%1\" is already running; wait for it to finish or cancel it.")
                       .arg(request.stack.name);
        return nullptr;
    }
    std::shared_ptr<BackupJob> job = BackupEngine::start(request);
    m_running.insert(id, job);
    auto *watcher = new QFutureWatcher<BackupResult>(this);
    const Stack stack = request.stack;
    connect(watcher, &QFutureWatcherBase::finished, this, [this, watcher, id, stack] {
        const BackupResult result = watcher->result();
        m_running.remove(id);
        if (m_catalog)
            m_catalog->recordBackup(stack, result);
        watcher->deleteLater();
        emit backupFinished(id, result);
        emit backupsChanged(id);
    });
    watcher->setFuture(job->future());
    emit backupStarted(id, job);
    return job;
}

QList<std::shared_ptr<BackupJob>> BackupService::runningJobs() const
{
    return m_running.values();
}

QFuture<VerifyReport> BackupService::verify(const QString &backupPath)
{
    // Quitting stops a long verification; what it found by then is not recorded.
    auto stop = WorkerThreads::stopFlagAtExit();
    return QtConcurrent::run(WorkerThreads::pool(),
                             [backupPath, stop] { return BackupStore::verify(backupPath, {}, {}, {}, stop.get()); })
        .then(QCoreApplication::instance(),
              [self = QPointer<BackupService>(this), backupPath, stop](const VerifyReport &report) {
                  if (!stop->load() && self && self->m_catalog)
                      self->m_catalog->recordVerification(backupPath, report);
                  return report;
              });
}

QFuture<Status> BackupService::remove(const QString &backupPath)
{
    return QtConcurrent::run(WorkerThreads::pool(), [backupPath] { return BackupStore::remove(backupPath); });
}

void BackupService::watch(const Stack &stack, const QString &root)
{
    // The stack's folder, the root and the root's parent, those that exist: a first backup
    // creates the folders below, and nothing is created just to be watched.
    for (const QString &dir : QStringList{root + u'/' + stack.id, root, QFileInfo(root).absolutePath()}) {
        if (!QFileInfo(dir).isDir())
            continue;
        QSet<QString> &ids = m_watchedStacks[dir];
        if (ids.isEmpty())
            m_watcher.addPath(dir);
        ids.insert(stack.id);
    }
}

} // namespace lifeboat
