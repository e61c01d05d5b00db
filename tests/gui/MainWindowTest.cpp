// The main window on the offscreen platform, against the real Supabase fixture.
#include "BackupService.h"
#include "MainWindow.h"
#include "MessageBar.h"
#include "SecretStore.h"
#include "StackCatalog.h"
#include "StackService.h"
#include "StackTableModel.h"
#include "SupabaseFixture.h"
#include "GuiTestUtil.h"
#include "TestUtil.h"

#include <QDir>
#include <QFileInfo>
#include <QLabel>
#include <QPushButton>
#include <QSignalSpy>
#include <QStackedWidget>
#include <QTableView>
#include <QTemporaryDir>

#include <gtest/gtest.h>

using namespace lifeboat;
using namespace lifeboat::test;

namespace {

QString statusKey(const MainWindow &w, int row)
{
    const StackTableModel *m = w.stackModel();
    return m->data(m->index(row, 0), StackTableModel::StatusKeyRole).toString();
}

} // namespace

TEST(MainWindowTest, ShowsTheFixtureStackUpThenDown)
{
    SupabaseFixture fixture;
    QString error;
    ASSERT_TRUE(fixture.setUp(&error)) << error.toStdString();
    qputenv("PGPASSFILE", fixture.cluster().pgpassFile().toLocal8Bit());

    QTemporaryDir settings;
    StackCatalog catalog(settings.filePath(QStringLiteral("lifeboat.conf")));
    SecretStore secrets;
    StackService service(&catalog, &secrets);
    BackupService backups;
    Stack profile;
    profile.name = QStringLiteral("analytics (plain PostgreSQL)");
    profile.connection = fixture.cluster().connection(QStringLiteral("postgres"), QStringLiteral("postgres"));
    ASSERT_TRUE(catalog.saveProfile(profile).ok());

    MainWindow window(&service, &backups, {QFileInfo(fixture.projectDir()).absolutePath()});
    QSignalSpy settled(&window, &MainWindow::statusesSettled);
    window.resize(1100, 420);
    window.show();
    ASSERT_TRUE(waitUntil([&] { return settled.count() > 0; })) << "every probe answers";

    const StackTableModel *model = window.stackModel();
    ASSERT_EQ(model->rowCount(), 2);
    const int row = model->rowOf(QStringLiteral("lifeboat-demo"));
    ASSERT_GE(row, 0);
    EXPECT_EQ(statusKey(window, row), QStringLiteral("up"));
    EXPECT_EQ(model->data(model->index(row, StackTableModel::StatusColumn)).toString(),
              QStringLiteral("up (PostgreSQL 15)"));
    EXPECT_EQ(window.stackView()->model()->rowCount(), 2);
    EXPECT_FALSE(window.findChild<QStackedWidget *>()->currentIndex() == 0) << "the table, not the empty page";
    for (int r = 0; r < 2; ++r) // a small window still shows both stacks whole
        EXPECT_TRUE(window.stackView()->viewport()->rect().contains(
            window.stackView()->visualRect(window.stackView()->model()->index(r, 0))))
            << "row " << r;
    saveScreenshot(window, QStringLiteral("main-window-stacks.png"));

    fixture.cluster().stop();
    settled.clear();
    window.refreshStatuses();
    ASSERT_TRUE(waitUntil([&] { return settled.count() > 0; }));
    EXPECT_EQ(statusKey(window, row), QStringLiteral("down"));
    qunsetenv("PGPASSFILE");
}

TEST(MainWindowTest, EmptyStateOffersBothWaysToAddAStack)
{
    QTemporaryDir settings;
    StackCatalog catalog(settings.filePath(QStringLiteral("lifeboat.conf")));
    SecretStore secrets;
    StackService service(&catalog, &secrets);
    BackupService backups;
    MainWindow window(&service, &backups);
    window.show();
    auto *pages = window.findChild<QStackedWidget *>();
    ASSERT_TRUE(pages);
    ASSERT_TRUE(waitUntil([&] { return pages->currentIndex() == 0 && window.stackModel()->rowCount() == 0; }));
    QStringList buttons;
    for (QPushButton *b : pages->currentWidget()->findChildren<QPushButton *>())
        buttons << b->text();
    EXPECT_TRUE(buttons.contains(QStringLiteral("Add project folder…")));
    EXPECT_TRUE(buttons.contains(QStringLiteral("Add PostgreSQL profile…")));
    saveScreenshot(window, QStringLiteral("main-window-empty.png"));
}

TEST(MainWindowTest, ABrokenConfigIsListedAsConfigError)
{
    QTemporaryDir root;
    ASSERT_TRUE(writeFile(root.filePath(QStringLiteral("broken/supabase/config.toml")), "[db\nport = 1\n"));
    QTemporaryDir settings;
    StackCatalog catalog(settings.filePath(QStringLiteral("lifeboat.conf")));
    SecretStore secrets;
    StackService service(&catalog, &secrets);
    BackupService backups;
    MainWindow window(&service, &backups, {root.path()});
    QSignalSpy settled(&window, &MainWindow::statusesSettled);
    window.show();
    ASSERT_TRUE(waitUntil([&] { return settled.count() > 0; }));
    ASSERT_EQ(window.stackModel()->rowCount(), 1);
    EXPECT_EQ(statusKey(window, 0), QStringLiteral("config_error"));
    const QString tip = window.stackModel()
                            ->data(window.stackModel()->index(0, StackTableModel::StatusColumn), Qt::ToolTipRole)
                            .toString();
    EXPECT_TRUE(tip.contains(QStringLiteral("config.toml:1"))) << tip.toStdString();
}
