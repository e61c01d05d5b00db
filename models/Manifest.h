#pragma once

#include "BackupTypes.h"
#include "Result.h"

#include <QByteArray>
#include <QDateTime>
#include <QList>
#include <QString>

namespace lifeboat {

/// The record of one backup: what was backed up, from where, with which tools, and every
/// file with its size and SHA-256. Written last, so a folder with a manifest is complete.
/// Never holds a password.
struct Manifest
{
    static constexpr int CurrentFormat = 1;
    static inline const QString FileName = QStringLiteral("manifest.json");
    static inline const QString MarkdownName = QStringLiteral("BACKUP_MANIFEST.md");
    static inline const QString ChecksumsName = QStringLiteral("SHA256SUMS");
    static inline const QString RestoreScriptName = QStringLiteral("restore.sh");
    /// The `database` component's custom-format archive, the largest file most restores read.
    static inline const QString DatabaseArchive = QStringLiteral("database/database.dump");

    int formatVersion = CurrentFormat;
    QString lifeboatVersion;

    QString stackId;
    QString stackName;
    QString host;
    int port = 0;
    QString database;
    QString user;
    QString projectDir;

    QString serverVersion;
    int serverVersionNum = 0;
    QString pgDumpPath;
    QString pgDumpVersion;
    QString snapshot;

    QDateTime startedAt;
    QDateTime finishedAt;
    qint64 durationMs = 0;
    QStringList requestedComponents;
    QString note; ///< Why it was made, e.g. "before restore of lifeboat-demo 20261127-070314".
    QList<ComponentResult> components;
    QList<ManifestFile> extraFiles; ///< restore.sh and BACKUP_MANIFEST.md

    const ComponentResult *component(const QString &name) const;
    /// Every file the manifest vouches for: component files and extras.
    QList<ManifestFile> allFiles() const;
    qint64 totalSize() const;

    QByteArray toJson() const;
    static Result<Manifest> fromJson(const QByteArray &json, const QString &source);
    /// The same for a person: BACKUP_MANIFEST.md.
    QString toMarkdown() const;
};

} // namespace lifeboat
