#pragma once

// Pieces the restore wizard's two source files share. Internal to ui/.

#include "RestoreTypes.h"
#include "RestoreWizard.h"

#include <QLabel>
#include <QWizardPage>

#include <functional>
#include <optional>

namespace lifeboat {

/// A page whose "complete" state the wizard decides.
class RestoreWizardPage final : public QWizardPage
{
public:
    RestoreWizardPage(std::function<bool()> complete, QWidget *parent = nullptr)
        : QWizardPage(parent)
        , m_complete(std::move(complete))
    {}
    bool isComplete() const override { return m_complete(); }
    void changed() { emit completeChanged(); }

private:
    std::function<bool()> m_complete;
};

namespace wizard {

inline RestoreWizardPage *asPage(QWizardPage *p)
{
    return static_cast<RestoreWizardPage *>(p);
}

inline QLabel *wrapLabel(const QString &text = {})
{
    auto *l = new QLabel(text);
    l->setWordWrap(true);
    l->setTextInteractionFlags(Qt::TextSelectableByMouse);
    return l;
}

inline QString conflictCount(const std::optional<RestorePlan> &plan, const QStringList &kinds)
{
    if (!plan)
        return {};
    int n = 0;
    for (const RestoreConflict &c : plan->conflicts)
        if (kinds.contains(c.kind))
            n += int(c.items.size());
    return n == 0 ? RestoreWizard::tr("none in the target") : RestoreWizard::tr("%n in the target", nullptr, n);
}

inline QString escapedLines(const QStringList &lines)
{
    QStringList out;
    for (const QString &l : lines)
        out << l.toHtmlEscaped();
    return out.join(QStringLiteral("<br>"));
}

inline QString stateText(StepOutcome::State s)
{
    switch (s) {
    case StepOutcome::State::Pending: return RestoreWizard::tr("waiting");
    case StepOutcome::State::Running: return RestoreWizard::tr("running…");
    case StepOutcome::State::Done: return RestoreWizard::tr("done");
    case StepOutcome::State::Skipped: return RestoreWizard::tr("not run");
    case StepOutcome::State::Failed: return RestoreWizard::tr("failed");
    case StepOutcome::State::RolledBack: return RestoreWizard::tr("rolled back");
    case StepOutcome::State::Cancelled: return RestoreWizard::tr("cancelled");
    }
    return {};
}

} // namespace wizard
} // namespace lifeboat
