#include "DataCsvExporter.h"

#include "BackupFileWriter.h"
#include "ExportSql.h"

#include <QJsonObject>
#include <QMutex>
#include <QThreadPool>
#include <QtConcurrent/QtConcurrentRun>

#include <atomic>

namespace lifeboat {

namespace {

struct TableJob
{
    QString schema;
    QString name;
    QString file;
    qint64 estimatedBytes = 0;
    qint64 rows = 0;
    QString sha256;
    qint64 size = 0;
};

} // namespace

void DataCsvExporter::run(BackupContext &ctx, ComponentResult &r)
{
    PgConnection conn;
    if (!connect(ctx, r, conn))
        return;
    auto list = ExportSql::userTables(conn);
    if (!list)
        return fail(r, list.error());

    QList<TableJob> jobs;
    FileNamer names;
    qint64 totalBytes = 0;
    for (const ExportSql::UserTable &t : *list) {
        if (t.materializedView)
            continue; // COPY cannot read one; its definition is in the database component
        TableJob job{t.schema, t.name, {}, t.bytes, 0, {}, 0};
        job.file = QStringLiteral("data/%1.csv").arg(names.take(job.schema + u'.' + job.name));
        totalBytes += job.estimatedBytes;
        jobs.append(job);
    }
    conn = PgConnection(); // workers use their own connections
    QString error;
    if (!jobs.isEmpty() && !ctx.makeParent(jobs.first().file, &error))
        return fail(r, error);

    std::atomic_int next{0};
    std::atomic<qint64> written{0};
    QMutex errorMutex;
    QString firstError;
    std::atomic_bool stop{false};
    auto worker = [&] {
        QString err;
        PgConnection c = ctx.openSnapshotConnection(&err);
        if (!c.isOpen()) {
            QMutexLocker lock(&errorMutex);
            if (firstError.isEmpty())
                firstError = QStringLiteral("cannot connect: ") + err;
            stop = true;
            return;
        }
        for (int i; !stop.load() && !ctx.isCancelled() && (i = next.fetch_add(1)) < jobs.size();) {
            TableJob &job = jobs[i];
            BackupFileWriter f(ctx.absolutePath(job.file));
            auto writeFailed = [&] {
                QMutexLocker lock(&errorMutex);
                if (firstError.isEmpty())
                    firstError = QStringLiteral("cannot write %1: %2").arg(f.fileName(), f.errorString());
                stop = true;
            };
            if (!f.open())
                return writeFailed();
            qint64 lastReported = 0;
            const QString label = job.schema + u'.' + job.name;
            auto rows = ExportSql::copyOut(
                c, QStringLiteral("COPY %1 TO STDOUT (FORMAT csv, HEADER)").arg(ExportSql::qualified(job.schema, job.name)),
                f, [&] { return stop.load() || ctx.isCancelled(); }, [&](qint64 bytes) {
                    const qint64 delta = bytes - lastReported;
                    lastReported = bytes;
                    const qint64 total = written.fetch_add(delta) + delta;
                    ctx.progress(name(), std::min(total, totalBytes - 1), totalBytes, label);
                });
            const bool closed = f.finish();
            if (!rows) {
                if (ctx.isCancelled())
                    return;
                QMutexLocker lock(&errorMutex);
                if (firstError.isEmpty())
                    firstError = QStringLiteral("exporting %1: %2").arg(label, rows.error());
                stop = true;
                return;
            }
            if (!closed)
                return writeFailed();
            job.rows = rows.value();
            job.size = f.size();
            job.sha256 = f.sha256();
            // A transaction per table, so a connection holds one table's lock, not thousands
            // (the shared lock table is sized for about 64 per connection).
            PgResultPtr ended = c.exec(QStringLiteral("COMMIT"));
            if (!PgConnection::succeeded(ended.get()) || !ctx.joinSnapshot(c, &err)) {
                QMutexLocker lock(&errorMutex);
                if (firstError.isEmpty())
                    firstError = err.isEmpty() ? PgConnection::resultError(ended.get()) : err;
                stop = true;
                return;
            }
        }
    };

    QThreadPool pool;
    const int threads = std::max(1, std::min(ctx.request.jobs, int(jobs.size())));
    pool.setMaxThreadCount(threads);
    QList<QFuture<void>> running;
    for (int t = 0; t < threads; ++t)
        running.append(QtConcurrent::run(&pool, worker));
    for (QFuture<void> &f : running)
        f.waitForFinished();

    if (ctx.isCancelled())
        return;
    if (!firstError.isEmpty())
        return fail(r, firstError);

    qint64 rows = 0;
    QJsonObject perTable;
    for (const TableJob &job : std::as_const(jobs)) {
        ctx.addFile(r, job.file, false, job.sha256, job.size);
        rows += job.rows;
        perTable.insert(job.schema + u'.' + job.name,
                        QJsonObject{{QStringLiteral("file"), job.file}, {QStringLiteral("rows"), job.rows}});
    }
    r.counts.insert(QStringLiteral("tables"), jobs.size());
    r.counts.insert(QStringLiteral("rows"), rows);
    r.details.insert(QStringLiteral("tables"), perTable);
    ctx.progress(name(), totalBytes, totalBytes);
}

} // namespace lifeboat
