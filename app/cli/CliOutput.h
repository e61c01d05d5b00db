#pragma once

#include <QJsonDocument>
#include <QString>
#include <QTextStream>

namespace lifeboat::cli {

/// stdout for results, stderr for errors: scripts read one and people read the other.
inline QTextStream &out()
{
    static QTextStream s(stdout);
    return s;
}

inline QTextStream &err()
{
    static QTextStream s(stderr);
    return s;
}

inline void printJson(const QJsonDocument &doc)
{
    out() << doc.toJson(QJsonDocument::Indented);
    out().flush();
}

} // namespace lifeboat::cli
