#include "MigrationsExporter.h"

#include "ExportSql.h"

#include <QBuffer>
#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonObject>
#include <QMap>
#include <QRegularExpression>

namespace lifeboat {

QString MigrationsExporter::normalized(const QString &sql)
{
    // The CLI records statements split and trimmed; compare without whitespace, line
    // comments or statement separators.
    static const QRegularExpression lineComment(QStringLiteral("--[^\\n]*"));
    static const QRegularExpression noise(QStringLiteral("[\\s;]+"));
    QString s = sql;
    s.remove(lineComment);
    s.remove(noise);
    return s;
}

void MigrationsExporter::run(BackupContext &ctx, ComponentResult &r)
{
    const QString dir = ctx.request.stack.projectDir.isEmpty()
        ? QString()
        : ctx.request.stack.projectDir + QStringLiteral("/supabase/migrations");
    const bool haveDir = !dir.isEmpty() && QDir(dir).exists();

    PgConnection conn;
    if (!connect(ctx, r, conn))
        return;
    const bool haveTable = ExportSql::relationExists(conn, QStringLiteral("supabase_migrations.schema_migrations"));
    if (!haveDir && !haveTable)
        return skip(r, QStringLiteral("no supabase/migrations folder and no migration history table"));

    QString error;
    QMap<QString, QString> files; // version -> file content
    QMap<QString, QString> fileNames;
    if (haveDir) {
        const QFileInfoList entries = QDir(dir).entryInfoList({QStringLiteral("*.sql")}, QDir::Files, QDir::Name);
        int n = 0;
        for (const QFileInfo &fi : entries) {
            ctx.progress(name(), n++, entries.size() + 1, fi.fileName());
            if (!ctx.copyFile(r, fi.absoluteFilePath(), QStringLiteral("migrations/files/") + fi.fileName(), false,
                              &error))
                return fail(r, error);
            QFile f(fi.absoluteFilePath());
            f.open(QIODevice::ReadOnly);
            const QString version = fi.fileName().section(u'_', 0, 0);
            files.insert(version, QString::fromUtf8(f.readAll()));
            fileNames.insert(version, fi.fileName());
        }
        r.counts.insert(QStringLiteral("migration_files"), entries.size());
    } else {
        r.warnings << QStringLiteral("No supabase/migrations folder: only the recorded history is backed up.");
    }

    QMap<QString, QString> applied; // version -> joined statements
    if (haveTable) {
        auto rows = ExportSql::query(conn,
                                     QStringLiteral("SELECT version, coalesce(array_to_string(statements, E'\\n'), '') "
                                                    "FROM supabase_migrations.schema_migrations ORDER BY version"),
                                     QStringLiteral("reading the migration history"));
        if (!rows)
            return fail(r, rows.error());
        for (int i = 0; i < PQntuples(rows->get()); ++i)
            applied.insert(PgConnection::value(rows->get(), i, 0), PgConnection::value(rows->get(), i, 1));
        r.counts.insert(QStringLiteral("applied"), applied.size());

        QBuffer sql;
        sql.open(QIODevice::WriteOnly);
        auto upserts = ExportSql::writeUpserts(conn, QStringLiteral("supabase_migrations.schema_migrations"), sql,
                                               ExportSql::OnConflict::Update, QStringLiteral("t.version"));
        if (!upserts)
            return fail(r, upserts.error());
        if (!ctx.writeFile(r, QStringLiteral("migrations/schema_migrations.sql"), sql.data(), false, &error))
            return fail(r, error);
    }

    // Drift, only meaningful with both sides present.
    QJsonArray unapplied, missingFiles, differing;
    if (haveDir && haveTable) {
        for (auto it = files.cbegin(); it != files.cend(); ++it) {
            if (!applied.contains(it.key()))
                unapplied.append(fileNames.value(it.key()));
            else if (normalized(it.value()) != normalized(applied.value(it.key())))
                differing.append(fileNames.value(it.key()));
        }
        for (auto it = applied.cbegin(); it != applied.cend(); ++it)
            if (!files.contains(it.key()))
                missingFiles.append(it.key());
    }
    const QJsonObject drift{{QStringLiteral("unapplied_files"), unapplied},
                            {QStringLiteral("applied_without_file"), missingFiles},
                            {QStringLiteral("changed_after_apply"), differing}};
    r.details.insert(QStringLiteral("drift"), drift);
    auto list = [](const QJsonArray &a) {
        QStringList s;
        for (const QJsonValue &v : a)
            s << v.toString();
        return s.join(QStringLiteral(", "));
    };
    QString report = QStringLiteral("# Migration drift\n\n");
    if (!unapplied.isEmpty()) {
        r.warnings << QStringLiteral("%1 migration file(s) were never applied: %2").arg(unapplied.size()).arg(list(unapplied));
        report += QStringLiteral("- Never applied: %1\n").arg(list(unapplied));
    }
    if (!missingFiles.isEmpty()) {
        r.warnings << QStringLiteral("%1 applied migration(s) have no file: %2").arg(missingFiles.size()).arg(list(missingFiles));
        report += QStringLiteral("- Applied without a file: %1\n").arg(list(missingFiles));
    }
    if (!differing.isEmpty()) {
        r.warnings << QStringLiteral("%1 migration file(s) changed after they were applied: %2")
                          .arg(differing.size())
                          .arg(list(differing));
        report += QStringLiteral("- Changed after being applied: %1\n").arg(list(differing));
    }
    if (unapplied.isEmpty() && missingFiles.isEmpty() && differing.isEmpty())
        report += QStringLiteral("No drift: every file is applied as written, and every applied version has its file.\n");
    r.counts.insert(QStringLiteral("drift"), unapplied.size() + missingFiles.size() + differing.size());
    if (!ctx.writeFile(r, QStringLiteral("migrations/drift.md"), report.toUtf8(), false, &error))
        return fail(r, error);
    ctx.progress(name(), 1, 1);
}

} // namespace lifeboat
