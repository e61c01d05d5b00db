#pragma once

#include "Manifest.h"

#include <QAbstractItemModel>

#include <memory>
#include <vector>

namespace lifeboat {

/// The manifest browser: components with their status and counts; below each, its
/// warnings, its report (the migrations drift) and its files with size and SHA-256.
class ManifestTreeModel final : public QAbstractItemModel
{
    Q_OBJECT

public:
    enum Column { NameColumn, SizeColumn, DetailColumn, ColumnCount };
    enum Role { PathRole = Qt::UserRole + 1, KindRole };
    enum class Kind { Component, Warning, Report, File };

    explicit ManifestTreeModel(QObject *parent = nullptr);
    ~ManifestTreeModel() override;

    void setManifest(const Manifest &manifest, const QString &backupPath);
    void clear();

    QModelIndex index(int row, int column, const QModelIndex &parent = {}) const override;
    QModelIndex parent(const QModelIndex &child) const override;
    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

private:
    struct Node
    {
        Node *parent = nullptr;
        int row = 0;
        Kind kind = Kind::Component;
        QString text[ColumnCount];
        QString path; ///< Absolute, for files.
        QString tooltip;
        std::vector<std::unique_ptr<Node>> children;
    };
    Node *nodeOf(const QModelIndex &index) const;
    static Node *add(Node *parent, Kind kind, const QString &name, const QString &size = {}, const QString &detail = {});

    std::unique_ptr<Node> m_root;
};

} // namespace lifeboat
