#include "StacksCommand.h"

#include "CliOutput.h"
#include "CliSupport.h"
#include "StackService.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QFuture>
#include <QJsonArray>

#include <memory>

namespace lifeboat::cli {

namespace {

struct Listing
{
    QList<Stack> stacks;
    QList<StackStatus> statuses;
    int pending = 0;
};

void printListing(const Listing &l, bool json)
{
    if (json) {
        QJsonArray array;
        for (int i = 0; i < l.stacks.size(); ++i) {
            QJsonObject o = l.stacks.at(i).toJson();
            const StackStatus &st = l.statuses.at(i);
            o.insert(QStringLiteral("status"), StackStatus::key(st.state));
            o.insert(QStringLiteral("status_detail"), st.detail);
            if (st.serverVersionNum)
                o.insert(QStringLiteral("server_version_num"), st.serverVersionNum);
            array.append(o);
        }
        printJson(QJsonDocument(QJsonObject{{QStringLiteral("stacks"), array}}));
        return;
    }
    if (l.stacks.isEmpty()) {
        out() << "No stacks known. Add one with `lifeboat-cli stacks --scan DIR` or "
                 "`lifeboat-cli profile add NAME ...`.\n";
        return;
    }
    int idWidth = 2, statusWidth = 6, addrWidth = 8;
    for (int i = 0; i < l.stacks.size(); ++i) {
        idWidth = std::max(idWidth, int(l.stacks.at(i).id.size()));
        statusWidth = std::max(statusWidth, int(StackStatus::key(l.statuses.at(i).state).size()));
        addrWidth = std::max(addrWidth, int(l.stacks.at(i).connection.displayAddress().size()));
    }
    out() << QStringLiteral("ID").leftJustified(idWidth) << "  " << QStringLiteral("STATUS").leftJustified(statusWidth)
          << "  " << QStringLiteral("DATABASE").leftJustified(addrWidth) << "  PROJECT\n";
    for (int i = 0; i < l.stacks.size(); ++i) {
        const Stack &s = l.stacks.at(i);
        const StackStatus &st = l.statuses.at(i);
        out() << s.id.leftJustified(idWidth) << "  " << StackStatus::key(st.state).leftJustified(statusWidth) << "  "
              << s.connection.displayAddress().leftJustified(addrWidth) << "  "
              << (s.isProject() ? s.projectDir : QStringLiteral("-")) << '\n';
        if (st.state != StackStatus::State::Up && !st.detail.isEmpty())
            out() << "    " << st.detail << '\n';
    }
    out().flush();
}

} // namespace

void runStacks(StackService *service, const QStringList &scanRoots, bool json)
{
    service->loadStacks(scanRoots).then(service, [service, json](const QList<Stack> &stacks) {
        auto listing = std::make_shared<Listing>();
        listing->stacks = stacks;
        listing->statuses.resize(stacks.size());
        listing->pending = int(stacks.size());
        if (stacks.isEmpty()) {
            printListing(*listing, json);
            QCoreApplication::exit(0);
            return;
        }
        for (int i = 0; i < stacks.size(); ++i) {
            service->probe(stacks.at(i)).then(service, [listing, i, json](const StackStatus &status) {
                listing->statuses[i] = status;
                if (--listing->pending == 0) {
                    printListing(*listing, json);
                    QCoreApplication::exit(0);
                }
            });
        }
    });
}

void runProfile(StackService *service, const QStringList &arguments)
{
    QCommandLineParser p;
    p.setApplicationDescription(QStringLiteral("Manage plain PostgreSQL connection profiles."));
    p.addPositionalArgument(QStringLiteral("ACTION"), QStringLiteral("add or remove"), QStringLiteral("add|remove"));
    p.addPositionalArgument(
        QStringLiteral("NAME"), QStringLiteral("Profile name (add) or id (remove)"), QStringLiteral("NAME|ID"));
    const QCommandLineOption host(QStringLiteral("host"), QStringLiteral("Server host"), QStringLiteral("HOST"),
                                  QStringLiteral("127.0.0.1"));
    const QCommandLineOption port(QStringLiteral("port"), QStringLiteral("Server port"), QStringLiteral("PORT"),
                                  QStringLiteral("5432"));
    const QCommandLineOption db(QStringLiteral("database"), QStringLiteral("Database"), QStringLiteral("DB"),
                                QStringLiteral("postgres"));
    const QCommandLineOption user(QStringLiteral("user"), QStringLiteral("User"), QStringLiteral("USER"),
                                  QStringLiteral("postgres"));
    const QCommandLineOption pwStdin(QStringLiteral("password-stdin"),
                                     QStringLiteral("Read the password from standard input and keep it in the "
                                                    "keychain (never pass it as an argument)."));
    p.addOptions({host, port, db, user, pwStdin});
    parseOrExit(p, arguments, QStringLiteral("profile"));

    const QStringList pos = p.positionalArguments();
    if (pos.size() != 2 || (pos.at(0) != QLatin1String("add") && pos.at(0) != QLatin1String("remove"))) {
        err() << "usage: lifeboat-cli profile add NAME [--host H] [--port P] [--database D] [--user U] "
                 "[--password-stdin]\n       lifeboat-cli profile remove ID\n";
        err().flush();
        QCoreApplication::exit(2);
        return;
    }

    if (pos.at(0) == QLatin1String("remove")) {
        const QString id = pos.at(1);
        service->catalog()->removeProfile(id);
        service->catalog()->sync();
        service->secrets()->removePassword(id).then(service, [id](const Status &st) {
            if (!st)
                err() << st.error() << '\n';
            else
                out() << "Removed profile " << id << ".\n";
            out().flush();
            err().flush();
            QCoreApplication::exit(st ? 0 : 1);
        });
        return;
    }

    Stack profile;
    profile.name = pos.at(1);
    profile.connection.host = p.value(host);
    bool portOk = false;
    profile.connection.port = p.value(port).toInt(&portOk);
    if (!portOk) {
        err() << "--port must be a number, got \"" << p.value(port) << "\".\n";
        err().flush();
        QCoreApplication::exit(2);
        return;
    }
    profile.connection.database = p.value(db);
    profile.connection.user = p.value(user);
    std::optional<QString> password;
    if (p.isSet(pwStdin)) {
        QTextStream in(stdin);
        password = in.readLine();
    }
    service->addProfile(profile, password).then(service, [profile](const SecretStore::WriteResult &r) {
        if (!r.message.isEmpty())
            err() << r.message << '\n';
        out() << "Saved profile " << stackIdFromName(profile.name) << " ("
              << profile.connection.displayAddress() << ").\n";
        out().flush();
        err().flush();
        QCoreApplication::exit(r.persisted || r.message.isEmpty() ? 0 : 1);
    });
}

} // namespace lifeboat::cli
