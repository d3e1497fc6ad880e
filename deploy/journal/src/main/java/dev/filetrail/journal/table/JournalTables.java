package dev.filetrail.journal.table;

import dev.filetrail.journal.JournalConfig;
import java.util.Map;
import org.apache.iceberg.Table;
import org.apache.iceberg.catalog.Catalog;
import org.apache.iceberg.catalog.SupportsNamespaces;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.iceberg.exceptions.AlreadyExistsException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Creates the journal's namespace and tables when they are missing, with Filetrail's schemas (never auto-created). */
public final class JournalTables {
    private static final Logger log = LoggerFactory.getLogger(JournalTables.class);
    /** Format 2, zstd Parquet: what Athena and DuckDB read. */
    static final Map<String, String> PROPERTIES = Map.of("format-version", "2",
            "write.parquet.compression-codec", "zstd");

    private final JournalConfig config;

    public JournalTables(JournalConfig config) {
        this.config = config;
    }

    public TableIdentifier journal() {
        return TableIdentifier.of(config.icebergNamespace(), JournalTable.NAME);
    }

    /** Makes sure the namespace and the journal table exist; returns the table. */
    public Table ensure(Catalog catalog) {
        if (catalog instanceof SupportsNamespaces namespaces && !namespaces.namespaceExists(config.icebergNamespace())) {
            try {
                namespaces.createNamespace(config.icebergNamespace());
                log.info("journal namespace created namespace={}", config.namespace());
            } catch (AlreadyExistsException raced) {
                // another process created it between the check and the create: what we wanted
            }
        }
        TableIdentifier id = journal();
        if (catalog.tableExists(id)) {
            return catalog.loadTable(id);
        }
        try {
            Table table = catalog.createTable(id, JournalTable.SCHEMA, JournalTable.SPEC, PROPERTIES);
            log.info("journal table created table={} location={}", id, table.location());
            return table;
        } catch (AlreadyExistsException raced) {
            return catalog.loadTable(id);
        }
    }
}
