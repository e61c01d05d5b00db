#include "StorageExporter.h"

#include "ExportSql.h"

#include <QBuffer>
#include <QDir>
#include <QFileInfo>

namespace lifeboat {

void StorageExporter::run(BackupContext &ctx, ComponentResult &r)
{
    PgConnection conn;
    if (!connect(ctx, r, conn))
        return;
    if (!ExportSql::relationExists(conn, QStringLiteral("storage.buckets")))
        return skip(r, QStringLiteral("no storage schema (not a Supabase database)"));
    const bool haveObjects = ExportSql::relationExists(conn, QStringLiteral("storage.objects"));
    QString error;

    struct Table { QString name; QString file; QString order; };
    QList<Table> tables{{QStringLiteral("storage.buckets"), QStringLiteral("buckets"), QStringLiteral("t.id")}};
    if (haveObjects)
        tables.append({QStringLiteral("storage.objects"), QStringLiteral("objects"), QStringLiteral("t.bucket_id, t.name")});
    for (const Table &t : tables) {
        ctx.progress(name(), 0, 1, t.name);
        QBuffer sql;
        sql.open(QIODevice::WriteOnly);
        auto rows = ExportSql::writeUpserts(conn, t.name, sql, ExportSql::OnConflict::Update, t.order);
        if (!rows)
            return fail(r, rows.error());
        r.counts.insert(t.file, rows.value());
        if (!ctx.writeFile(r, QStringLiteral("storage/%1.sql").arg(t.file), sql.data(), false, &error))
            return fail(r, error);
        QBuffer csv;
        csv.open(QIODevice::WriteOnly);
        auto copied = ExportSql::copyOut(conn, QStringLiteral("COPY %1 TO STDOUT (FORMAT csv, HEADER)").arg(t.name),
                                         csv, [&] { return ctx.isCancelled(); });
        if (!copied)
            return ctx.isCancelled() ? void() : fail(r, copied.error());
        if (!ctx.writeFile(r, QStringLiteral("storage/%1.csv").arg(t.file), csv.data(), false, &error))
            return fail(r, error);
    }
    if (!haveObjects)
        return;

    const QString storageDir = ctx.request.storageDir;
    if (storageDir.isEmpty() || !QDir(storageDir).exists()) {
        r.warnings << (storageDir.isEmpty()
                           ? QStringLiteral("Object files were not backed up: no storage folder is set for this "
                                            "stack (only the storage.objects rows are in the backup).")
                           : QStringLiteral("Object files were not backed up: the storage folder %1 does not exist.")
                                 .arg(storageDir));
        return;
    }
    auto objects = ExportSql::query(conn, QStringLiteral("SELECT bucket_id, name FROM storage.objects "
                                                         "ORDER BY bucket_id, name"),
                                    QStringLiteral("listing storage objects"));
    if (!objects)
        return fail(r, objects.error());
    QStringList missing;
    qint64 copied = 0;
    const int total = PQntuples(objects->get());
    for (int i = 0; i < total; ++i) {
        if (ctx.isCancelled())
            return;
        const QString rel = PgConnection::value(objects->get(), i, 0) + u'/' + PgConnection::value(objects->get(), i, 1);
        if (rel.split(u'/').contains(QStringLiteral(".."))) {
            r.warnings << QStringLiteral("Object %1 has an unsafe name and was not copied.").arg(rel);
            continue;
        }
        ctx.progress(name(), i, total, rel);
        const QString source = QDir(storageDir).filePath(rel);
        if (!QFileInfo(source).isFile()) {
            missing << rel;
            continue;
        }
        if (!ctx.copyFile(r, source, QStringLiteral("storage/files/") + rel, false, &error))
            return fail(r, error);
        ++copied;
    }
    r.counts.insert(QStringLiteral("files"), copied);
    r.counts.insert(QStringLiteral("missing_files"), missing.size());
    if (!missing.isEmpty()) {
        r.warnings << QStringLiteral("%1 storage object(s) have no file in %2: %3")
                          .arg(missing.size())
                          .arg(storageDir, missing.join(QStringLiteral(", ")));
        if (!ctx.writeFile(r, QStringLiteral("storage/missing_files.txt"), missing.join(u'\n').toUtf8() + '\n', false,
                           &error))
            return fail(r, error);
    }
    ctx.progress(name(), total, total);
}

} // namespace lifeboat
