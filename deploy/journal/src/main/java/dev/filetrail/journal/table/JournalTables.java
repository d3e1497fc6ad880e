package dev.filetrail.journal.table;

import dev.filetrail.journal.JournalConfig;
import java.util.List;
import java.util.Map;
import org.apache.iceberg.PartitionSpec;
import org.apache.iceberg.Schema;
import org.apache.iceberg.Table;
import org.apache.iceberg.catalog.Catalog;
import org.apache.iceberg.catalog.SupportsNamespaces;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.iceberg.catalog.ViewCatalog;
import org.apache.iceberg.exceptions.AlreadyExistsException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Creates the journal's namespace, tables and the inventory view when they are missing, with Filetrail's schemas
 * (never auto-created by the sink).
 */
public final class JournalTables {
    private static final Logger log = LoggerFactory.getLogger(JournalTables.class);
    /** Format 2, zstd Parquet: what Athena and DuckDB read. */
    static final Map<String, String> PROPERTIES = Map.of("format-version", "2",
            "write.parquet.compression-codec", "zstd");
    /** The SQL dialects the inventory view is stored in: DuckDB ({@code filetrail sql}), Trino/Athena and Spark. */
    public static final List<String> VIEW_DIALECTS = List.of("duckdb", "trino", "spark");

    /** One table: its name, schema and partitioning. */
    public record Definition(String name, Schema schema, PartitionSpec spec) {
    }

    /** The five tables, in the order the sink's routing lists them. */
    public static final List<Definition> DEFINITIONS = List.of(
            new Definition(JournalTable.NAME, JournalTable.SCHEMA, JournalTable.SPEC),
            new Definition(AuditTable.NAME, AuditTable.SCHEMA, AuditTable.SPEC),
            new Definition(InventoryTable.CHANGES, InventoryTable.SCHEMA, InventoryTable.SPEC),
            new Definition(ProcessingResultsTable.NAME, ProcessingResultsTable.SCHEMA, ProcessingResultsTable.SPEC),
            new Definition(ShareCommandsTable.NAME, ShareCommandsTable.SCHEMA, ShareCommandsTable.SPEC));

    private final JournalConfig config;

    public JournalTables(JournalConfig config) {
        this.config = config;
    }

    public TableIdentifier journal() {
        return table(JournalTable.NAME);
    }

    public TableIdentifier audit() {
        return table(AuditTable.NAME);
    }

    public TableIdentifier inventoryChanges() {
        return table(InventoryTable.CHANGES);
    }

    public TableIdentifier processingResults() {
        return table(ProcessingResultsTable.NAME);
    }

    public TableIdentifier shareCommands() {
        return table(ShareCommandsTable.NAME);
    }

    public TableIdentifier inventory() {
        return table(InventoryTable.VIEW);
    }

    public TableIdentifier table(String name) {
        return TableIdentifier.of(config.icebergNamespace(), name);
    }

    /** Makes sure the namespace, the five tables and the inventory view exist; returns the journal table. */
    public Table ensure(Catalog catalog) {
        if (catalog instanceof SupportsNamespaces namespaces && !namespaces.namespaceExists(config.icebergNamespace())) {
            try {
                namespaces.createNamespace(config.icebergNamespace());
                log.info("journal namespace created namespace={}", config.namespace());
            } catch (AlreadyExistsException raced) {
                // another process created it between the check and the create: what we wanted
            }
        }
        DEFINITIONS.forEach(d -> ensure(catalog, d));
        if (catalog instanceof ViewCatalog views) {
            ensureInventoryView(views);
        } else {
            log.warn("catalog has no views; inventory is only the query in the README catalog={}", config.catalogName());
        }
        return catalog.loadTable(journal());
    }

    private Table ensure(Catalog catalog, Definition d) {
        TableIdentifier id = table(d.name());
        if (catalog.tableExists(id)) {
            return catalog.loadTable(id);
        }
        try {
            Table table = catalog.createTable(id, d.schema(), d.spec(), PROPERTIES);
            log.info("journal table created table={} location={}", id, table.location());
            return table;
        } catch (AlreadyExistsException raced) {
            return catalog.loadTable(id);
        }
    }

    private void ensureInventoryView(ViewCatalog views) {
        TableIdentifier id = inventory();
        boolean exists = views.viewExists(id);
        if (exists) {
            var current = views.loadView(id).sqlFor(VIEW_DIALECTS.get(0));
            if (current != null && current.sql().equals(InventoryTable.viewSql(InventoryTable.CHANGES))) {
                return;
            }
        }
        var builder = views.buildView(id).withSchema(InventoryTable.VIEW_SCHEMA)
                .withDefaultNamespace(config.icebergNamespace())
                .withProperty("comment", "one row per current object version, from " + InventoryTable.CHANGES);
        for (String dialect : VIEW_DIALECTS) {
            builder = builder.withQuery(dialect, InventoryTable.viewSql(InventoryTable.CHANGES));
        }
        try {
            if (exists) {
                // an older version of the query (before the view had tags): a new version of the view
                builder.replace();
                log.info("journal view replaced view={}", id);
            } else {
                builder.create();
                log.info("journal view created view={}", id);
            }
        } catch (AlreadyExistsException raced) {
            // created by another process meanwhile
        }
    }
}
