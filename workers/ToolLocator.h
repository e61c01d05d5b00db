#pragma once

#include "Result.h"

#include <QString>
#include <QStringList>

namespace lifeboat {

/// A PostgreSQL client program found on this machine.
struct PgTool
{
    QString name;
    QString path;
    QString version; ///< "15.20"
    int major = 0;
};

/// Finds pg_dump, pg_restore, pg_dumpall and psql whose major version is at least the
/// server's: the same major when there is one, else the newest. Looks in LIFEBOAT_PG_BINDIR,
/// /usr/lib/postgresql/*/bin and PATH.
class ToolLocator
{
public:
    static Result<PgTool> find(const QString &name, int serverMajor);
    /// Runs `path --version`; 0 major when it does not answer like a PostgreSQL tool.
    static PgTool probe(const QString &name, const QString &path);
};

} // namespace lifeboat
