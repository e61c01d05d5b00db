#pragma once

#include "Result.h"
#include "Stack.h"

#include <QByteArray>
#include <QString>

namespace lifeboat {

/// Reads `supabase/config.toml` with toml++. Missing keys take Supabase's defaults;
/// a malformed file gives an error naming the file, the line and the problem.
class SupabaseConfigParser
{
public:
    static Result<SupabaseConfig> parseFile(const QString &path);
    static Result<SupabaseConfig> parse(const QByteArray &text, const QString &sourceName);
};

} // namespace lifeboat
