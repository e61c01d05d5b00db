#pragma once

// For GUI tests only (needs Qt Widgets).
#include <QCoreApplication>
#include <QDir>
#include <QString>
#include <QTimer>
#include <QWidget>

#include <functional>

#include <gtest/gtest.h>

namespace lifeboat::test {

/// Saves what `w` shows to build/test-output/NAME, for a person to look at (and docs/).
inline void saveScreenshot(QWidget &w, const QString &name)
{
    const QString dir = QStringLiteral(LIFEBOAT_TEST_OUTPUT_DIR);
    QDir().mkpath(dir);
    EXPECT_TRUE(w.grab().save(dir + u'/' + name)) << "screenshot " << name.toStdString();
}

/// Runs the application's event loop as main() does, `drive` first, until something quits the
/// application or `timeoutMs` pass. Returns exec()'s code: 0 when the application quit, 7 when
/// nothing did.
inline int runUntilQuit(const std::function<void()> &drive, int timeoutMs)
{
    QTimer::singleShot(0, QCoreApplication::instance(), drive);
    QTimer fallback;
    fallback.setSingleShot(true);
    QObject::connect(&fallback, &QTimer::timeout, QCoreApplication::instance(), [] { QCoreApplication::exit(7); });
    fallback.start(timeoutMs);
    return QCoreApplication::exec();
}

} // namespace lifeboat::test
