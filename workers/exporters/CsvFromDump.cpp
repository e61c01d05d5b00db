#include "CsvFromDump.h"

#include "BackupContext.h"

#include <QDeadlineTimer>

#include <cstring>

namespace lifeboat {

namespace copytext {

namespace {

// An identifier as pg_dump writes it (fmtId): bare, or in double quotes with "" for a quote.
// Moves `pos` past it; nullopt when there is none.
std::optional<QString> identifier(QByteArrayView s, qsizetype &pos)
{
    if (pos >= s.size())
        return std::nullopt;
    QByteArray name;
    if (s[pos] == '"') {
        for (++pos; pos < s.size(); ++pos) {
            if (s[pos] != '"') {
                name += s[pos];
                continue;
            }
            if (pos + 1 < s.size() && s[pos + 1] == '"') {
                name += '"';
                ++pos;
                continue;
            }
            ++pos; // the closing quote
            return QString::fromUtf8(name);
        }
        return std::nullopt; // unterminated
    }
    const qsizetype start = pos;
    while (pos < s.size() && s[pos] != '.' && s[pos] != ' ' && s[pos] != ',' && s[pos] != '(' && s[pos] != ')'
           && s[pos] != '"')
        ++pos;
    if (pos == start)
        return std::nullopt;
    return QString::fromUtf8(s.sliced(start, pos - start));
}

bool skip(QByteArrayView s, qsizetype &pos, QByteArrayView what)
{
    if (!s.sliced(pos).startsWith(what))
        return false;
    pos += what.size();
    return true;
}

} // namespace

std::optional<CopyStatement> parseCopyStatement(QByteArrayView line)
{
    qsizetype pos = 0;
    if (!skip(line, pos, "COPY ") || !line.endsWith(" FROM stdin;"))
        return std::nullopt;
    CopyStatement st;
    const auto schema = identifier(line, pos);
    if (!schema || !skip(line, pos, "."))
        return std::nullopt;
    const auto table = identifier(line, pos);
    if (!table || !skip(line, pos, " "))
        return std::nullopt;
    st.schema = *schema;
    st.table = *table;
    if (skip(line, pos, "(")) {
        for (;;) {
            const auto column = identifier(line, pos);
            if (!column)
                return std::nullopt;
            st.columns << *column;
            if (skip(line, pos, ", "))
                continue;
            if (!skip(line, pos, ") "))
                return std::nullopt;
            break;
        }
    } else if (!skip(line, pos, " ")) { // no columns: "COPY s.t  FROM stdin;"
        return std::nullopt;
    }
    return pos == line.size() - qsizetype(sizeof("FROM stdin;") - 1) ? std::optional(st) : std::nullopt;
}

void appendCsvField(QByteArray &out, QByteArrayView value, bool onlyColumn)
{
    const char *p = value.data();
    const char *const end = p + value.size();
    bool quote = value.isEmpty() || (onlyColumn && value == "\\.");
    for (; !quote && p != end; ++p)
        quote = *p == ',' || *p == '"' || *p == '\n' || *p == '\r';
    if (!quote) {
        out.append(value);
        return;
    }
    out += '"';
    for (p = value.data(); p != end;) {
        const char *q = static_cast<const char *>(std::memchr(p, '"', size_t(end - p)));
        if (!q) {
            out.append(p, end - p);
            break;
        }
        out.append(p, q - p + 1);
        out += '"';
        p = q + 1;
    }
    out += '"';
}

namespace {

int hexDigit(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

// One field of the text format, escapes resolved (CopyReadAttributesText).
bool unescape(QByteArrayView field, QByteArray &value)
{
    value.clear();
    for (qsizetype i = 0; i < field.size(); ++i) {
        char c = field[i];
        if (c != '\\') {
            const qsizetype next = field.indexOf('\\', i);
            const qsizetype stop = next < 0 ? field.size() : next;
            value.append(field.sliced(i, stop - i));
            i = stop - 1;
            continue;
        }
        if (++i >= field.size())
            return false; // a backslash at the end of a row
        c = field[i];
        switch (c) {
        case 'b':
            value += '\b';
            break;
        case 'f':
            value += '\f';
            break;
        case 'n':
            value += '\n';
            break;
        case 'r':
            value += '\r';
            break;
        case 't':
            value += '\t';
            break;
        case 'v':
            value += '\v';
            break;
        case 'x':
            if (i + 1 < field.size() && hexDigit(field[i + 1]) >= 0) {
                int v = hexDigit(field[++i]);
                if (i + 1 < field.size() && hexDigit(field[i + 1]) >= 0)
                    v = v * 16 + hexDigit(field[++i]);
                value += char(v);
            } else {
                value += 'x';
            }
            break;
        default:
            if (c >= '0' && c <= '7') {
                int v = c - '0';
                for (int n = 1; n < 3 && i + 1 < field.size() && field[i + 1] >= '0' && field[i + 1] <= '7'; ++n)
                    v = v * 8 + (field[++i] - '0');
                value += char(v & 0xff);
            } else {
                value += c; // "\\" and any other escaped character: itself
            }
        }
    }
    return true;
}

} // namespace

bool appendCsvRow(QByteArray &out, QByteArrayView textRow, int columns)
{
    if (columns == 0) {
        if (!textRow.isEmpty())
            return false;
        out += '\n';
        return true;
    }
    QByteArray value;
    qsizetype start = 0;
    for (int column = 0; column < columns; ++column) {
        qsizetype end = textRow.indexOf('\t', start);
        if (end < 0)
            end = textRow.size();
        if ((column == columns - 1) != (end == textRow.size()))
            return false; // more or fewer fields than columns
        const QByteArrayView field = textRow.sliced(start, end - start);
        if (column > 0)
            out += ',';
        if (field != "\\N") { // NULL: nothing, unquoted
            if (!field.contains('\\')) {
                appendCsvField(out, field, columns == 1); // most fields: nothing to unescape
            } else {
                if (!unescape(field, value))
                    return false;
                appendCsvField(out, value, columns == 1);
            }
        }
        start = end + 1;
    }
    out += '\n';
    return true;
}

} // namespace copytext

// ---- CsvHandoff ------------------------------------------------------------------------------

void CsvHandoff::plan(bool wanted)
{
    QMutexLocker lock(&m_mutex);
    if (m_planned)
        return;
    m_planned = true;
    m_wanted = wanted;
    m_changed.wakeAll();
}

bool CsvHandoff::waitUntil(const std::function<bool()> &ready, const std::function<bool()> &stop)
{
    while (!ready()) {
        if (stop())
            return false;
        m_changed.wait(&m_mutex, QDeadlineTimer(100));
    }
    return true;
}

bool CsvHandoff::waitForPlan(const std::function<bool()> &stop)
{
    QMutexLocker lock(&m_mutex);
    return waitUntil([this] { return m_planned; }, stop) && m_wanted;
}

bool CsvHandoff::push(QByteArrayView bytes, const std::function<bool()> &stop)
{
    QMutexLocker lock(&m_mutex);
    if (!waitUntil([this] { return m_abandoned || m_queued < MaxQueued; }, stop) || m_abandoned)
        return false;
    m_queue.append(bytes.toByteArray());
    m_queued += bytes.size();
    m_changed.wakeAll();
    return true;
}

void CsvHandoff::end(const QString &error)
{
    QMutexLocker lock(&m_mutex);
    if (m_ended)
        return;
    m_ended = true;
    m_error = error;
    m_changed.wakeAll();
}

std::optional<QByteArray> CsvHandoff::pop(const std::function<bool()> &stop, QString *error)
{
    QMutexLocker lock(&m_mutex);
    if (!waitUntil([this] { return !m_queue.isEmpty() || m_ended; }, stop))
        return std::nullopt;
    if (m_queue.isEmpty()) {
        *error = m_error;
        return std::nullopt;
    }
    QByteArray next = m_queue.takeFirst();
    m_queued -= next.size();
    m_changed.wakeAll();
    return next;
}

void CsvHandoff::abandon()
{
    QMutexLocker lock(&m_mutex);
    m_abandoned = true;
    m_queue.clear();
    m_queued = 0;
    m_changed.wakeAll();
}

// ---- CsvFromDump -----------------------------------------------------------------------------

namespace {
constexpr qsizetype FlushAt = 1 << 20;
}

CsvFromDump::CsvFromDump(const BackupContext &ctx, QHash<QString, QString> wanted)
    : m_ctx(ctx)
    , m_wanted(std::move(wanted))
{}

CsvFromDump::~CsvFromDump() = default;

bool CsvFromDump::feed(QByteArrayView bytes)
{
    if (!m_error.isEmpty())
        return false;
    qsizetype start = 0;
    for (qsizetype nl; (nl = bytes.indexOf('\n', start)) >= 0; start = nl + 1) {
        bool ok;
        if (m_partial.isEmpty()) {
            ok = line(bytes.sliced(start, nl - start));
        } else {
            m_partial += bytes.sliced(start, nl - start);
            ok = line(m_partial);
            m_partial.clear();
        }
        if (!ok)
            return false;
    }
    m_partial += bytes.sliced(start);
    return true;
}

bool CsvFromDump::line(QByteArrayView l)
{
    if (m_inCopy) {
        if (l == "\\.")
            return endTable();
        if (!m_out)
            return true; // a block not wanted
        if (!copytext::appendCsvRow(m_csv, l, m_columns)) {
            m_error = QStringLiteral("row %1 of %2 in the dump's SQL does not match its %3 column(s)")
                          .arg(m_rows + 1)
                          .arg(m_table)
                          .arg(m_columns);
            return false;
        }
        ++m_rows;
        if (m_csv.size() >= FlushAt) {
            if (m_out->write(m_csv) != m_csv.size()) {
                m_error = QStringLiteral("cannot write %1: %2").arg(m_out->fileName(), m_out->errorString());
                return false;
            }
            m_bytesWritten += m_csv.size();
            m_csv.clear();
        }
        return true;
    }
    // pg_restore's header of a data entry: "-- Data for Name: t; Type: TABLE DATA; Schema: ...".
    if (l.startsWith("-- ")) {
        if (l.contains("; Type: TABLE DATA; "))
            m_afterDataHeader = true;
        return true;
    }
    if (l.isEmpty() || l == "--")
        return true;
    const bool dataFollows = m_afterDataHeader;
    m_afterDataHeader = false;
    if (!dataFollows)
        return true;
    if (!l.startsWith("COPY "))
        return true; // a data entry of another kind
    // Its rows follow, up to "\.", whether it is taken or not (a statement this does not read,
    // a name with a line break in it, is skipped with its rows: data_csv reads that table).
    m_inCopy = true;
    const auto st = copytext::parseCopyStatement(l);
    if (!st)
        return true;
    m_table = st->schema + u'.' + st->table;
    const QString file = m_wanted.take(m_table);
    if (file.isEmpty())
        return true;
    m_columns = int(st->columns.size());
    m_rows = 0;
    m_out = std::make_unique<BackupFileWriter>(m_ctx.absolutePath(file));
    if (!m_out->open()) {
        m_error = QStringLiteral("cannot write %1: %2").arg(m_out->fileName(), m_out->errorString());
        return false;
    }
    m_derived.insert(m_table, {file, 0, 0, {}});
    m_csv.clear();
    for (qsizetype i = 0; i < st->columns.size(); ++i) {
        if (i > 0)
            m_csv += ',';
        copytext::appendCsvField(m_csv, st->columns.at(i).toUtf8(), st->columns.size() == 1);
    }
    m_csv += '\n';
    return true;
}

bool CsvFromDump::endTable()
{
    m_inCopy = false;
    if (!m_out)
        return true;
    const bool written = m_out->write(m_csv) == m_csv.size();
    m_bytesWritten += m_csv.size();
    m_csv.clear();
    if (!m_out->finish() || !written) {
        m_error = QStringLiteral("cannot write %1: %2").arg(m_out->fileName(), m_out->errorString());
        return false;
    }
    Derived &d = m_derived[m_table];
    d.rows = m_rows;
    d.size = m_out->size();
    d.sha256 = m_out->sha256();
    m_out.reset();
    return true;
}

bool CsvFromDump::finish()
{
    if (!m_error.isEmpty())
        return false;
    if (m_inCopy || !m_partial.isEmpty()) {
        m_error = QStringLiteral("the dump's SQL ends inside the rows of %1").arg(m_table);
        return false;
    }
    return true;
}

} // namespace lifeboat
