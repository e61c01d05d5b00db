#include "DatabaseExporter.h"

#include "ExportSql.h"

#include <QFile>
#include <QRegularExpression>

namespace lifeboat {

void DatabaseExporter::run(BackupContext &ctx, ComponentResult &r)
{
    const QString dump = QStringLiteral("database/database.dump");
    const QString toc = QStringLiteral("database/database.toc");
    const QString sql = QStringLiteral("database/database.sql");
    QString error;
    if (!ctx.makeParent(dump, &error))
        return fail(r, error);

    // The catalog's table count is the progress total; pg_dump names each table as it dumps it.
    qint64 tables = 0;
    {
        PgConnection conn;
        if (!connect(ctx, r, conn))
            return;
        auto count = ExportSql::query(conn,
                                      QStringLiteral("SELECT count(*) FROM pg_class c JOIN pg_namespace n ON "
                                                     "n.oid = c.relnamespace WHERE c.relkind IN ('r','m') AND ")
                                          + ExportSql::userSchemaFilter(QStringLiteral("n.nspname")),
                                      QStringLiteral("counting tables"));
        if (!count)
            return fail(r, count.error());
        tables = PgConnection::value(count->get(), 0, 0).toLongLong();
    }

    static const QRegularExpression dumping(QStringLiteral("dumping contents of table \"([^\"]+)\""));
    qint64 done = 0;
    const QStringList args{QStringLiteral("--dbname=") + ctx.conninfo(),
                           QStringLiteral("--format=custom"),
                           QStringLiteral("--compress=%1").arg(ctx.request.compressLevel),
                           QStringLiteral("--snapshot=") + ctx.snapshot,
                           QStringLiteral("--no-sync"),
                           QStringLiteral("--verbose"),
                           QStringLiteral("--file=") + ctx.absolutePath(dump)};
    ctx.progress(name(), 0, tables + 2, QStringLiteral("starting pg_dump"));
    auto onLine = [&](const QString &line) {
        const auto m = dumping.match(line);
        if (m.hasMatch())
            ctx.progress(name(), ++done, tables + 2, m.captured(1));
    };
    ctx.log(name(), QStringLiteral("$ %1 %2").arg(ctx.pgDump.path, args.join(u' ')));
    ToolOutcome out = lifeboat::runTool(ctx.pgDump.path, args, ctx.toolEnvironment(), ctx.cancelled,
                                        [&](const QString &line) {
                                            ctx.log(name(), line);
                                            onLine(line);
                                        });
    if (out.cancelled)
        return;
    if (!out.ok())
        return fail(r, QStringLiteral("pg_dump failed (exit %1): %2").arg(out.exitCode).arg(out.errorTail));
    ctx.addFile(r, dump, true); // holds auth password hashes and vault ciphertext
    r.counts.insert(QStringLiteral("tables"), tables);

    // Table of contents and the SQL, both from the archive alone.
    ctx.progress(name(), tables, tables + 2, QStringLiteral("table of contents"));
    out = ctx.runTool(name(), ctx.pgRestore,
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

    ctx.progress(name(), tables + 1, tables + 2, QStringLiteral("plain SQL"));
    out = ctx.runTool(name(), ctx.pgRestore, {QStringLiteral("--file=") + ctx.absolutePath(sql), ctx.absolutePath(dump)});
    if (out.cancelled)
        return;
    if (!out.ok())
        return fail(r, QStringLiteral("pg_restore to SQL failed: %1").arg(out.errorTail));
    ctx.addFile(r, sql, true);
    ctx.progress(name(), tables + 2, tables + 2, {});
}

} // namespace lifeboat
