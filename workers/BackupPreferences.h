#pragma once

#include "BackupRequest.h"
#include "Stack.h"

#include <QString>

namespace lifeboat {

/// The backup choices a user made, kept in the settings file `lifeboat` and `lifeboat-cli`
/// share, so that a backup of a stack means the same from the window, the tray and a script:
/// the defaults and retention of *Settings…*, and per stack the backup sheet's last choices (backup root,
/// components, parallel connections, compression, storage folder).
class BackupPreferences
{
public:
    /// From Settings…, else BackupRequest's own (2 connections, pg_dump -Z1).
    static int defaultJobs();
    static int defaultCompression();
    static void setDefaults(int jobs, int compression);

    /// Retention: how many complete backups of each stack to keep (0: all). Lifeboat shows
    /// what falls outside and deletes only on request (the window, `lifeboat-cli prune`).
    static int keepLast();
    static void setKeepLast(int keep);

    /// The root the stack's backups go to: the one chosen for it, else the default for its kind
    /// (`<project>/supabase_backups`, or Lifeboat's data folder for a plain profile).
    static QString root(const Stack &stack);
    /// A request carrying the stack's remembered choices, the defaults where there are none.
    static BackupRequest request(const Stack &stack);
    /// Remembers the choices of `request` for its stack: those that differ from the defaults
    /// (the others follow the defaults when they change).
    static void remember(const BackupRequest &request);
};

} // namespace lifeboat
