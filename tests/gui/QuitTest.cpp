// Quitting the window while a backup runs, offscreen against the real fixture: the question,
// "Keep running", "Cancel and quit", and SIGTERM, each ending with the application quit and
// the backup recorded as cancelled. (Restores: RestoreWizardTest.cpp; the tray: TrayTest.cpp.)
#include "BackupWindowFixture.h"
#include "HistoryPane.h"
#include "MessageBar.h"
#include "TerminationSignals.h"

#include <QAbstractButton>
#include <QMessageBox>

#include <csignal>

#include <unistd.h>

#include <gtest/gtest.h>

using namespace lifeboat;
using namespace lifeboat::test;

namespace {

// Answers the question quitting asks with the button labelled `answer`; keeps its text.
void answerQuitQuestion(const QString &answer, QString *text, const QString &screenshot = {})
{
    QTimer::singleShot(200, [=] {
        auto *box = qobject_cast<QMessageBox *>(QApplication::activeModalWidget());
        ASSERT_TRUE(box) << "quitting asks first";
        *text = box->text() + u'\n' + box->informativeText();
        if (!screenshot.isEmpty())
            saveScreenshot(*box, screenshot);
        for (QAbstractButton *b : box->buttons())
            if (b->text() == answer)
                return b->click();
        ADD_FAILURE() << "no button " << answer.toStdString();
        box->reject();
    });
}

} // namespace

TEST_F(BackupWindowTest, QuittingDuringABackupAsksThenCancelsItRecordsItAndQuits)
{
    QSignalSpy finished(window.get(), &MainWindow::backupFinished);
    QSignalSpy quitting(window.get(), &MainWindow::quitting);
    QString firstQuestion, secondQuestion, saidWhileStopping;
    bool stillRunningAfterKeep = false;
    QObject::connect(backups.get(), &BackupService::backupFinished, window.get(), [&] {
        saidWhileStopping = window->messageBar()->text();
    });
    const int code = runUntilQuit(
        [&] {
            BackupProgressWidget *panel = backUpABulkTable();
            ASSERT_TRUE(panel);
            ASSERT_TRUE(waitUntil([&] { return panel->overallBar()->value() > 0; }, 60000));
            // File > Quit: "Keep running" leaves the backup alone.
            answerQuitQuestion(
                QStringLiteral("Keep running"), &firstQuestion, QStringLiteral("quit-while-backing-up.png"));
            action(*window, QStringLiteral("&Quit"))->trigger();
            stillRunningAfterKeep = backups->isRunning(QStringLiteral("lifeboat-demo")) && finished.isEmpty();
            // Closing the window (no tray here) is quitting too: "Cancel and quit".
            answerQuitQuestion(QStringLiteral("Cancel and quit"), &secondQuestion);
            window->close();
        },
        120000);
    EXPECT_EQ(code, 0) << "Lifeboat did not quit once the backup had stopped";
    EXPECT_EQ(quitting.count(), 1);
    EXPECT_TRUE(firstQuestion.contains(QStringLiteral("A backup of \u201clifeboat-demo\u201d is running")))
        << firstQuestion.toStdString();
    EXPECT_TRUE(stillRunningAfterKeep) << "Keep running stopped the backup";
    EXPECT_EQ(secondQuestion, firstQuestion);

    // The backup ended as cancelled before the quit, on disk and in the catalog.
    expectOneCancelledBackup(finished);
    const QList<RunCatalog::Run> recorded = runs->runs(QStringLiteral("lifeboat-demo"));
    ASSERT_EQ(recorded.size(), 1);
    EXPECT_EQ(recorded.first().outcome, QStringLiteral("cancelled"));
    EXPECT_TRUE(
        saidWhileStopping.contains(QStringLiteral("Stopping a backup of \u201clifeboat-demo\u201d before quitting")))
        << saidWhileStopping.toStdString();
}

TEST_F(BackupWindowTest, SigtermDuringABackupCancelsItAndQuitsWithoutAsking)
{
    // As main() wires it: a logout's SIGTERM ends a running backup cleanly, then Lifeboat.
    TerminationSignals terminate;
    ASSERT_TRUE(terminate.isActive());
    QObject::connect(
        &terminate, &TerminationSignals::received, window.get(), [this] { window->quitApplication(false); });
    QSignalSpy finished(window.get(), &MainWindow::backupFinished);
    bool asked = false;
    const int code = runUntilQuit(
        [&] {
            BackupProgressWidget *panel = backUpABulkTable();
            ASSERT_TRUE(panel);
            ASSERT_TRUE(waitUntil([&] { return panel->overallBar()->value() > 0; }, 60000));
            QTimer::singleShot(200, [&] { asked = QApplication::activeModalWidget() != nullptr; });
            ::kill(::getpid(), SIGTERM);
        },
        120000);
    EXPECT_EQ(code, 0) << "Lifeboat did not quit on SIGTERM";
    EXPECT_FALSE(asked) << "a signal does not wait for an answer";
    expectOneCancelledBackup(finished);
}
