#pragma once

#include "Result.h"
#include "Stack.h"

#include <optional>

namespace lifeboat::cli {

/// The stack named by `--project DIR` or `--dsn URL` (exactly one of them non-empty). A
/// password inside the URL is handed back in `urlPassword`, with a warning on stderr.
Result<Stack> stackFromArguments(const QString &projectDir, const QString &dsn, std::optional<QString> *urlPassword);

} // namespace lifeboat::cli
