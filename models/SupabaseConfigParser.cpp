#include "SupabaseConfigParser.h"

#include <QFile>
#include <QFileInfo>

#include <toml++/toml.h>

#include <string_view>

namespace lifeboat {

namespace {

QString qs(std::string_view s)
{
    return QString::fromUtf8(s.data(), qsizetype(s.size()));
}

// A key present with the wrong type is an error, not a silent default: a port of "54322"
// (a string) would otherwise send the user to the wrong database.
template<typename T>
bool readValue(const toml::table &table, std::string_view key, T &out, const QString &where, QString *error)
{
    const toml::node *node = table.get(key);
    if (!node)
        return true;
    if (auto v = node->value<T>()) {
        out = *v;
        return true;
    }
    *error = QStringLiteral("%1:%2: '%3' has the wrong type (%4); fix the value in config.toml")
                 .arg(where)
                 .arg(node->source().begin.line)
                 .arg(qs(key), qs(toml::impl::node_type_friendly_names[size_t(node->type())]));
    return false;
}

bool readPort(const toml::table *section, std::string_view key, int &port, const QString &where, QString *error)
{
    if (!section)
        return true;
    int64_t value = port;
    if (!readValue(*section, key, value, where, error))
        return false;
    if (value < 1 || value > 65535) {
        *error = QStringLiteral("%1:%2: port %3 is out of range (1-65535)")
                     .arg(where)
                     .arg(section->get(key)->source().begin.line)
                     .arg(value);
        return false;
    }
    port = int(value);
    return true;
}

} // namespace

Result<SupabaseConfig> SupabaseConfigParser::parseFile(const QString &path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return Error{QStringLiteral("Cannot read %1: %2").arg(path, file.errorString())};
    return parse(file.readAll(), path);
}

Result<SupabaseConfig> SupabaseConfigParser::parse(const QByteArray &text, const QString &sourceName)
{
    toml::table root;
    try {
        root = toml::parse(std::string_view(text.constData(), size_t(text.size())), sourceName.toStdString());
    } catch (const toml::parse_error &e) {
        return Error{QStringLiteral("%1:%2:%3: %4")
                         .arg(sourceName)
                         .arg(e.source().begin.line)
                         .arg(e.source().begin.column)
                         .arg(qs(e.description()))};
    }

    SupabaseConfig config;
    QString error;
    std::string projectId;
    if (!readValue(root, "project_id", projectId, sourceName, &error))
        return Error{error};
    config.projectId = QString::fromStdString(projectId);

    const toml::table *db = root["db"].as_table();
    if (!readPort(db, "port", config.dbPort, sourceName, &error)
        || !readPort(db, "shadow_port", config.shadowPort, sourceName, &error)
        || !readPort(root["api"].as_table(), "port", config.apiPort, sourceName, &error)
        || !readPort(root["studio"].as_table(), "port", config.studioPort, sourceName, &error)
        || !readPort(root["inbucket"].as_table(), "port", config.inbucketPort, sourceName, &error))
        return Error{error};
    if (db) {
        int64_t major = 0;
        if (!readValue(*db, "major_version", major, sourceName, &error))
            return Error{error};
        config.majorVersion = int(major);
    }

    if (const toml::table *functions = root["functions"].as_table()) {
        for (const auto &[name, node] : *functions) {
            const toml::table *fn = node.as_table();
            if (!fn)
                continue;
            EdgeFunctionConfig f;
            f.name = qs(name.str());
            std::string importMap, entrypoint;
            if (!readValue(*fn, "verify_jwt", f.verifyJwt, sourceName, &error)
                || !readValue(*fn, "import_map", importMap, sourceName, &error)
                || !readValue(*fn, "entrypoint", entrypoint, sourceName, &error))
                return Error{error};
            f.importMap = QString::fromStdString(importMap);
            f.entrypoint = QString::fromStdString(entrypoint);
            config.functions.append(f);
        }
    }
    return config;
}

} // namespace lifeboat
