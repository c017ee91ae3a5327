package dev.keyring4j.spring;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Path;
import java.sql.SQLException;
import java.util.UUID;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.context.ConfigurableApplicationContext;

/** The application of {@link ImportedPasswordTest} without the import: the same database refuses it. */
class WithoutImportTest {
    /** H2's error code for a wrong user name or password. */
    private static final int WRONG_USER_OR_PASSWORD = 28000;

    @TempDir
    static Path dir;
    static TestDatabase database;
    static ConfigurableApplicationContext app;

    @BeforeAll
    static void start() throws Exception {
        database = TestDatabase.start(dir, "db-" + UUID.randomUUID());
        app = TestApplication.run(database.dataSourceArgs());
    }

    @AfterAll
    static void stop() {
        if (app != null) app.close();
        if (database != null) database.close();
    }

    @Test
    void theDatabaseRefusesTheConnectionForItsPassword() {
        assertNull(app.getEnvironment().getProperty("spring.datasource.password"), "nothing else supplies the password");
        Exception e = assertThrows(Exception.class, () -> app.getBean(DataSource.class).getConnection().close());
        Throwable t = e;
        while (t != null && !(t instanceof SQLException)) t = t.getCause();
        assertEquals(WRONG_USER_OR_PASSWORD, t == null ? -1 : ((SQLException) t).getErrorCode(), () -> "not an authentication failure: " + e);
    }
}
