#pragma once

#include <QFrame>

class QLabel;
class QToolButton;

namespace lifeboat {

/// An inline message above the content (KDE's KMessageWidget idea): errors and notices are
/// shown where the user looks, not in a chain of modal boxes.
class MessageBar final : public QFrame
{
    Q_OBJECT

public:
    enum class Kind { Information, Warning, Error };

    explicit MessageBar(QWidget *parent = nullptr);

    void showMessage(Kind kind, const QString &text);
    QString text() const;

private:
    QLabel *m_icon;
    QLabel *m_text;
    QToolButton *m_close;
};

} // namespace lifeboat
