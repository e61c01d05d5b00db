#include "StackTableModel.h"

#include <QAbstractItemModelTester>
#include <QSignalSpy>

#include <gtest/gtest.h>

using namespace lifeboat;

namespace {

Stack makeStack(const QString &id, bool project, int port)
{
    Stack s;
    s.id = id;
    s.name = id;
    s.kind = project ? Stack::Kind::SupabaseProject : Stack::Kind::PostgresProfile;
    if (project)
        s.projectDir = QStringLiteral("/home/dev/") + id;
    s.connection.port = port;
    return s;
}

QString cell(const StackTableModel &m, int row, int column, int role = Qt::DisplayRole)
{
    return m.data(m.index(row, column), role).toString();
}

} // namespace

TEST(StackTableModel, ShowsStacksAndTheirStatus)
{
    StackTableModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::Fatal);

    model.setStacks({makeStack(QStringLiteral("shop"), true, 54322), makeStack(QStringLiteral("legacy"), false, 5433)});
    ASSERT_EQ(model.rowCount(), 2);
    EXPECT_EQ(model.columnCount(), StackTableModel::ColumnCount);
    EXPECT_EQ(cell(model, 0, StackTableModel::NameColumn), QStringLiteral("shop"));
    EXPECT_EQ(cell(model, 0, StackTableModel::ProjectColumn), QStringLiteral("/home/dev/shop"));
    EXPECT_EQ(cell(model, 0, StackTableModel::AddressColumn), QStringLiteral("127.0.0.1:54322/postgres"));
    EXPECT_EQ(cell(model, 1, StackTableModel::ProjectColumn), QStringLiteral("(PostgreSQL profile)"));
    EXPECT_EQ(cell(model, 0, StackTableModel::StatusColumn), QStringLiteral("not checked"));

    QSignalSpy changed(&model, &QAbstractItemModel::dataChanged);
    model.setStatus(QStringLiteral("legacy"), {StackStatus::State::Up, QStringLiteral("PostgreSQL 15.8"), 150008});
    EXPECT_EQ(changed.count(), 1);
    EXPECT_EQ(cell(model, 1, StackTableModel::StatusColumn), QStringLiteral("up (PostgreSQL 15)"));
    EXPECT_EQ(cell(model, 1, StackTableModel::StatusColumn, Qt::ToolTipRole), QStringLiteral("PostgreSQL 15.8"));
    EXPECT_EQ(cell(model, 1, 0, StackTableModel::StatusKeyRole), QStringLiteral("up"));
    EXPECT_EQ(model.data(model.index(1, StackTableModel::StatusColumn), StackTableModel::RawRole).toInt(),
              int(StackStatus::State::Up));

    model.setStatus(QStringLiteral("unknown-id"), {StackStatus::State::Down, {}, 0});
    EXPECT_EQ(changed.count(), 1) << "a status for a stack not listed changes nothing";
}

TEST(StackTableModel, KeepsStatusesAcrossARefreshAndShowsConfigErrors)
{
    StackTableModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::Fatal);
    model.setStacks({makeStack(QStringLiteral("a"), true, 1), makeStack(QStringLiteral("b"), true, 2)});
    model.setStatus(QStringLiteral("b"), {StackStatus::State::Down, QStringLiteral("nothing answers"), 0});

    Stack broken = makeStack(QStringLiteral("c"), true, 3);
    broken.configError = QStringLiteral("config.toml:3:7: expected a value");
    model.setStacks({makeStack(QStringLiteral("b"), true, 2), broken});
    ASSERT_EQ(model.rowCount(), 2);
    EXPECT_EQ(model.statusOf(QStringLiteral("b")).state, StackStatus::State::Down);
    EXPECT_EQ(cell(model, 1, StackTableModel::StatusColumn), QStringLiteral("config error"));
    EXPECT_EQ(cell(model, 1, StackTableModel::StatusColumn, Qt::ToolTipRole), broken.configError);
    EXPECT_EQ(model.rowOf(QStringLiteral("a")), -1);
    EXPECT_EQ(model.stackAt(5), nullptr);
}
