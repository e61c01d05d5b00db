#pragma once

#include "BackupFileWriter.h"

#include <QByteArray>
#include <QHash>
#include <QMutex>
#include <QString>
#include <QWaitCondition>

#include <functional>
#include <memory>
#include <optional>

namespace lifeboat {

class BackupContext;

/// The CSV of a table, made from its COPY block in the SQL that pg_restore derives from the
/// archive (pg_dump's text format), instead of a second read of the server. pg_dump reads every
/// table in the run's snapshot anyway: deriving the CSVs from that read halves what the server
/// does for a backup. The result is what `COPY table TO STDOUT (FORMAT csv, HEADER)` writes.
namespace copytext {

/// `COPY public."My table" (id, "Name") FROM stdin;` -> schema, table and column names as
/// they are (quotes taken off); nullopt for any other line.
struct CopyStatement
{
    QString schema, table;
    QStringList columns;
};
std::optional<CopyStatement> parseCopyStatement(QByteArrayView line);

/// One CSV field as PostgreSQL's COPY CSV writes it: quoted when it holds a comma, a quote or
/// a line break, when it is empty (so it is not NULL), or when it is `\.` alone on its line.
void appendCsvField(QByteArray &out, QByteArrayView value, bool onlyColumn);
/// One row of COPY's text format (tab-separated, backslash escapes, `\N` for NULL), without
/// its newline, appended to `out` as a CSV line with its newline. False on a malformed escape.
bool appendCsvRow(QByteArray &out, QByteArrayView textRow, int columns);

} // namespace copytext

/// What the two exporters share when both run (database and data_csv): data_csv says whether
/// it wants CSVs from the dump (plan), the database exporter passes it the SQL as pg_restore
/// writes it (push, then end), and data_csv writes the CSVs from it on its own thread
/// (CsvFromDump), so the dump's pipeline does not wait for the conversion. Each side always
/// ends its part, on failure too, so the other never waits for nothing.
class CsvHandoff
{
public:
    /// data_csv: whether it wants the SQL (false when it wants no table from it, or failed).
    void plan(bool wanted);
    /// The database exporter: waits for plan(); false when nothing is wanted or `stop` turned true.
    bool waitForPlan(const std::function<bool()> &stop);
    /// The database exporter: the next bytes of the SQL. Waits while 32 MB are queued; false
    /// once data_csv has stopped reading (then nothing more needs pushing).
    bool push(QByteArrayView bytes, const std::function<bool()> &stop);
    /// The database exporter: no more bytes; `error` when the SQL is not whole (the dump failed).
    void end(const QString &error = {});
    /// data_csv: the next bytes; nullopt at the end (`error` set when the SQL is not whole) or
    /// when `stop` turned true.
    std::optional<QByteArray> pop(const std::function<bool()> &stop, QString *error);
    /// data_csv: stops reading (its own failure); pushes are dropped from now on.
    void abandon();

private:
    /// With m_mutex held: waits until `ready`; false when `stop` turned true first.
    bool waitUntil(const std::function<bool()> &ready, const std::function<bool()> &stop);

    static constexpr qsizetype MaxQueued = 32 << 20;
    QMutex m_mutex;
    QWaitCondition m_changed;
    bool m_planned = false, m_wanted = false, m_ended = false, m_abandoned = false;
    QList<QByteArray> m_queue;
    qsizetype m_queued = 0;
    QString m_error;
};

/// Reads pg_restore's SQL as it grows (feed) and writes the planned tables' CSVs from their
/// COPY blocks. A block is taken only after pg_restore's "Type: TABLE DATA" header, so text
/// that merely looks like a COPY (in a function's body, say) is never mistaken for one.
class CsvFromDump
{
public:
    struct Derived
    {
        QString file; ///< relative to the backup folder
        qint64 rows = 0;
        qint64 size = 0;
        QString sha256;
    };

    CsvFromDump(const BackupContext &ctx, QHash<QString, QString> wanted);
    ~CsvFromDump();

    /// The next bytes of the SQL. False when a CSV cannot be written or a row cannot be read
    /// (error()); the backup then fails, as a failed write of any of its files does.
    bool feed(QByteArrayView bytes);
    /// After the last bytes: false when the SQL ended inside a COPY block.
    bool finish();
    QString error() const { return m_error; }
    QHash<QString, Derived> derived() const { return m_derived; }
    /// CSV bytes written so far (progress).
    qint64 bytesWritten() const { return m_bytesWritten; }

private:
    bool line(QByteArrayView line);
    bool endTable();

    const BackupContext &m_ctx;
    QHash<QString, QString> m_wanted;
    qint64 m_bytesWritten = 0;
    QByteArray m_partial; ///< a line not yet complete
    bool m_afterDataHeader = false;
    bool m_inCopy = false; ///< inside a COPY block (taken or not)
    QString m_table;       ///< the block being taken ("schema.table")
    int m_columns = 0;
    qint64 m_rows = 0;
    std::unique_ptr<BackupFileWriter> m_out;
    QByteArray m_csv; ///< rows gathered for the next write
    QHash<QString, Derived> m_derived;
    QString m_error;
};

} // namespace lifeboat
