#pragma once

#include "PgConnection.h"

#include <QString>
#include <QStringList>

#include <map>

namespace lifeboat::test {

/// A deterministic digest of what a user cares about in a database, one entry per object:
/// `table:schema.name` (row count + hash of all rows in a stable order), `sequence:...`
/// (value), `policy:schema.table.name`, `function:schema.name(args)`, `role:name` (attributes),
/// `member:role>member`, `user:id` (email + encrypted_password), `identity:id`,
/// `setting:name`, `extension:name`, `large_objects`.
/// Equal databases give equal fingerprints; round-trip tests compare them.
using Fingerprint = std::map<QString, QString>;

/// Fails (returns an empty map with `error` set) when any query fails.
Fingerprint fingerprint(const PgConnection &conn, QString *error);

/// Keys starting with `prefix` only ("table:", "user:", ...).
Fingerprint onlyKind(const Fingerprint &fp, const QString &prefix);

/// Human-readable differences: "only in a: X", "only in b: Y", "differs: Z (a vs b)".
QStringList differences(const Fingerprint &a, const Fingerprint &b);

} // namespace lifeboat::test
