package dev.filetrail.api.files;

import static org.assertj.core.api.Assertions.assertThat;

import dev.filetrail.api.ReadModelDatabase;
import dev.filetrail.api.StoredKey;
import dev.filetrail.embedded.junit.RealParts;
import dev.filetrail.embedded.postgres.PostgresServer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The file queries on a real PostgreSQL through the service's pool: statements prepared once per connection and
 * reused, the pool's wait metrics, and listing by prefix as an index range, including prefixes at the top of
 * Unicode.
 */
@ExtendWith(RealParts.class)
class FileQueriesTest {
    private static final String BUCKET = "queries";
    private static final String VERSIONED = "docs/report.pdf";
    private static final List<String> KEYS = List.of("a", "a/", "a/b", "a0", "a\uDBFF\uDFFF", "a\uDBFF\uDFFFx",
            "a\uDBFF\uDFFF\uDBFF\uDFFF", "a\u0000b", "a\u0001", "b", "\uDBFF\uDFFF", "\uDBFF\uDFFF!");
    private static SimpleMeterRegistry registry;
    private static ReadModelDatabase database;
    private static FileQueries queries;

    @BeforeAll
    static void database(PostgresServer postgres) throws SQLException {
        registry = new SimpleMeterRegistry();
        String url = postgres.createDatabase("file_queries");
        try (ReadModelDatabase migrations = new ReadModelDatabase(url, PostgresServer.USER, PostgresServer.PASSWORD,
                "filetrail", "filetrail_keys", 2, "file-queries-migrations")) {
            migrations.migrate();
        }
        // One connection, so every query below runs on the connection the prepared-statement test inspects.
        database = new ReadModelDatabase(url, PostgresServer.USER, PostgresServer.PASSWORD, "filetrail",
                "filetrail_keys", 1, "file-queries-test", registry);
        queries = new FileQueries(database.dataSource());
        try (Connection c = database.dataSource().getConnection();
             PreparedStatement file = c.prepareStatement("INSERT INTO files (bucket, key, deleted, version_count,"
                     + " delete_marker_count, current_version_id) VALUES (?, ?, false, 1, 0, 'v1')");
             PreparedStatement version = c.prepareStatement("INSERT INTO file_versions (bucket, key, version_id,"
                     + " ordering, delete_marker) VALUES (?, ?, ?, ?, false)")) {
            for (String key : KEYS) {
                file.setString(1, BUCKET);
                file.setString(2, StoredKey.toColumn(key));
                file.addBatch();
            }
            file.setString(1, BUCKET);
            file.setString(2, VERSIONED);
            file.addBatch();
            file.executeBatch();
            for (int i = 0; i < 5; i++) {
                version.setString(1, BUCKET);
                version.setString(2, VERSIONED);
                version.setString(3, "v" + i);
                version.setString(4, "o" + i);
                version.addBatch();
            }
            version.executeBatch();
        }
    }

    @AfterAll
    static void close() {
        database.close();
    }

    @Test
    void statementsArePreparedOnceAndReusedOnTheirConnection() throws SQLException {
        for (int i = 0; i < 3; i++) {
            assertThat(queries.history(BUCKET, VERSIONED, null, null, 10)).hasSize(5);
        }
        assertThat(queries.history(BUCKET, VERSIONED, "o3", "v3", 2)).extracting(FileQueries.VersionRow::versionId)
                .containsExactly("v2", "v1");

        Map<String, Long> executions = new LinkedHashMap<>();
        try (Connection c = database.dataSource().getConnection();
             PreparedStatement s = c.prepareStatement(
                     "SELECT statement, generic_plans + custom_plans FROM pg_prepared_statements");
             ResultSet rs = s.executeQuery()) {
            while (rs.next()) {
                executions.merge(rs.getString(1), rs.getLong(2), Long::sum);
            }
        }
        // Server-side statements (named by the driver), each parsed once and executed as often as it was called.
        assertThat(executions).containsEntry(statement(executions, "ORDER BY ordering DESC", "<"), 1L)
                .containsEntry(statement(executions, "ORDER BY ordering DESC", null), 3L);
    }

    @Test
    void thePoolReportsItsWaitsAsMetrics() {
        queries.file(BUCKET, VERSIONED);
        assertThat(registry.find("hikaricp.connections.pending").tag("pool", "file-queries-test").gauge())
                .isNotNull();
        assertThat(registry.find("hikaricp.connections.acquire").tag("pool", "file-queries-test").timer().count())
                .isPositive();
    }

    @Test
    void aPrefixListsExactlyTheKeysThatStartWithIt() {
        for (String prefix : List.of("", "a", "a/", "a\uDBFF\uDFFF", "a\uDBFF\uDFFF\uDBFF\uDFFF", "a\u0000", "a\u0001",
                "\uDBFF\uDFFF", "c")) {
            List<String> expected = java.util.stream.Stream.concat(KEYS.stream(), java.util.stream.Stream.of(VERSIONED))
                    .filter(k -> k.startsWith(prefix)).sorted(FileQueriesTest::utf8Order).toList();
            assertThat(queries.list(BUCKET, prefix, null, 100)).extracting(FileQueries.FileRow::key)
                    .as("prefix %s", codePoints(prefix)).containsExactlyElementsOf(expected);
            if (expected.size() > 1) {
                // The cursor continues the same range.
                assertThat(queries.list(BUCKET, prefix, expected.get(0), 100)).extracting(FileQueries.FileRow::key)
                        .containsExactlyElementsOf(expected.subList(1, expected.size()));
            }
        }
    }

    @Property
    void theSuccessorBoundsExactlyTheStringsWithThePrefix(@ForAll("text") String prefix, @ForAll("text") String s) {
        String successor = FileQueries.successor(prefix);
        assertThat(inRange(s, prefix)).as("%s in [%s, %s)", codePoints(s), codePoints(prefix),
                successor == null ? "∞" : codePoints(successor)).isEqualTo(s.startsWith(prefix));
        assertThat(inRange(prefix + s, prefix)).isTrue();
    }

    private static boolean inRange(String s, String prefix) {
        String successor = FileQueries.successor(prefix);
        return utf8Order(prefix, s) <= 0 && (successor == null || utf8Order(s, successor) < 0);
    }

    /** Few characters, most at the edges of the ranges the successor has to step over. */
    @Provide
    Arbitrary<String> text() {
        Arbitrary<String> edge = Arbitraries.of("a", "b", "\u0001", "\uD7FF", "\uE000", "\uFFFF", "\uD800\uDC00",
                "\uDBFF\uDFFF", "\uDBFF\uDFFE");
        return edge.list().ofMaxSize(4).map(parts -> String.join("", parts));
    }

    /** PostgreSQL's "C" order of UTF-8 text: unsigned bytes. */
    private static int utf8Order(String a, String b) {
        return Arrays.compareUnsigned(a.getBytes(StandardCharsets.UTF_8), b.getBytes(StandardCharsets.UTF_8));
    }

    private static String statement(Map<String, Long> executions, String containing, String alsoContaining) {
        return executions.keySet().stream()
                .filter(s -> s.contains(containing) && (alsoContaining == null ? !s.contains("(ordering, version_id) <")
                        : s.contains(alsoContaining)))
                .findFirst().orElse("no prepared statement containing " + containing + " among " + executions.keySet());
    }

    private static String codePoints(String s) {
        return s.codePoints().mapToObj(cp -> String.format("U+%04X", cp)).toList().toString();
    }
}
