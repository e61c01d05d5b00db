#pragma once

#include "Result.h"
#include "Stack.h"

#include <QStringList>

#include <optional>

namespace lifeboat::cli {

/// The stack named by `--project DIR` or `--dsn URL` (exactly one of them non-empty). A URL
/// that reaches the same server, database and user as one of `profiles` is that profile, so its
/// keychain password, its backup choices and its history apply (said on stderr). A password
/// inside the URL is handed back in `urlPassword`, with a warning on stderr.
Result<Stack> stackFromArguments(const QString &projectDir,
                                 const QString &dsn,
                                 const QList<Stack> &profiles,
                                 std::optional<QString> *urlPassword);

} // namespace lifeboat::cli
