#include "DataCsvExporter.h"

#include "BackupFileWriter.h"
#include "CsvFromDump.h"
#include "ExportSql.h"

#include <QJsonObject>
#include <QMutex>
#include <QScopeGuard>
#include <QThread>
#include <QThreadPool>
#include <QtConcurrent/QtConcurrentRun>

#include <algorithm>
#include <atomic>

namespace lifeboat {

namespace {

struct TableJob
{
    QString schema;
    QString name;
    QString file;
    qint64 estimatedBytes = 0;
    bool extensionMember = false;
    qint64 rows = 0;
    QString sha256;
    qint64 size = 0;
    bool fromDump = false;

    QString key() const { return schema + u'.' + name; } ///< "schema.table"
};

} // namespace

void DataCsvExporter::run(BackupContext &ctx, ComponentResult &r)
{
    // With the database component, the tables it dumps whole come from its SQL (CsvFromDump);
    // it is told which, and always told, even when this fails first.
    const std::shared_ptr<CsvHandoff> handoff = ctx.csvHandoff;
    const auto letGoOfTheDump = qScopeGuard([&] {
        if (handoff) {
            handoff->plan(false); // unless planned already
            handoff->abandon();   // the database exporter need not wait for this
        }
    });
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
        TableJob job;
        job.schema = t.schema;
        job.name = t.name;
        job.estimatedBytes = t.bytes;
        job.extensionMember = t.extensionMember;
        job.file = QStringLiteral("data/%1.csv").arg(names.take(job.key()));
        totalBytes += job.estimatedBytes;
        jobs.append(job);
    }
    conn = PgConnection(); // workers use their own connections
    QString error;
    if (!jobs.isEmpty() && !ctx.makeParent(jobs.first().file, &error))
        return fail(r, error);
    QList<int> fromServer;
    QHash<QString, QString> fromDump;
    for (int i = 0; i < jobs.size(); ++i) {
        if (handoff && !jobs.at(i).extensionMember)
            fromDump.insert(jobs.at(i).key(), jobs.at(i).file);
        else
            fromServer << i; // an extension's table: pg_dump may write only some of its rows
    }
    if (handoff)
        handoff->plan(!fromDump.isEmpty());

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
        for (int n; !stop.load() && !ctx.isCancelled() && (n = next.fetch_add(1)) < fromServer.size();) {
            TableJob &job = jobs[fromServer.at(n)];
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
            const QString label = job.key();
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

    // The tables read from the server, on `jobs` connections; meanwhile this thread writes the
    // others from the dump's SQL.
    QThreadPool pool;
    QList<QFuture<void>> running;
    auto startReading = [&] {
        next = 0;
        const int threads = std::max(1, std::min(ctx.request.jobs, int(fromServer.size())));
        pool.setMaxThreadCount(threads);
        for (int t = 0; t < threads && !fromServer.isEmpty(); ++t)
            running.append(QtConcurrent::run(&pool, worker));
    };
    auto finishReading = [&] {
        for (QFuture<void> &f : running)
            f.waitForFinished();
        running.clear();
    };
    startReading();

    if (!fromDump.isEmpty()) {
        CsvFromDump csv(ctx, fromDump);
        QString sqlError;
        const auto stopped = [&] {
            return ctx.isCancelled() || stop.load();
        };
        while (const std::optional<QByteArray> bytes = handoff->pop(stopped, &sqlError)) {
            if (!csv.feed(*bytes))
                break;
            const qint64 total = written + csv.bytesWritten();
            ctx.progress(name(), std::min(total, totalBytes - 1), totalBytes, QStringLiteral("from the dump's SQL"));
        }
        handoff->abandon(); // whatever comes after an error or a stop is not read
        if (sqlError.isEmpty() && csv.error().isEmpty() && !stopped())
            csv.finish();
        if (!sqlError.isEmpty()) {
            // The database component stopped: its own failure (or a cancel) is the one to
            // report, and it stops the run in a moment.
            for (int waited = 0; !ctx.isCancelled() && waited < 200; ++waited)
                QThread::msleep(50);
        }
        finishReading();
        if (ctx.isCancelled())
            return;
        if (!firstError.isEmpty())
            return fail(r, firstError);
        if (!sqlError.isEmpty() || !csv.error().isEmpty())
            return fail(r, sqlError.isEmpty() ? csv.error() : sqlError);
        // What the dump did not give (a table pg_dump left out) is read from the server after all.
        const QHash<QString, CsvFromDump::Derived> derived = csv.derived();
        fromServer.clear();
        for (int i = 0; i < jobs.size(); ++i) {
            TableJob &job = jobs[i];
            const auto d = derived.constFind(job.key());
            if (d != derived.cend()) {
                job.rows = d->rows;
                job.size = d->size;
                job.sha256 = d->sha256;
                job.fromDump = true;
            } else if (fromDump.contains(job.key())) {
                fromServer << i;
            }
        }
        if (!fromServer.isEmpty())
            ctx.log(name(),
                    QStringLiteral("%1 table(s) not in the dump's SQL, read from the server").arg(fromServer.size()));
        startReading();
    }
    finishReading();
    if (ctx.isCancelled())
        return;
    if (!firstError.isEmpty())
        return fail(r, firstError);

    qint64 rows = 0;
    QJsonObject perTable;
    for (const TableJob &job : std::as_const(jobs)) {
        ctx.addFile(r, job.file, false, job.sha256, job.size);
        rows += job.rows;
        perTable.insert(job.key(), QJsonObject{{QStringLiteral("file"), job.file}, {QStringLiteral("rows"), job.rows}});
    }
    const qint64 derivedCount = std::count_if(jobs.cbegin(), jobs.cend(), [](const TableJob &j) { return j.fromDump; });
    if (handoff)
        ctx.log(name(),
                QStringLiteral("%1 of %2 CSV file(s) written from the dump's SQL, %3 read from the server")
                    .arg(derivedCount)
                    .arg(jobs.size())
                    .arg(jobs.size() - derivedCount));
    r.details.insert(QStringLiteral("from_dump"), derivedCount);
    r.counts.insert(QStringLiteral("tables"), jobs.size());
    r.counts.insert(QStringLiteral("rows"), rows);
    r.details.insert(QStringLiteral("tables"), perTable);
    ctx.progress(name(), totalBytes, totalBytes);
}

} // namespace lifeboat
