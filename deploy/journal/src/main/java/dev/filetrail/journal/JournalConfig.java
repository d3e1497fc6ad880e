package dev.filetrail.journal;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Function;
import org.apache.iceberg.CatalogProperties;
import org.apache.iceberg.CatalogUtil;
import org.apache.iceberg.catalog.Catalog;
import org.apache.iceberg.catalog.Namespace;

/**
 * Where the journal's tables live: an Iceberg JDBC catalog (in PostgreSQL) over a warehouse in S3, and how often the
 * sink commits. Read from environment variables whose defaults point at the local stack.
 */
public record JournalConfig(
        String catalogName,
        String catalogUrl,
        String catalogUser,
        String catalogPassword,
        String warehouse,
        String namespace,
        String s3Endpoint,
        String region,
        String accessKeyId,
        String secretAccessKey,
        long commitIntervalMs,
        String catalogType,
        String component) {

    /** The bucket the local stack keeps the warehouse in. */
    public static final String LOCAL_WAREHOUSE_BUCKET = "filetrail-local-warehouse";
    /** The sink's default: one table snapshot per minute at most. */
    public static final long DEFAULT_COMMIT_INTERVAL_MS = 60_000;

    /** The catalog kinds: an Iceberg JDBC catalog (local) or AWS Glue's Data Catalog. */
    public static final String JDBC = "jdbc";
    public static final String GLUE = "glue";
    /** The app id the connector's S3 clients carry ({@code filetrail-journal}), which CloudTrail and the tests see. */
    public static final String CONNECTOR_COMPONENT = "journal";

    public JournalConfig {
        if (!catalogType.equals(JDBC) && !catalogType.equals(GLUE)) {
            throw new IllegalArgumentException("JOURNAL_CATALOG_TYPE must be jdbc or glue, was '" + catalogType + "'");
        }
        if (commitIntervalMs < 100) {
            throw new IllegalArgumentException("JOURNAL_COMMIT_INTERVAL_MS must be at least 100, was " + commitIntervalMs);
        }
        if (!warehouse.startsWith("s3://")) {
            throw new IllegalArgumentException("JOURNAL_WAREHOUSE must be an s3:// location, was '" + warehouse + "'");
        }
    }

    public static JournalConfig fromEnvironment(Map<String, String> env) {
        return from(env::get);
    }

    public static JournalConfig from(Function<String, String> env) {
        return new JournalConfig(
                text(env, "JOURNAL_CATALOG_NAME", "filetrail"),
                text(env, "JOURNAL_CATALOG_URL", text(env, "DATABASE_URL", "jdbc:postgresql://127.0.0.1:5432/filetrail")),
                text(env, "JOURNAL_CATALOG_USER", text(env, "DATABASE_USER", "postgres")),
                text(env, "JOURNAL_CATALOG_PASSWORD", text(env, "DATABASE_PASSWORD", "postgres")),
                text(env, "JOURNAL_WAREHOUSE", "s3://" + LOCAL_WAREHOUSE_BUCKET + "/warehouse"),
                text(env, "JOURNAL_NAMESPACE", "filetrail"),
                // Glue is AWS's catalog, so S3 is AWS's own there unless an endpoint is named; locally, s3proxy's.
                text(env, "S3_ENDPOINT", GLUE.equalsIgnoreCase(text(env, "JOURNAL_CATALOG_TYPE", JDBC)) ? ""
                        : "http://127.0.0.1:9000"),
                text(env, "AWS_REGION", "us-east-1"),
                text(env, "AWS_ACCESS_KEY_ID", ""),
                text(env, "AWS_SECRET_ACCESS_KEY", ""),
                Long.parseLong(text(env, "JOURNAL_COMMIT_INTERVAL_MS", String.valueOf(DEFAULT_COMMIT_INTERVAL_MS))),
                text(env, "JOURNAL_CATALOG_TYPE", JDBC).toLowerCase(java.util.Locale.ROOT),
                CONNECTOR_COMPONENT);
    }

    private static String text(Function<String, String> env, String name, String fallback) {
        String value = env.apply(name);
        return value == null || value.isBlank() ? fallback : value.trim();
    }

    /** The same settings with another commit interval (tests use a short one). */
    public JournalConfig withCommitIntervalMs(long ms) {
        return new JournalConfig(catalogName, catalogUrl, catalogUser, catalogPassword, warehouse, namespace, s3Endpoint,
                region, accessKeyId, secretAccessKey, ms, catalogType, component);
    }

    /** The same settings, the S3 clients tagged as {@code component} (the ops commands read the journal as ops). */
    public JournalConfig withComponent(String newComponent) {
        return new JournalConfig(catalogName, catalogUrl, catalogUser, catalogPassword, warehouse, namespace, s3Endpoint,
                region, accessKeyId, secretAccessKey, commitIntervalMs, catalogType, newComponent);
    }

    /** The bucket of {@link #warehouse()}. */
    public String warehouseBucket() {
        String rest = warehouse.substring("s3://".length());
        int slash = rest.indexOf('/');
        return slash < 0 ? rest : rest.substring(0, slash);
    }

    public Namespace icebergNamespace() {
        return Namespace.of(namespace);
    }

    /**
     * The catalog's properties, exactly as the sink receives them behind {@code iceberg.catalog.}: the JDBC catalog,
     * and S3FileIO with the endpoint override and path-style addressing an S3 emulator needs.
     */
    public Map<String, String> catalogProperties() {
        Map<String, String> p = new LinkedHashMap<>();
        if (catalogType.equals(GLUE)) {
            // Glue's Data Catalog: the namespace is the Glue database (created by the CDK stack), one Glue table per
            // Iceberg table; credentials and region come from the AWS default chain (MSK Connect's execution role).
            p.put(CatalogProperties.CATALOG_IMPL, "org.apache.iceberg.aws.glue.GlueCatalog");
        } else {
            p.put(CatalogProperties.CATALOG_IMPL, "org.apache.iceberg.jdbc.JdbcCatalog");
            p.put(CatalogProperties.URI, catalogUrl);
            p.put("jdbc.user", catalogUser);
            p.put("jdbc.password", catalogPassword);
            // V1 holds views as well; V0 (the default) warns at every start that it cannot.
            p.put("jdbc.schema-version", "V1");
        }
        p.put(CatalogProperties.WAREHOUSE_LOCATION, warehouse);
        p.put(CatalogProperties.FILE_IO_IMPL, "org.apache.iceberg.aws.s3.S3FileIO");
        // Filetrail's S3 clients: the same settings as Iceberg's own, plus the app id CloudTrail and IAM parity see.
        p.put("s3.client-factory-impl", "dev.filetrail.journal.JournalS3Clients");
        p.put(JournalS3Clients.COMPONENT, component);
        if (!s3Endpoint.isBlank()) {
            p.put("s3.endpoint", s3Endpoint);
            p.put("s3.path-style-access", "true");
        }
        if (!accessKeyId.isBlank()) {
            p.put("s3.access-key-id", accessKeyId);
            p.put("s3.secret-access-key", secretAccessKey);
        }
        p.put("client.region", region);
        p.put("http-client.type", "urlconnection");
        return p;
    }

    /** A catalog client; the caller closes it when it is {@link AutoCloseable}. */
    public Catalog catalog() {
        return CatalogUtil.buildIcebergCatalog(catalogName, catalogProperties(), null);
    }

    /** Closes a catalog from {@link #catalog()} (its connection pool and FileIO); a failure to close loses nothing. */
    public static void close(Catalog catalog) {
        if (catalog instanceof AutoCloseable closeable) {
            try {
                closeable.close();
            } catch (Exception e) {
                org.slf4j.LoggerFactory.getLogger(JournalConfig.class).warn("journal catalog did not close cleanly", e);
            }
        }
    }

    @Override
    public String toString() {
        return "JournalConfig[catalog=" + catalogName + " type=" + catalogType + " url=" + catalogUrl + " warehouse=" + warehouse + " namespace="
                + namespace + " s3=" + s3Endpoint + " commitIntervalMs=" + commitIntervalMs + "]";
    }
}
