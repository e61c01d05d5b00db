#pragma once

#include "Exporter.h"

namespace lifeboat {

/// `data_csv`: every table of every non-system schema as CSV with a header. When the database
/// component runs too, from the COPY blocks of the SQL derived from its dump (CsvFromDump),
/// so the server reads the data once; otherwise, and for tables the dump does not give whole,
/// streamed with COPY through libpq (never a whole table in memory) on `jobs` connections that
/// all read the run's snapshot, largest table first.
class DataCsvExporter final : public Exporter
{
public:
    QString name() const override { return Component::DataCsv; }
    void run(BackupContext &ctx, ComponentResult &r) override;
};

} // namespace lifeboat
