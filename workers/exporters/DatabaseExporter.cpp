#include "DatabaseExporter.h"

#include "BackupFileWriter.h"
#include "CsvFromDump.h"
#include "ExportSql.h"

#include <QFile>
#include <QHash>
#include <QProcess>
#include <QRegularExpression>
#include <QScopeGuard>

#include <algorithm>
#include <functional>

#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace lifeboat {

namespace {

constexpr qint64 ChunkSize = 1 << 20;
constexpr qint64 MaxPending = 8 << 20;
// What an empty table counts for on the progress bar (one page).
constexpr qint64 MinTableWeight = 8192;

// Forwards stderr lines of a tool to `onLine`.
void drainLines(QProcess &p, QByteArray &pending, const std::function<void(const QString &)> &onLine)
{
    pending += p.readAllStandardError();
    qsizetype nl;
    while ((nl = pending.indexOf('\n')) >= 0) {
        const QString line = QString::fromUtf8(pending.left(nl)).trimmed();
        pending.remove(0, nl + 1);
        if (!line.isEmpty())
            onLine(line);
    }
}

/// Runs pg_dump into `dumpPath` and pg_restore on the growing archive into `sqlPath`.
/// `onDumpLine` gets each line pg_dump writes to stderr; `onTick` runs on every pass of the
/// loop (at least every 20 ms), after `sql` has caught up with what pg_restore wrote.
bool dumpAndDerive(BackupContext &ctx,
                   const QStringList &dumpArgs,
                   const QString &dumpPath,
                   const QString &sqlPath,
                   GrowingFileHasher &sql,
                   const std::function<void(const QString &)> &onDumpLine,
                   const std::function<void()> &onTick,
                   QString *failure)
{
    const QString component = Component::Database;
    ToolTail dumpTail(12), sqlTail(12);
    QProcess dumper, deriver;
    for (QProcess *p : {&dumper, &deriver}) {
        p->setProcessEnvironment(ctx.toolEnvironment());
        p->setChildProcessModifier([widePipe = p == &deriver] {
            ::umask(077);
            ::prctl(PR_SET_PDEATHSIG, SIGTERM); // a killed Lifeboat takes its tools with it
            // The archive reaches pg_restore through its stdin pipe (set up by now): 1 MiB
            // instead of 64 KiB means a wakeup per MiB on both sides.
            if (widePipe)
                ::fcntl(STDIN_FILENO, F_SETPIPE_SZ, 1 << 20);
        });
    }
    dumper.setStandardInputFile(QProcess::nullDevice());
    dumper.setStandardOutputFile(QProcess::nullDevice());
    deriver.setStandardOutputFile(QProcess::nullDevice());
    deriver.start(ctx.pgRestore.path, {QStringLiteral("--file=") + sqlPath}); // the archive on stdin
    dumper.start(ctx.pgDump.path, dumpArgs);
    if (!dumper.waitForStarted(10000) || !deriver.waitForStarted(10000)) {
        *failure = QStringLiteral("pg_dump or pg_restore could not be started: %1")
                       .arg(dumper.errorString() + QStringLiteral("; ") + deriver.errorString());
        dumper.kill();
        deriver.kill();
        return false;
    }

    auto stopBoth = [&] {
        for (QProcess *p : {&dumper, &deriver}) {
            if (p->state() != QProcess::NotRunning) {
                ::kill(pid_t(p->processId()), SIGINT);
                if (!p->waitForFinished(1000)) {
                    p->kill();
                    p->waitForFinished(1000);
                }
            }
        }
    };
    QByteArray dumpErr, sqlErr;
    auto drainErrors = [&] {
        drainLines(dumper, dumpErr, [&](const QString &l) {
            ctx.log(component, l);
            dumpTail.add(l);
            onDumpLine(l);
        });
        drainLines(deriver, sqlErr, [&](const QString &l) {
            ctx.log(component, QStringLiteral("pg_restore: ") + l);
            sqlTail.add(l);
        });
    };

    // Whatever pg_dump has added to the archive goes to pg_restore's stdin; the SQL pg_restore
    // writes is hashed and pushed to disk behind it (pipes cost more CPU than the file).
    QFile archive(dumpPath);
    bool dumpDone = false, inputClosed = false;
    bool readBackFailed = false;
    for (;;) {
        if (ctx.isCancelled()) {
            stopBoth();
            return false;
        }
        drainErrors();
        if (!sql.catchUp()) {
            readBackFailed = true;
            stopBoth();
            break;
        }
        onTick();
        if (deriver.state() == QProcess::NotRunning)
            break; // done, or stopped early: told apart below
        dumpDone = dumpDone || dumper.state() == QProcess::NotRunning || dumper.waitForFinished(0);
        if (!inputClosed && deriver.bytesToWrite() < MaxPending
            && (archive.isOpen() || archive.open(QIODevice::ReadOnly | QIODevice::Unbuffered))) {
            const QByteArray chunk = archive.read(ChunkSize);
            if (!chunk.isEmpty())
                deriver.write(chunk);
            else if (dumpDone && deriver.bytesToWrite() == 0) {
                deriver.closeWriteChannel(); // the whole archive is through
                inputClosed = true;
            }
        }
        // Without an event loop, QProcess moves data only inside waitFor*(); these also read
        // stderr and are the pause when there is nothing to do.
        if (deriver.bytesToWrite() > 0)
            deriver.waitForBytesWritten(20);
        else
            deriver.waitForFinished(20);
    }
    if (readBackFailed) {
        *failure = QStringLiteral("%1 cannot be read back for its checksum").arg(sqlPath);
        return false;
    }
    // pg_restore stops once it has read the last data block it needs, which can be before
    // pg_dump has finished (it still rewrites the table of contents): wait for pg_dump then.
    // When pg_restore failed, pg_dump is stopped, unless it had already failed on its own
    // (a truncated archive is what made pg_restore fail).
    const bool derived = deriver.exitStatus() == QProcess::NormalExit && deriver.exitCode() == 0;
    if (derived) {
        while (dumper.state() != QProcess::NotRunning && !ctx.isCancelled()) {
            dumper.waitForFinished(50);
            drainErrors();
        }
        if (ctx.isCancelled()) {
            stopBoth();
            return false;
        }
    }
    const bool dumpEnded = dumpDone || dumper.state() == QProcess::NotRunning || dumper.waitForFinished(0);
    if (!dumpEnded)
        stopBoth();
    drainErrors();
    if (dumpEnded && (dumper.exitStatus() != QProcess::NormalExit || dumper.exitCode() != 0)) {
        *failure
            = QStringLiteral("pg_dump failed (exit %1): %2").arg(dumper.exitCode()).arg(failureText(dumpTail.lines()));
        return false;
    }
    if (!derived) {
        *failure
            = QStringLiteral("pg_restore could not turn the archive into SQL: %1").arg(failureText(sqlTail.lines()));
        return false;
    }
    if (!sql.finish()) {
        *failure = QStringLiteral("%1 cannot be read back for its checksum").arg(sqlPath);
        return false;
    }
    return true;
}

} // namespace

void DatabaseExporter::run(BackupContext &ctx, ComponentResult &r)
{
    const QString dump = Manifest::DatabaseArchive;
    const QString toc = QStringLiteral("database/database.toc");
    const QString sql = QStringLiteral("database/database.sql");
    QString error;
    if (!ctx.makeParent(dump, &error))
        return fail(r, error);

    // Progress is bytes against the catalog's table sizes, as in data_csv: pg_dump names each
    // table as it starts dumping it, and within a table the SQL that pg_restore derives grows
    // with its rows. (Counting tables instead leaves the bar still while the one big table of
    // most databases is dumped.)
    qint64 tables = 0;
    QHash<QString, qint64> sizeOf;
    qint64 dataBytes = 0;
    {
        PgConnection conn;
        if (!connect(ctx, r, conn))
            return;
        auto list = ExportSql::userTables(conn);
        if (!list)
            return fail(r, list.error());
        tables = list->size();
        for (const ExportSql::UserTable &t : *list) {
            if (t.materializedView)
                continue; // its rows are not in the dump: it is refreshed on restore
            const qint64 size = std::max(MinTableWeight, t.bytes);
            sizeOf.insert(t.schema + u'.' + t.name, size);
            dataBytes += size;
        }
    }
    // The table of contents at the end (pg_restore --list) gets a small share of the bar.
    const qint64 totalBytes = dataBytes + std::max<qint64>(MinTableWeight, dataBytes / 50);

    static const QRegularExpression dumping(QStringLiteral("dumping contents of table \"([^\"]+)\""));
    qint64 finished = 0;   // bytes of the tables dumped completely
    qint64 current = 0;    // size of the table being dumped
    qint64 sqlAtStart = 0; // SQL derived when it started
    QString currentName;
    GrowingFileHasher sqlFile(ctx.absolutePath(sql));
    const QStringList args{QStringLiteral("--dbname=") + ctx.conninfo(),
                           QStringLiteral("--format=custom"),
                           QStringLiteral("--compress=%1").arg(ctx.request.compressLevel),
                           QStringLiteral("--snapshot=") + ctx.snapshot,
                           // Names in the TOC and the SQL are read as UTF-8, whatever the database's encoding.
                           QStringLiteral("--encoding=UTF8"),
                           QStringLiteral("--no-sync"),
                           QStringLiteral("--verbose"),
                           QStringLiteral("--file=") + ctx.absolutePath(dump)};
    ctx.progress(name(), 0, totalBytes, QStringLiteral("starting pg_dump"));
    auto onLine = [&](const QString &line) {
        const auto m = dumping.match(line);
        if (!m.hasMatch())
            return;
        finished += current;
        currentName = m.captured(1);
        current = sizeOf.value(currentName, MinTableWeight);
        sqlAtStart = sqlFile.size();
        ctx.progress(name(), std::min(finished, dataBytes), totalBytes, currentName);
    };
    auto onTick = [&] {
        if (currentName.isEmpty())
            return;
        const qint64 within = std::clamp<qint64>(sqlFile.size() - sqlAtStart, 0, current - 1);
        ctx.progress(name(), std::min(finished + within, dataBytes), totalBytes, currentName);
    };
    // data_csv, when it runs too, writes its CSVs from the COPY blocks of that SQL: it gets
    // the bytes as they are read here, and converts them on its own thread.
    const std::shared_ptr<CsvHandoff> handoff = ctx.csvHandoff;
    std::optional<bool> csvWanted;
    const auto endCsv = qScopeGuard([&] {
        if (handoff) // unless it ended whole below
            handoff->end(QStringLiteral("the database component stopped before its SQL was complete"));
    });
    if (handoff)
        sqlFile.setReader([&](QByteArrayView bytes) {
            const auto stop = [&] {
                return ctx.isCancelled();
            };
            if (!csvWanted)
                csvWanted = handoff->waitForPlan(stop);
            if (*csvWanted)
                csvWanted = handoff->push(bytes, stop);
        });

    // The plain SQL is derived from the archive while pg_dump still writes it: Lifeboat feeds
    // the growing file to pg_restore as a stream (header and TOC first, then each table's data
    // in order), so the SQL costs no second read of the server.
    ctx.log(name(), QStringLiteral("$ %1 %2").arg(ctx.pgDump.path, args.join(u' ')));
    ctx.log(name(),
            QStringLiteral("$ %1 --file=%2 < (the archive as it is written)")
                .arg(ctx.pgRestore.path, ctx.absolutePath(sql)));
    QString failure;
    const bool ok
        = dumpAndDerive(ctx, args, ctx.absolutePath(dump), ctx.absolutePath(sql), sqlFile, onLine, onTick, &failure);
    if (ctx.isCancelled())
        return;
    if (!ok)
        return fail(r, failure);
    if (handoff)
        handoff->end();         // the SQL is whole
    ctx.addFile(r, dump, true); // holds auth password hashes and vault ciphertext
    ctx.addFile(r, sql, true, sqlFile.sha256(), sqlFile.size());
    r.counts.insert(QStringLiteral("tables"), tables);

    // Table of contents and the SQL, both from the archive alone.
    ctx.progress(name(), dataBytes, totalBytes, QStringLiteral("table of contents"));
    const ToolOutcome out = ctx.runTool(name(), ctx.pgRestore,
                      {QStringLiteral("--list"), QStringLiteral("--file=") + ctx.absolutePath(toc), ctx.absolutePath(dump)});
    if (out.cancelled)
        return;
    if (!out.ok())
        return fail(r, QStringLiteral("pg_restore --list failed: %1").arg(out.errorTail));
    ctx.addFile(r, toc, false);
    {
        QFile f(ctx.absolutePath(toc));
        if (f.open(QIODevice::ReadOnly)) {
            qint64 entries = 0;
            while (!f.atEnd())
                entries += !f.readLine().startsWith(';');
            r.counts.insert(QStringLiteral("toc_entries"), entries);
        }
    }

    ctx.progress(name(), totalBytes, totalBytes, {});
}

} // namespace lifeboat
