#pragma once

#include <QObject>

class QSocketNotifier;

namespace lifeboat {

/// SIGTERM, SIGINT and SIGHUP (a logout, `kill`, a closed terminal) as a Qt signal on the
/// thread that made this object, so Lifeboat can stop what runs and quit cleanly instead of
/// dying mid-write. The handler only writes the signal's number to a socket pair; a
/// QSocketNotifier reads it (the pattern of Qt's "Calling Qt Functions From Unix Signal
/// Handlers"). One instance at a time; the default handlers come back when it goes.
class TerminationSignals final : public QObject
{
    Q_OBJECT

public:
    explicit TerminationSignals(QObject *parent = nullptr);
    ~TerminationSignals() override;

    /// False when the socket pair or a handler could not be set up (the signals then keep
    /// their default action).
    bool isActive() const { return m_notifier != nullptr; }

signals:
    void received(int signalNumber);

private:
    QSocketNotifier *m_notifier = nullptr;
};

} // namespace lifeboat
