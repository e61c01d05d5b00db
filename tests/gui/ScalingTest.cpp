// The main window at 200% scaling (QT_SCALE_FACTOR=2, set by CTest for this binary): the
// screenshot is saved for a person to look at; the test checks what can be checked by code.
#include "BackupService.h"
#include "HistoryPane.h"
#include "MainWindow.h"
#include "SecretStore.h"
#include "StackCatalog.h"
#include "StackService.h"
#include "StackTableModel.h"
#include "SupabaseFixture.h"
#include "TestUtil.h"

#include <QDir>
#include <QHeaderView>
#include <QLabel>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QToolBar>
#include <QToolButton>
#include <QTreeView>
#include <QTableView>

#include <gtest/gtest.h>

using namespace lifeboat;
using namespace lifeboat::test;

TEST(Scaling, TheWindowIsUsableAtTwoHundredPercent)
{
    SupabaseFixture fixture;
    QString error;
    ASSERT_TRUE(fixture.setUp(&error)) << error.toStdString();
    qputenv("PGPASSFILE", fixture.cluster().pgpassFile().toLocal8Bit());
    QTemporaryDir settings;
    StackCatalog catalog(settings.filePath(QStringLiteral("lifeboat.conf")));
    catalog.addProjectDir(fixture.projectDir());
    SecretStore secrets;
    StackService service(&catalog, &secrets);
    BackupService backups;
    MainWindow window(&service, &backups);
    QSignalSpy settled(&window, &MainWindow::statusesSettled);
    window.resize(1280, 800); // device-independent pixels: 2560 x 1600 on screen
    window.show();
    ASSERT_TRUE(waitUntil([&] { return settled.count() > 0; }));
    EXPECT_DOUBLE_EQ(window.devicePixelRatioF(), 2.0);

    // Every toolbar button shows its whole text.
    for (QToolButton *b : window.findChild<QToolBar *>()->findChildren<QToolButton *>()) {
        if (!b->isVisible() || b->text().isEmpty())
            continue;
        EXPECT_GE(b->width(), b->fontMetrics().horizontalAdvance(b->text())) << b->text().toStdString();
    }
    EXPECT_EQ(window.stackModel()->statusOf(QStringLiteral("lifeboat-demo")).state, StackStatus::State::Up);

    // Every column header of the History and of the (still empty) manifest shows its whole title.
    for (QHeaderView *header : {window.historyPane()->tree()->header(), window.historyPane()->table()->horizontalHeader()}) {
        for (int i = 0; i < header->count(); ++i) {
            const QString title = header->model()->headerData(i, Qt::Horizontal).toString();
            EXPECT_GE(header->sectionSize(i), header->sectionSizeHint(i)) << title.toStdString(); // text and margins
        }
    }

    const QString dir = QStringLiteral(LIFEBOAT_TEST_OUTPUT_DIR);
    QDir().mkpath(dir);
    EXPECT_TRUE(window.grab().save(dir + QStringLiteral("/main-window-200-percent.png")));
    qunsetenv("PGPASSFILE");
}
