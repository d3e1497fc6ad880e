package dev.filetrail.api;

import dev.filetrail.embedded.postgres.PostgresServer;

/** A fresh database on the shared test server with the read model's migrations applied, for tests without an API. */
public final class MigratedDatabase {
    private MigratedDatabase() {
    }

    /** Creates database {@code name} (unique per test) and migrates it; the caller closes it. */
    public static ReadModelDatabase create(PostgresServer postgres, String name) {
        ReadModelDatabase db = new ReadModelDatabase(postgres.createDatabase(name), PostgresServer.USER,
                PostgresServer.PASSWORD, "filetrail", "filetrail_keys", 4, "test");
        db.migrate();
        return db;
    }
}
