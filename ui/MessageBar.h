#pragma once

#include <QFrame>
#include <QList>

#include <functional>

class QLabel;
class QPushButton;
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
    /// Adds a button to the message on show (removed with the next message).
    void addAction(const QString &text, const std::function<void()> &onClicked);
    QString text() const;

private:
    QLabel *m_icon;
    QLabel *m_text;
    QToolButton *m_close;
    QList<QPushButton *> m_buttons;
};

} // namespace lifeboat
