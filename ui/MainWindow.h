#pragma once

#include <QMainWindow>
#include <QSet>
#include <QStringList>

class QAction;
class QLabel;
class QSortFilterProxyModel;
class QStackedWidget;
class QTableView;
class QTimer;

namespace lifeboat {

class MessageBar;
class StackService;
class StackTableModel;
struct Stack;

/// Lifeboat's main window: the stacks a user has, and whether each is up.
class MainWindow final : public QMainWindow
{
    Q_OBJECT

public:
    /// `extraScanRoots` come from the command line and are not remembered.
    explicit MainWindow(StackService *service, const QStringList &extraScanRoots = {}, QWidget *parent = nullptr);
    ~MainWindow() override;

    StackTableModel *stackModel() const { return m_model; }
    QTableView *stackView() const { return m_view; }
    MessageBar *messageBar() const { return m_messages; }

public slots:
    /// Re-reads the known stacks (disk walk off the GUI thread), then probes each.
    void refresh();
    /// Probes every listed stack again, without re-reading the list.
    void refreshStatuses();

signals:
    /// Emitted after a refresh when every probe has answered (tests and screenshots wait on it).
    void statusesSettled();

private:
    void createActions();
    void addProjectFolder();
    void addProfile();
    void removeSelected();
    void probe(const Stack &stack);
    void updateDetails();
    void updateSummary();
    const Stack *selectedStack() const;

    StackService *m_service;
    QStringList m_extraRoots;
    StackTableModel *m_model;
    QSortFilterProxyModel *m_proxy;
    QTableView *m_view;
    QStackedWidget *m_pages;
    MessageBar *m_messages;
    QLabel *m_details;
    QLabel *m_summary;
    QTimer *m_statusTimer;
    QAction *m_removeAction = nullptr;
    QSet<QString> m_probing;
};

} // namespace lifeboat
