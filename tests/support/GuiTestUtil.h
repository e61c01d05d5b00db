#pragma once

// For GUI tests only (needs Qt Widgets).
#include <QDir>
#include <QString>
#include <QWidget>

#include <gtest/gtest.h>

namespace lifeboat::test {

/// Saves what `w` shows to build/test-output/NAME, for a person to look at (and docs/).
inline void saveScreenshot(QWidget &w, const QString &name)
{
    const QString dir = QStringLiteral(LIFEBOAT_TEST_OUTPUT_DIR);
    QDir().mkpath(dir);
    EXPECT_TRUE(w.grab().save(dir + u'/' + name)) << "screenshot " << name.toStdString();
}

} // namespace lifeboat::test
