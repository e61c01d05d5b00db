#pragma once

#include "Stack.h"

#include <QFuture>
#include <QStringList>

namespace lifeboat {

/// Finds Supabase project folders (those holding `supabase/config.toml`) below some roots.
class StackScanner
{
public:
    static constexpr int DefaultMaxDepth = 4;

    /// Reads one project folder. A broken config.toml still gives a stack, with configError set.
    static Stack stackFromProjectDir(const QString &projectDir);

    /// Walks `roots` at most `maxDepth` folders deep, skipping hidden folders, `.git`,
    /// `node_modules` and symbolic links. Results are sorted by project folder.
    static QList<Stack> scanBlocking(const QStringList &roots, int maxDepth = DefaultMaxDepth);

    /// The same, on the thread pool.
    static QFuture<QList<Stack>> scan(const QStringList &roots, int maxDepth = DefaultMaxDepth);
};

} // namespace lifeboat
