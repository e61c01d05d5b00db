// The plan's steps: roles, archive sections, rows, grants, files, in the order the issue asks.
#include "Planner.h"

#include "ExportSql.h"

#include <QDir>
#include <QDirIterator>
#include <QFile>
#include <QFileInfo>
#include <QHash>
#include <QMap>
#include <QRegularExpression>
#include <QSet>

#include <algorithm>

namespace lifeboat::restore {

void Planner::addSqlStep(const QString &phase, const QString &title, const QStringList &touches, const QString &script,
                         qint64 weight)
{
    RestoreStep s;
    s.kind = RestoreStep::Kind::Sql;
    s.phase = phase;
    s.title = title;
    s.touches = touches;
    s.script = script;
    s.weight = weight;
    plan.steps.append(s);
}

// The ordered steps, each a bash fragment (SQL for psql, or a command).
void Planner::buildSteps()
{
    // ---- steps ----
    const bool existing = !newDatabase;
    if (existing && opt.safetyBackup && !sel.isEmpty()) {
        RestoreStep s;
        s.kind = RestoreStep::Kind::SafetyBackup;
        s.phase = QStringLiteral("safety");
        s.title = QStringLiteral("Back up %1 before changing it").arg(plan.target.stack.name);
        s.touches = {QStringLiteral("nothing (reads the target)")};
        s.transactional = false;
        s.weight = 1000;
        plan.steps << s;
    } else if (existing && !opt.safetyBackup) {
        plan.warnings << QStringLiteral("No safety backup: there is no way back from this restore but another backup.");
    }
    if (newDatabase) {
        RestoreStep s;
        s.kind = RestoreStep::Kind::CreateDatabase;
        s.phase = QStringLiteral("database");
        s.title = QStringLiteral("Create database %1").arg(plan.target.newDatabase);
        s.touches = {plan.target.newDatabase};
        s.transactional = false;
        s.script = QStringLiteral("PGDATABASE=%1 psql -X -q -v ON_ERROR_STOP=1 -f - <<'LIFEBOAT_SQL_END'\n"
                                  "CREATE DATABASE %2;\nLIFEBOAT_SQL_END\n")
                       .arg(shellQuote(plan.target.stack.connection.database), ExportSql::quoteIdent(plan.target.newDatabase));
        plan.steps << s;
    }

    addRoleStep();

    const bool noOwner = !plan.keepOwners;
    auto idsOf = [&](const QSet<int> &set, const std::function<bool(const ArchiveEntry &)> &pred) {
        QList<int> out;
        for (const ArchiveEntry &e : toc.entries())
            if (set.contains(e.id) && pred(e))
                out << e.id;
        return out;
    };
    auto namesOf = [&](const QList<int> &ids, bool tablesOnly) {
        QStringList out;
        for (int id : ids) {
            const ArchiveEntry *e = toc.entry(id);
            if (!tablesOnly || e->desc == QLatin1String("TABLE") || e->desc == QLatin1String("TABLE DATA"))
                out << (tablesOnly ? e->qualifiedName() : e->display());
        }
        return out;
    };
    // pg_restore --section picks each section's entries from the whole list; the counts below
    // only describe the steps.
    // In an existing database, re-created objects pick up its default privileges: their grants
    // are reset and then restored in a step of their own, so they end up exactly as backed up.
    const bool separateGrants = !newDatabase;
    const QList<int> allDefs = idsOf(defs, [&](const ArchiveEntry &e) {
        return !separateGrants || e.desc != QLatin1String("ACL");
    });
    const QList<int> aclIds = idsOf(defs, [&](const ArchiveEntry &e) {
        return separateGrants && e.desc == QLatin1String("ACL");
    });
    const QList<int> pre = idsOf(defs, [](const ArchiveEntry &e) { return e.section() != QLatin1String("post-data"); });
    const QList<int> post = idsOf(defs, [](const ArchiveEntry &e) { return e.section() == QLatin1String("post-data"); });
    auto isSystemData = [](const ArchiveEntry &e) { return SupabaseSchemas.contains(e.schema); };
    QSet<int> appendIds;
    for (const QString &t : appendedTables)
        if (const ArchiveEntry *d = toc.find(QStringLiteral("TABLE DATA"), t.section(u'.', 0, 0), t.section(u'.', 1)))
            appendIds.insert(d->id);
    // A materialized view's data is a REFRESH in pg_dump's post-data section: it runs with the
    // post-data step, after every table's rows.
    auto isRefresh = [](const ArchiveEntry &e) {
        return e.section() == QLatin1String("post-data");
    };
    const QList<int> systemData = idsOf(
        dataIds, [&](const ArchiveEntry &e) { return isSystemData(e) && !appendIds.contains(e.id) && !isRefresh(e); });
    const QList<int> appData = idsOf(
        dataIds, [&](const ArchiveEntry &e) { return !isSystemData(e) && !appendIds.contains(e.id) && !isRefresh(e); });
    QSet<int> postIds = defs;
    for (int id : dataIds)
        if (const ArchiveEntry *e = toc.entry(id); e && isRefresh(*e))
            postIds.insert(id);
    const QList<int> postList
        = idsOf(postIds, [&](const ArchiveEntry &e) { return !separateGrants || e.desc != QLatin1String("ACL"); });
    auto weightOf = [&](const QList<int> &ids) {
        qint64 w = 1;
        for (int id : ids) {
            const ArchiveEntry *e = toc.entry(id);
            if (const RestoreItem *i = inv.item(QStringLiteral("table:") + e->qualifiedName()))
                w += i->size;
        }
        return w;
    };
    auto rowsOf = [&](const QList<int> &ids) {
        qint64 n = 0;
        for (int id : ids) {
            const ArchiveEntry *e = toc.entry(id);
            if (const RestoreItem *i = inv.item(QStringLiteral("table:") + e->qualifiedName()))
                n += std::max<qint64>(0, i->rows);
        }
        return n;
    };

    if (!pre.isEmpty() || !replacedTables.isEmpty()) {
        QString script;
        if (!replacedTables.isEmpty()) {
            QStringList drops;
            for (const QString &t : replacedTables)
                drops << QStringLiteral("DROP TABLE IF EXISTS %1 CASCADE;")
                             .arg(ExportSql::qualified(t.section(u'.', 0, 0), t.section(u'.', 1)));
            script += heredoc(drops.join(u'\n'));
        }
        if (!pre.isEmpty())
            script += pgRestoreSql(allDefs, QStringLiteral("pre-data"), noOwner, noAcl);
        addSqlStep(QStringLiteral("pre-data"),
                   replacedTables.isEmpty()
                       ? QStringLiteral("Schemas, types, tables and functions (%1)")
                             .arg(plural(int(pre.size()), "object", "objects"))
                       : QStringLiteral("Drop %1 and create %2")
                             .arg(plural(int(replacedTables.size()), "replaced table", "replaced tables"),
                                  plural(int(pre.size()), "object", "objects")),
                   replacedTables + namesOf(pre, false).mid(0, 50),
                   script);
    }

    // Auth and storage rows: triggers off (superuser) so sign-up hooks do not fire again.
    const QString replicaOn = st.superuser ? QStringLiteral("SET session_replication_role = replica;") : QString();
    const QString replicaOff = st.superuser ? QStringLiteral("RESET session_replication_role;") : QString();
    QStringList userLines, bucketLines;
    // Tables this plan creates get their keys only in post-data, after these rows: their rows
    // go in with a plain ON CONFLICT DO NOTHING (nothing can conflict in a new table).
    QSet<QString> created;
    for (int id : defs)
        if (const ArchiveEntry *e = toc.entry(id); e && e->desc == QLatin1String("TABLE"))
            created.insert(e->qualifiedName());
    // Rows of a table whose whole data this plan restores come from the archive already.
    auto wholeTable = [&](const QString &table) {
        const ArchiveEntry *d = toc.find(QStringLiteral("TABLE DATA"), table.section(u'.', 0, 0), table.section(u'.', 1));
        return d && dataIds.contains(d->id);
    };
    auto rowStatement = [&](const RowStatement &r) {
        return opt.rows == RowConflict::Skip || created.contains(r.table) ? skipExisting(r.statement) : r.statement;
    };
    for (const RowStatement &r : inv.userRows) {
        const QString owner = r.table == QLatin1String("auth.users") ? r.row.value(QStringLiteral("id")).toString()
                                                                     : r.row.value(QStringLiteral("user_id")).toString();
        if (pickedUserIds.contains(owner) && !wholeTable(r.table))
            userLines << rowStatement(r);
    }
    QSet<QString> pickedBuckets;
    for (const RestoreItem &b : buckets)
        pickedBuckets.insert(b.key);
    for (const RowStatement &r : inv.storageRows) {
        const QString bucket = r.table == QLatin1String("storage.buckets") ? r.row.value(QStringLiteral("id")).toString()
                                                                           : r.row.value(QStringLiteral("bucket_id")).toString();
        if (pickedBuckets.contains(bucket) && !wholeTable(r.table))
            bucketLines << rowStatement(r);
    }
    if (newDatabase) {
        // Straight into the new database, two jobs, outside a transaction: a failure leaves a
        // database to drop, nothing else.
        if (!systemData.isEmpty() || !appData.isEmpty()) {
            RestoreStep s;
            s.kind = RestoreStep::Kind::Command;
            s.phase = QStringLiteral("data");
            s.title = QStringLiteral("Rows of %1").arg(plural(int(namesOf(systemData + appData, true).size()), "table", "tables"));
            s.touches = namesOf(systemData + appData, true);
            s.transactional = false;
            s.weight = weightOf(systemData + appData);
            s.rows = rowsOf(systemData + appData);
            s.script = pgRestoreDirect(systemData + appData, QStringLiteral("data"), noOwner, noAcl, st.superuser);
            plan.steps << s;
        }
    }
    if (!newDatabase && !truncatedTables.isEmpty()) {
        QStringList names;
        for (const QString &t : truncatedTables) {
            // A partitioned table holds no rows of its own (TRUNCATE ONLY refuses it): its
            // partitions are in the list.
            const ArchiveEntry *e = toc.find(QStringLiteral("TABLE"), t.section(u'.', 0, 0), t.section(u'.', 1));
            if (e && !childTables(*e).isEmpty() && !toc.find(QStringLiteral("TABLE DATA"), e->schema, e->tag))
                continue;
            names << ExportSql::qualified(t.section(u'.', 0, 0), t.section(u'.', 1));
        }
        QString sql;
        if (names.isEmpty()) {
            // nothing holds rows of its own
        } else if (st.superuser) {
            sql = replicaOn + u'\n';
            for (const QString &n : names)
                sql += QStringLiteral("DELETE FROM ONLY %1;\n").arg(n);
            sql += replicaOff;
        } else {
            sql = QStringLiteral("TRUNCATE ONLY %1;").arg(names.join(QStringLiteral(", ")));
        }
        if (!sql.isEmpty())
            addSqlStep(QStringLiteral("data"),
                       QStringLiteral("Empty %1 (reloaded from the backup next)")
                           .arg(truncatedTables.join(QStringLiteral(", "))),
                       truncatedTables,
                       heredoc(sql));
    }
    if (!newDatabase && !systemData.isEmpty()) {
        addSqlStep(QStringLiteral("auth and storage data"),
                   QStringLiteral("Rows of %1 (triggers off)").arg(namesOf(systemData, true).join(QStringLiteral(", "))),
                   namesOf(systemData, true),
                   heredoc(replicaOn) + pgRestoreSql(systemData, QStringLiteral("data"), false, false) + heredoc(replicaOff),
                   weightOf(systemData));
        plan.steps.last().rows = rowsOf(systemData);
    }
    if (!userLines.isEmpty())
        plan.filesUsed << QStringLiteral("auth_users/users.sql");
    if (!bucketLines.isEmpty())
        plan.filesUsed << QStringLiteral("storage/buckets.sql") << QStringLiteral("storage/objects.sql");
    if (!defs.isEmpty() || !dataIds.isEmpty())
        plan.filesUsed << Manifest::DatabaseArchive;
    if (!userLines.isEmpty() || !bucketLines.isEmpty()) {
        QString script = heredoc(replicaOn + u'\n' + userLines.join(u'\n') + u'\n' + bucketLines.join(u'\n') + u'\n' + replicaOff);
        QStringList touches;
        if (!userLines.isEmpty())
            touches << QStringLiteral("auth.users") << QStringLiteral("auth.identities");
        if (!bucketLines.isEmpty())
            touches << QStringLiteral("storage.buckets") << QStringLiteral("storage.objects");
        addSqlStep(QStringLiteral("auth and storage data"),
                   QStringList{userLines.isEmpty() ? QString() : plural(int(users.size()), "user with identities", "users with identities"),
                               bucketLines.isEmpty() ? QString() : plural(int(buckets.size()), "storage bucket", "storage buckets")}
                       .filter(QRegularExpression(QStringLiteral(".")))
                       .join(QStringLiteral(", ")),
                   touches, script, userLines.size() + bucketLines.size());
    }
    const bool reload = !newDatabase && !truncatedTables.isEmpty();
    if (!newDatabase && !appData.isEmpty()) {
        QString script;
        if (reload && st.superuser)
            script += heredoc(replicaOn);
        script += pgRestoreSql(appData, QStringLiteral("data"), false, false);
        if (reload && st.superuser)
            script += heredoc(replicaOff);
        addSqlStep(QStringLiteral("data"), QStringLiteral("Rows of %1").arg(namesOf(appData, true).join(QStringLiteral(", "))),
                   namesOf(appData, true), script, weightOf(appData));
        plan.steps.last().rows = rowsOf(appData);
    }
    if (reload && st.superuser) {
        // The reloaded rows and every foreign key into or out of them must agree.
        QStringList regclasses;
        for (const QString &t : truncatedTables)
            regclasses << QStringLiteral("'%1'::regclass").arg(ExportSql::qualified(t.section(u'.', 0, 0), t.section(u'.', 1)).replace(u'\'', QStringLiteral("''")));
        addSqlStep(QStringLiteral("data"), QStringLiteral("Check the foreign keys of the reloaded tables"), truncatedTables,
                   heredoc(QStringLiteral(
                               "DO $lifeboat$ DECLARE r record; bad bigint; BEGIN\n"
                               "FOR r IN SELECT k.conname, k.conrelid::regclass AS child, k.confrelid::regclass AS parent,\n"
                               "  (SELECT string_agg(format('c.%I = p.%I', ca.attname, pa.attname), ' AND ') FROM unnest(k.conkey, k.confkey) AS x(c, p)\n"
                               "    JOIN pg_attribute ca ON ca.attrelid = k.conrelid AND ca.attnum = x.c\n"
                               "    JOIN pg_attribute pa ON pa.attrelid = k.confrelid AND pa.attnum = x.p) AS cond,\n"
                               "  (SELECT string_agg(format('c.%I IS NOT NULL', ca.attname), ' AND ') FROM unnest(k.conkey) AS x(c)\n"
                               "    JOIN pg_attribute ca ON ca.attrelid = k.conrelid AND ca.attnum = x.c) AS present\n"
                               "  FROM pg_constraint k WHERE k.contype = 'f' AND (k.confrelid = ANY(ARRAY[%1]) OR k.conrelid = ANY(ARRAY[%1]))\n"
                               "LOOP\n"
                               "  EXECUTE format('SELECT count(*) FROM %s c WHERE %s AND NOT EXISTS (SELECT 1 FROM %s p WHERE %s)',\n"
                               "                 r.child, r.present, r.parent, r.cond) INTO bad;\n"
                               "  IF bad > 0 THEN\n"
                               "    RAISE EXCEPTION '% row(s) of % refer to rows of % that are not there (foreign key %)', bad, r.child, r.parent, r.conname\n"
                               "      USING HINT = 'Restore the referenced table too, or choose replace.';\n"
                               "  END IF;\n"
                               "END LOOP; END $lifeboat$;")
                               .arg(regclasses.join(QStringLiteral(", ")))));
    }
    for (const QString &t : appendedTables) {
        const ArchiveEntry *table = toc.find(QStringLiteral("TABLE"), t.section(u'.', 0, 0), t.section(u'.', 1));
        const ArchiveEntry *data = toc.find(QStringLiteral("TABLE DATA"), t.section(u'.', 0, 0), t.section(u'.', 1));
        if (!table || !data)
            continue;
        const QString q = ExportSql::qualified(table->schema, table->tag);
        QString spelled = QRegularExpression::escape(spelledName(*table));
        spelled.replace(u'/', QStringLiteral("\\/"));
        QString script = heredoc(QStringLiteral("CREATE TEMP TABLE lifeboat_append (LIKE %1) ON COMMIT DROP;").arg(q));
        script += QStringLiteral("pg_restore --section=data -L <(printf '%s;\\n' %1) -f - database/database.dump | strip_restrict"
                                 " | sed -E 's/^COPY %2 /COPY pg_temp.lifeboat_append /'\n")
                      .arg(data->id)
                      .arg(spelled.replace(u'\'', QStringLiteral("'\\''")));
        script += heredoc(QStringLiteral(
                              "DO $lifeboat$ DECLARE cols text; BEGIN\n"
                              "  SELECT string_agg(quote_ident(attname), ', ' ORDER BY attnum) INTO cols FROM pg_attribute\n"
                              "   WHERE attrelid = '%1'::regclass AND attnum > 0 AND NOT attisdropped AND attgenerated = '';\n"
                              "  EXECUTE format('INSERT INTO %2 (%s) OVERRIDING SYSTEM VALUE SELECT %s FROM pg_temp.lifeboat_append "
                              "ON CONFLICT DO NOTHING', cols, cols);\nEND $lifeboat$;\nDROP TABLE pg_temp.lifeboat_append;")
                              .arg(QString(q).replace(u'\'', QStringLiteral("''")), QString(q).replace(u'\'', QStringLiteral("''"))));
        addSqlStep(QStringLiteral("data"), QStringLiteral("Add the backup's rows to %1").arg(t), {t}, script,
                   weightOf({data->id}));
        plan.steps.last().rows = rowsOf({data->id});
    }
    if (!postList.isEmpty()) {
        const QString title = QStringLiteral("Indexes, constraints, triggers and policies (%1)")
                                  .arg(plural(int(post.size()), "object", "objects"));
        if (newDatabase) {
            RestoreStep s;
            s.kind = RestoreStep::Kind::Command;
            s.phase = QStringLiteral("post-data");
            s.title = title;
            s.touches = namesOf(post, false).mid(0, 50);
            s.transactional = false;
            s.weight = std::max<qint64>(1, weightOf(appData + systemData) / 3);
            s.script = pgRestoreDirect(postList, QStringLiteral("post-data"), noOwner, noAcl, false);
            plan.steps << s;
        } else {
            addSqlStep(QStringLiteral("post-data"),
                       title,
                       namesOf(post, false).mid(0, 50),
                       pgRestoreSql(postList, QStringLiteral("post-data"), noOwner, noAcl));
        }
    }
    if (!aclIds.isEmpty()) {
        QString reset;
        for (int id : aclIds) {
            const ArchiveEntry *acl = toc.entry(id);
            for (int d : acl->deps) {
                const ArchiveEntry *o = toc.entry(d);
                if (!o)
                    continue;
                QString keyword, lookup, aclColumn, ownerColumn, catalog;
                bool keepPublic = false;
                if (o->desc == QLatin1String("TABLE") || o->desc == QLatin1String("VIEW")
                    || o->desc == QLatin1String("MATERIALIZED VIEW") || o->desc == QLatin1String("FOREIGN TABLE")
                    || o->desc == QLatin1String("SEQUENCE")) {
                    keyword = o->desc == QLatin1String("SEQUENCE") ? QStringLiteral("SEQUENCE") : QStringLiteral("TABLE");
                    lookup = QStringLiteral("'%1'::regclass").arg(ExportSql::qualified(o->schema, o->tag).replace(u'\'', QStringLiteral("''")));
                    catalog = QStringLiteral("pg_class");
                    aclColumn = QStringLiteral("relacl");
                    ownerColumn = QStringLiteral("relowner");
                } else if (FunctionDescs.contains(o->desc) && o->desc != QLatin1String("AGGREGATE")) {
                    keyword = o->desc;
                    const QString name = o->tag.section(u'(', 0, 0);
                    const QString args = o->tag.mid(name.size());
                    lookup = QStringLiteral("'%1'::regprocedure").arg(QString(ExportSql::qualified(o->schema, name) + args).replace(u'\'', QStringLiteral("''")));
                    catalog = QStringLiteral("pg_proc");
                    aclColumn = QStringLiteral("proacl");
                    ownerColumn = QStringLiteral("proowner");
                    keepPublic = true; // EXECUTE for PUBLIC is the default the archive's grants start from
                } else {
                    continue;
                }
                const QString target = keyword == QLatin1String("TABLE") || keyword == QLatin1String("SEQUENCE")
                                           ? ExportSql::qualified(o->schema, o->tag)
                                           : ExportSql::qualified(o->schema, o->tag.section(u'(', 0, 0)) + o->tag.mid(o->tag.section(u'(', 0, 0).size());
                reset += QStringLiteral("DO $lifeboat$ DECLARE g text; BEGIN FOR g IN SELECT DISTINCT CASE WHEN a.grantee = 0 "
                                        "THEN 'PUBLIC' ELSE quote_ident(r.rolname) END FROM %1 c, aclexplode(c.%2) a "
                                        "LEFT JOIN pg_roles r ON r.oid = a.grantee WHERE c.oid = %3 AND a.grantee <> c.%4%5 "
                                        "LOOP EXECUTE format('REVOKE ALL ON %6 %7 FROM %s', g); END LOOP; END $lifeboat$;\n")
                             .arg(catalog, aclColumn, lookup, ownerColumn,
                                  keepPublic ? QStringLiteral(" AND a.grantee <> 0") : QString(), keyword,
                                  QString(target).replace(u'\'', QStringLiteral("''")).replace(u'%', QStringLiteral("%%")));
                break;
            }
        }
        QStringList ids;
        for (int id : aclIds)
            ids << QString::number(id);
        addSqlStep(QStringLiteral("grants"), QStringLiteral("Grants on the restored objects (%1)").arg(aclIds.size()),
                   namesOf(aclIds, false).mid(0, 50),
                   heredoc(reset) + QStringLiteral("pg_restore -L <(printf '%s;\\n' %1)%2 -f - database/database.dump | strip_restrict\n")
                                        .arg(ids.join(u' '), noAcl ? QStringLiteral(" --no-acl") : QString()));
    }
    for (const RestoreItem &p : policies)
        plan.filesUsed << QStringLiteral("rls_policies/%1.sql").arg(p.key);
    for (const RestoreItem &f : functionsToRun)
        plan.filesUsed << QStringLiteral("functions/%1.sql").arg(f.key);
    if (settings)
        plan.filesUsed << QStringLiteral("roles/database_settings.sql") << QStringLiteral("roles/database_grants.sql");
    if (encryption)
        plan.filesUsed << QStringLiteral("encryption/settings.sql");
    if (roleAssignments)
        plan.filesUsed << QStringLiteral("user_roles");
    for (const RestoreItem &p : policies)
        addSqlStep(QStringLiteral("policies"), QStringLiteral("Row-level security of %1").arg(p.key), {p.key},
                   heredoc(policyText.value(p.key)));
    static const QRegularExpression ownerLine(QStringLiteral("^ALTER \\S+ .* OWNER TO (\\S+);$"));
    for (const RestoreItem &f : functionsToRun) {
        const QString text = readText(inv.absolutePath(QStringLiteral("functions/%1.sql").arg(f.key)));
        QStringList lines;
        for (const QString &line : text.split(u'\n')) {
            const auto m = ownerLine.match(line);
            if (m.hasMatch() && !plan.keepOwners) {
                const QString owner = unquote(m.captured(1));
                if (owner != st.role) {
                    if (!st.roles.value(owner, false)) {
                        plan.ownersNotSet << QStringLiteral("FUNCTION %1 (owner %2)").arg(f.key, owner);
                        continue;
                    }
                }
            }
            lines << line;
        }
        addSqlStep(QStringLiteral("functions"), QStringLiteral("Function %1").arg(f.key), {f.key}, heredoc(lines.join(u'\n')));
    }
    if (settings) {
        QString script;
        for (const char *f : {"roles/database_settings.sql", "roles/database_grants.sql"})
            if (inv.has(QLatin1String(f)))
                script += QStringLiteral("strip_restrict < %1\n").arg(QLatin1String(f));
        addSqlStep(QStringLiteral("grants"), QStringLiteral("Database settings and grants"), {QStringLiteral("the database")}, script);
    }
    if (encryption)
        addSqlStep(QStringLiteral("grants"), QStringLiteral("Secret database settings (encryption)"),
                   {QStringLiteral("the database")}, QStringLiteral("strip_restrict < encryption/settings.sql\n"));
    if (roleAssignments) {
        QString script;
        const QStringList files = QDir(inv.absolutePath(QStringLiteral("user_roles"))).entryList({QStringLiteral("*.sql")}, QDir::Files, QDir::Name);
        for (const QString &f : files) {
            if (opt.rows == RowConflict::Skip)
                script += QStringLiteral("sed -E 's/ ON CONFLICT .*$/ ON CONFLICT DO NOTHING;/' user_roles/%1\n").arg(f);
            else
                script += QStringLiteral("strip_restrict < user_roles/%1\n").arg(f);
        }
        addSqlStep(QStringLiteral("grants"), QStringLiteral("Role assignments, memberships and table grants"), files, script);
    }
    QStringList historyLines;
    QSet<QString> pickedVersions;
    for (const RestoreItem &m : migrations)
        pickedVersions.insert(m.key);
    for (const RowStatement &r : inv.migrationRows)
        if (history || pickedVersions.contains(r.row.value(QStringLiteral("version")).toString()))
            historyLines << (opt.rows == RowConflict::Skip ? skipExisting(r.statement) : r.statement);
    if (!historyLines.isEmpty()) {
        plan.filesUsed << QStringLiteral("migrations/schema_migrations.sql");
        if (!st.hasMigrationHistory && !restoredTables.contains(QStringLiteral("supabase_migrations.schema_migrations")))
            plan.warnings << QStringLiteral("The target has no supabase_migrations.schema_migrations table: the migration "
                                            "history is not restored.");
        else
            addSqlStep(QStringLiteral("migration history"),
                       QStringLiteral("%1 in supabase_migrations.schema_migrations").arg(plural(int(historyLines.size()), "row", "rows")),
                       {QStringLiteral("supabase_migrations.schema_migrations")}, heredoc(historyLines.join(u'\n')));
    }

    addFileSteps();
    if (plan.steps.isEmpty() || (plan.steps.size() == 1 && plan.steps.first().kind == RestoreStep::Kind::SafetyBackup))
        plan.blockers << QStringLiteral(
            "Nothing to do: everything picked would be left as it is in the target (see the "
            "warnings and conflicts above).");
}

// The roles the plan restores or needs, from roles.sql, never touching the connecting role.
void Planner::addRoleStep()
{
    // Roles.
    QStringList roleLines;
    QStringList roleNames;
    auto roleSql = [&](const QString &r) {
        for (const QString &line : roleFile.byRole.value(r)) {
            if (r == st.role)
                continue; // never change the role we are connected as
            if (line.startsWith(QLatin1String("CREATE ROLE")) && st.roles.contains(r))
                continue;
            if (st.roles.contains(r) && opt.rows == RowConflict::Skip)
                continue;
            roleLines << line;
        }
        roleNames << r;
    };
    if (roles) {
        for (auto it = roleFile.byRole.cbegin(); it != roleFile.byRole.cend(); ++it)
            roleSql(it.key());
        for (const QString &g : roleFile.memberships)
            roleLines << g;
    } else {
        QStringList needed(neededRoles.begin(), neededRoles.end());
        needed.sort();
        for (const QString &r : needed)
            if (roleFile.byRole.contains(r))
                roleSql(r);
    }
    if (!roleLines.isEmpty())
        plan.filesUsed << QStringLiteral("roles/roles.sql");
    if (!roleLines.isEmpty())
        addSqlStep(QStringLiteral("roles"), roles ? QStringLiteral("PostgreSQL roles and memberships")
                                                  : QStringLiteral("Roles the restored objects need: %1").arg(roleNames.join(QStringLiteral(", "))),
                   roleNames, heredoc(roleLines.join(u'\n')));

}

// Migration, edge function, project and storage files, never overwriting silently.
void Planner::addFileSteps()
{
    // Files.
    const QString mode = fileConflictKey(opt.files);
    auto fileStep = [&](const QString &title, const QStringList &pairs) {
        RestoreStep s;
        s.kind = RestoreStep::Kind::Files;
        s.phase = QStringLiteral("files");
        s.title = title;
        s.transactional = false;
        for (int i = 0; i + 1 < pairs.size(); i += 2) {
            plan.filesUsed << pairs.at(i);
            s.script += QStringLiteral("copy_tree %1 %2 %3\n").arg(shellQuote(pairs.at(i)), shellQuote(pairs.at(i + 1)), mode);
            s.touches << pairs.at(i + 1);
        }
        plan.steps << s;
    };
    QStringList existingFiles;
    auto checkFile = [&](const QString &src, const QString &dest) {
        const QFileInfo d(dest);
        if (QFileInfo(inv.absolutePath(src)).isFile()) {
            if (d.exists())
                existingFiles << dest;
            return;
        }
        QDirIterator it(inv.absolutePath(src), QDir::Files | QDir::Hidden, QDirIterator::Subdirectories);
        while (it.hasNext()) {
            const QString f = it.next();
            const QString rel = f.mid(inv.absolutePath(src).size());
            if (QFileInfo::exists(dest + rel))
                existingFiles << dest + rel;
        }
    };
    const QString project = opt.projectDir.isEmpty() ? QString() : QDir(opt.projectDir).absolutePath();
    if ((!migrations.isEmpty() || !edgeFunctions.isEmpty() || !configFiles.isEmpty()) && project.isEmpty())
        plan.warnings << QStringLiteral("No project folder given: migration, edge function and project files are not copied.");
    // One files step per kind: backup folder -> project folder, by the item's file name.
    auto copyItems = [&](const QList<RestoreItem> &items, bool byLabel, const QString &from, const QString &to,
                         const char *one, const char *many) {
        QStringList pairs;
        for (const RestoreItem &i : items) {
            const QString name = byLabel ? i.label : i.key;
            pairs << from + name << project + to + name;
            checkFile(pairs.at(pairs.size() - 2), pairs.last());
        }
        if (!pairs.isEmpty())
            fileStep(QStringLiteral("%1 into %2%3").arg(plural(int(items.size()), one, many), project, to.chopped(1)), pairs);
    };
    if (!project.isEmpty()) {
        copyItems(migrations, true, QStringLiteral("migrations/files/"), QStringLiteral("/supabase/migrations/"),
                  "migration file", "migration files");
        copyItems(edgeFunctions, false, QStringLiteral("edge_functions/"), QStringLiteral("/supabase/functions/"),
                  "edge function", "edge functions");
        copyItems(configFiles, false, QStringLiteral("config/"), QStringLiteral("/supabase/"), "project file", "project files");
    }
    if (!buckets.isEmpty()) {
        if (opt.storageDir.isEmpty()) {
            plan.warnings << QStringLiteral("No storage folder given: the buckets' rows are restored, their files are not.");
        } else {
            QStringList pairs;
            const QString storage = QDir(opt.storageDir).absolutePath();
            for (const RestoreItem &b : buckets) {
                if (!inv.has(QStringLiteral("storage/files/") + b.key))
                    continue;
                pairs << QStringLiteral("storage/files/") + b.key << storage + u'/' + b.key;
                checkFile(pairs.at(pairs.size() - 2), pairs.last());
            }
            if (!pairs.isEmpty())
                fileStep(QStringLiteral("Files of %1 into %2").arg(plural(int(buckets.size()), "bucket", "buckets"), storage), pairs);
        }
    }
    if (!existingFiles.isEmpty()) {
        const QString how = opt.files == FileConflict::Overwrite ? QStringLiteral("overwritten when they differ")
                          : opt.files == FileConflict::Skip     ? QStringLiteral("left as they are")
                                                                : QStringLiteral("the backup's copy written beside as NAME.restored when they differ");
        plan.conflicts << RestoreConflict{QStringLiteral("files"), existingFiles, how};
    }
}

} // namespace lifeboat::restore
