#include "Manifest.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLocale>

namespace lifeboat {

namespace {

QJsonObject fileToJson(const ManifestFile &f)
{
    QJsonObject o{{QStringLiteral("path"), f.path},
                  {QStringLiteral("size"), f.size},
                  {QStringLiteral("sha256"), f.sha256}};
    if (f.secret)
        o.insert(QStringLiteral("secret"), true);
    return o;
}

ManifestFile fileFromJson(const QJsonObject &o)
{
    return {o.value(QStringLiteral("path")).toString(), qint64(o.value(QStringLiteral("size")).toDouble()),
            o.value(QStringLiteral("sha256")).toString(), o.value(QStringLiteral("secret")).toBool()};
}

QJsonArray filesToJson(const QList<ManifestFile> &files)
{
    QJsonArray a;
    for (const ManifestFile &f : files)
        a.append(fileToJson(f));
    return a;
}

QList<ManifestFile> filesFromJson(const QJsonArray &a)
{
    QList<ManifestFile> files;
    for (const QJsonValue &v : a)
        files.append(fileFromJson(v.toObject()));
    return files;
}

QString iso(const QDateTime &t)
{
    return t.toUTC().toString(Qt::ISODateWithMs);
}

} // namespace

const ComponentResult *Manifest::component(const QString &name) const
{
    for (const ComponentResult &c : components)
        if (c.name == name)
            return &c;
    return nullptr;
}

QList<ManifestFile> Manifest::allFiles() const
{
    QList<ManifestFile> files;
    for (const ComponentResult &c : components)
        files += c.files;
    files += extraFiles;
    return files;
}

qint64 Manifest::totalSize() const
{
    qint64 total = 0;
    for (const ManifestFile &f : allFiles())
        total += f.size;
    return total;
}

QByteArray Manifest::toJson() const
{
    QJsonArray comps;
    for (const ComponentResult &c : components) {
        QJsonObject counts;
        for (auto it = c.counts.cbegin(); it != c.counts.cend(); ++it)
            counts.insert(it.key(), it.value());
        QJsonObject o{{QStringLiteral("name"), c.name},
                      {QStringLiteral("status"), ComponentResult::statusKey(c.status)},
                      {QStringLiteral("duration_ms"), c.durationMs},
                      {QStringLiteral("counts"), counts},
                      {QStringLiteral("warnings"), QJsonArray::fromStringList(c.warnings)},
                      {QStringLiteral("files"), filesToJson(c.files)}};
        if (!c.message.isEmpty())
            o.insert(QStringLiteral("message"), c.message);
        if (!c.details.isEmpty())
            o.insert(QStringLiteral("details"), c.details);
        comps.append(o);
    }
    const QJsonObject root{
        {QStringLiteral("format_version"), formatVersion},
        {QStringLiteral("lifeboat_version"), lifeboatVersion},
        {QStringLiteral("status"), QStringLiteral("complete")},
        {QStringLiteral("stack"),
         QJsonObject{{QStringLiteral("id"), stackId},
                     {QStringLiteral("name"), stackName},
                     {QStringLiteral("host"), host},
                     {QStringLiteral("port"), port},
                     {QStringLiteral("database"), database},
                     {QStringLiteral("user"), user},
                     {QStringLiteral("project_dir"), projectDir.isEmpty() ? QJsonValue() : QJsonValue(projectDir)}}},
        {QStringLiteral("server"),
         QJsonObject{{QStringLiteral("version"), serverVersion}, {QStringLiteral("version_num"), serverVersionNum}}},
        {QStringLiteral("tools"),
         QJsonObject{{QStringLiteral("pg_dump"), pgDumpPath}, {QStringLiteral("pg_dump_version"), pgDumpVersion}}},
        {QStringLiteral("snapshot"), snapshot},
        {QStringLiteral("started_at"), iso(startedAt)},
        {QStringLiteral("finished_at"), iso(finishedAt)},
        {QStringLiteral("duration_ms"), durationMs},
        {QStringLiteral("requested_components"), QJsonArray::fromStringList(requestedComponents)},
        {QStringLiteral("note"), note},
        {QStringLiteral("components"), comps},
        {QStringLiteral("extra_files"), filesToJson(extraFiles)},
        {QStringLiteral("total_size"), totalSize()},
    };
    return QJsonDocument(root).toJson(QJsonDocument::Indented);
}

Result<Manifest> Manifest::fromJson(const QByteArray &json, const QString &source)
{
    QJsonParseError pe;
    const QJsonDocument doc = QJsonDocument::fromJson(json, &pe);
    if (pe.error != QJsonParseError::NoError || !doc.isObject())
        return Error{QStringLiteral("%1 is not a valid manifest (%2 at offset %3); the backup may be damaged.")
                         .arg(source, pe.errorString())
                         .arg(pe.offset)};
    const QJsonObject r = doc.object();
    Manifest m;
    m.formatVersion = r.value(QStringLiteral("format_version")).toInt();
    if (m.formatVersion < 1 || m.formatVersion > CurrentFormat)
        return Error{QStringLiteral("%1 has manifest format %2; this Lifeboat reads up to %3. Update Lifeboat.")
                         .arg(source)
                         .arg(m.formatVersion)
                         .arg(CurrentFormat)};
    m.lifeboatVersion = r.value(QStringLiteral("lifeboat_version")).toString();
    const QJsonObject s = r.value(QStringLiteral("stack")).toObject();
    m.stackId = s.value(QStringLiteral("id")).toString();
    m.stackName = s.value(QStringLiteral("name")).toString();
    m.host = s.value(QStringLiteral("host")).toString();
    m.port = s.value(QStringLiteral("port")).toInt();
    m.database = s.value(QStringLiteral("database")).toString();
    m.user = s.value(QStringLiteral("user")).toString();
    m.projectDir = s.value(QStringLiteral("project_dir")).toString();
    const QJsonObject server = r.value(QStringLiteral("server")).toObject();
    m.serverVersion = server.value(QStringLiteral("version")).toString();
    m.serverVersionNum = server.value(QStringLiteral("version_num")).toInt();
    const QJsonObject tools = r.value(QStringLiteral("tools")).toObject();
    m.pgDumpPath = tools.value(QStringLiteral("pg_dump")).toString();
    m.pgDumpVersion = tools.value(QStringLiteral("pg_dump_version")).toString();
    m.snapshot = r.value(QStringLiteral("snapshot")).toString();
    m.startedAt = QDateTime::fromString(r.value(QStringLiteral("started_at")).toString(), Qt::ISODateWithMs);
    m.finishedAt = QDateTime::fromString(r.value(QStringLiteral("finished_at")).toString(), Qt::ISODateWithMs);
    m.durationMs = qint64(r.value(QStringLiteral("duration_ms")).toDouble());
    for (const QJsonValue &v : r.value(QStringLiteral("requested_components")).toArray())
        m.requestedComponents << v.toString();
    m.note = r.value(QStringLiteral("note")).toString();
    for (const QJsonValue &v : r.value(QStringLiteral("components")).toArray()) {
        const QJsonObject o = v.toObject();
        ComponentResult c;
        c.name = o.value(QStringLiteral("name")).toString();
        c.status = ComponentResult::statusFromKey(o.value(QStringLiteral("status")).toString());
        c.message = o.value(QStringLiteral("message")).toString();
        c.durationMs = qint64(o.value(QStringLiteral("duration_ms")).toDouble());
        const QJsonObject counts = o.value(QStringLiteral("counts")).toObject();
        for (auto it = counts.begin(); it != counts.end(); ++it)
            c.counts.insert(it.key(), qint64(it.value().toDouble()));
        for (const QJsonValue &w : o.value(QStringLiteral("warnings")).toArray())
            c.warnings << w.toString();
        c.files = filesFromJson(o.value(QStringLiteral("files")).toArray());
        c.details = o.value(QStringLiteral("details")).toObject();
        m.components.append(c);
    }
    m.extraFiles = filesFromJson(r.value(QStringLiteral("extra_files")).toArray());
    return m;
}

QString Manifest::toMarkdown() const
{
    const QLocale c = QLocale::c();
    QString md;
    md += QStringLiteral("# Lifeboat backup of %1\n\n").arg(stackName);
    md += QStringLiteral("| | |\n|---|---|\n");
    md += QStringLiteral("| Database | %1:%2/%3 as %4 |\n").arg(host).arg(port).arg(database, user);
    if (!projectDir.isEmpty())
        md += QStringLiteral("| Project folder | `%1` |\n").arg(projectDir);
    md += QStringLiteral("| Server | PostgreSQL %1 |\n").arg(serverVersion);
    md += QStringLiteral("| pg_dump | %1 (`%2`) |\n").arg(pgDumpVersion, pgDumpPath);
    md += QStringLiteral("| Started | %1 |\n").arg(iso(startedAt));
    md += QStringLiteral("| Finished | %1 (%2 s) |\n").arg(iso(finishedAt)).arg(double(durationMs) / 1000.0, 0, 'f', 1);
    md += QStringLiteral("| Snapshot | `%1` (every component read this one snapshot) |\n").arg(snapshot);
    if (!note.isEmpty())
        md += QStringLiteral("| Note | %1 |\n").arg(note);
    md += QStringLiteral("| Size | %1 bytes in %2 files |\n\n").arg(c.toString(totalSize())).arg(allFiles().size());
    md += QStringLiteral("Restore without Lifeboat: `./restore.sh --help`. It checks every checksum first.\n\n");

    md += QStringLiteral("## Components\n\n| Component | Status | Counts | Files |\n|---|---|---|---|\n");
    for (const ComponentResult &comp : components) {
        QStringList counts;
        for (auto it = comp.counts.cbegin(); it != comp.counts.cend(); ++it)
            counts << QStringLiteral("%1 %2").arg(c.toString(it.value()), it.key());
        QString status = ComponentResult::statusKey(comp.status);
        if (!comp.message.isEmpty())
            status += QStringLiteral(": ") + comp.message;
        md += QStringLiteral("| %1 | %2 | %3 | %4 |\n")
                  .arg(comp.name, status, counts.join(QStringLiteral(", ")))
                  .arg(comp.files.size());
    }
    for (const ComponentResult &comp : components) {
        if (comp.warnings.isEmpty())
            continue;
        md += QStringLiteral("\n### Warnings: %1\n\n").arg(comp.name);
        for (const QString &w : comp.warnings)
            md += QStringLiteral("- %1\n").arg(w);
    }
    md += QStringLiteral("\n## Files\n\nFiles marked **secret** hold credentials (password hashes, keys, `.env`): "
                         "keep them private.\n\n| File | Size | SHA-256 |\n|---|---:|---|\n");
    for (const ManifestFile &f : allFiles())
        md += QStringLiteral("| `%1`%2 | %3 | `%4` |\n")
                  .arg(f.path, f.secret ? QStringLiteral(" **secret**") : QString(), c.toString(f.size), f.sha256);
    return md;
}

} // namespace lifeboat
