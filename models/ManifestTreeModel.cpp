#include "ManifestTreeModel.h"

#include "BackupHistoryModel.h"

#include <QColor>
#include <QJsonArray>
#include <QJsonObject>

namespace lifeboat {

ManifestTreeModel::ManifestTreeModel(QObject *parent)
    : QAbstractItemModel(parent)
    , m_root(std::make_unique<Node>())
{}

ManifestTreeModel::~ManifestTreeModel() = default;

ManifestTreeModel::Node *ManifestTreeModel::add(Node *parent, Kind kind, const QString &name, const QString &size,
                                                const QString &detail)
{
    auto node = std::make_unique<Node>();
    node->parent = parent;
    node->row = int(parent->children.size());
    node->kind = kind;
    node->text[NameColumn] = name;
    node->text[SizeColumn] = size;
    node->text[DetailColumn] = detail;
    parent->children.push_back(std::move(node));
    return parent->children.back().get();
}

void ManifestTreeModel::clear()
{
    beginResetModel();
    m_root = std::make_unique<Node>();
    endResetModel();
}

void ManifestTreeModel::setManifest(const Manifest &manifest, const QString &backupPath)
{
    beginResetModel();
    m_root = std::make_unique<Node>();
    for (const ComponentResult &c : manifest.components) {
        QStringList counts;
        for (auto it = c.counts.cbegin(); it != c.counts.cend(); ++it)
            counts << QStringLiteral("%1 %2").arg(it.value()).arg(QString(it.key()).replace(u'_', u' '));
        qint64 size = 0;
        for (const ManifestFile &f : c.files)
            size += f.size;
        QString status = ComponentResult::statusKey(c.status);
        if (!c.message.isEmpty())
            status += QStringLiteral(": ") + c.message;
        Node *comp = add(m_root.get(), Kind::Component, c.name, c.files.isEmpty() ? QString() : formatSize(size),
                         counts.isEmpty() ? status : status + QStringLiteral(" — ") + counts.join(QStringLiteral(", ")));
        comp->tooltip = Component::describe(c.name);
        for (const QString &w : c.warnings)
            add(comp, Kind::Warning, tr("Warning"), {}, w)->tooltip = w;
        const QJsonObject drift = c.details.value(QStringLiteral("drift")).toObject();
        for (auto it = drift.begin(); it != drift.end(); ++it) {
            QStringList items;
            for (const QJsonValue &v : it.value().toArray())
                items << v.toString();
            add(comp, Kind::Report, QString(it.key()).replace(u'_', u' '), {},
                items.isEmpty() ? tr("none") : items.join(QStringLiteral(", ")));
        }
        for (const ManifestFile &f : c.files) {
            Node *file = add(comp, Kind::File, f.path, formatSize(f.size),
                             f.secret ? tr("secret · %1").arg(f.sha256) : f.sha256);
            file->path = backupPath + u'/' + f.path;
            file->tooltip = f.secret ? tr("Holds credentials: keep it private.") : file->path;
        }
    }
    endResetModel();
}

ManifestTreeModel::Node *ManifestTreeModel::nodeOf(const QModelIndex &index) const
{
    return index.isValid() ? static_cast<Node *>(index.internalPointer()) : m_root.get();
}

QModelIndex ManifestTreeModel::index(int row, int column, const QModelIndex &parent) const
{
    if (!hasIndex(row, column, parent))
        return {};
    Node *p = nodeOf(parent);
    return createIndex(row, column, p->children.at(size_t(row)).get());
}

QModelIndex ManifestTreeModel::parent(const QModelIndex &child) const
{
    if (!child.isValid())
        return {};
    Node *p = nodeOf(child)->parent;
    if (!p || p == m_root.get())
        return {};
    return createIndex(p->row, 0, p);
}

int ManifestTreeModel::rowCount(const QModelIndex &parent) const
{
    if (parent.isValid() && parent.column() != 0)
        return 0;
    return int(nodeOf(parent)->children.size());
}

int ManifestTreeModel::columnCount(const QModelIndex &) const
{
    return ColumnCount;
}

QVariant ManifestTreeModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid))
        return {};
    const Node *n = nodeOf(index);
    switch (role) {
    case Qt::DisplayRole: return n->text[index.column()];
    case Qt::ToolTipRole: return n->tooltip.isEmpty() ? QVariant() : QVariant(n->tooltip);
    case PathRole: return n->path.isEmpty() ? QVariant() : QVariant(n->path);
    case KindRole: return int(n->kind);
    case Qt::ForegroundRole:
        if (n->kind == Kind::Warning)
            return QColor(0x9a, 0x67, 0x00);
        return {};
    case Qt::TextAlignmentRole:
        if (index.column() == SizeColumn)
            return int(Qt::AlignRight | Qt::AlignVCenter);
        return {};
    }
    return {};
}

QVariant ManifestTreeModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    switch (section) {
    case NameColumn: return tr("Component / file");
    case SizeColumn: return tr("Size");
    case DetailColumn: return tr("Details / SHA-256");
    }
    return {};
}

} // namespace lifeboat
