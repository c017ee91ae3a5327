package dev.keyring4j.spring;

import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * {@code optional:} imports of an unavailable store and of a service with no credential: the
 * application starts without those properties, and the log says why the store was skipped.
 */
class OptionalImportTest {
    @TempDir
    static Path dir;
    static TestKeyring keyring;
    static ConfigurableApplicationContext app;
    static String log;

    @BeforeAll
    static void start() throws Exception {
        keyring = new TestKeyring(dir);
        try (CapturedOutput output = CapturedOutput.start()) {
            app = TestApplication.run("--spring.config.import=optional:" + TestKeyring.lockedLocation(dir, "myapp")
                    + ",optional:" + keyring.location("nothing-here"));
            log = output.text();
        }
    }

    @AfterAll
    static void stop() throws Exception {
        if (app != null) app.close();
        if (keyring != null) keyring.remove();
    }

    @Test
    void theApplicationStartsWithoutTheProperties() {
        assertTrue(app.isActive());
        assertNull(app.getEnvironment().getProperty("spring.datasource.password"));
        assertNull(app.getEnvironment().getPropertySources().get(keyring.location("nothing-here")), "an empty service adds no source");
    }

    @Test
    void theLogSaysWhyTheUnavailableStoreWasSkipped() {
        assertTrue(log.matches("(?s).* WARN .*spring.config.import location 'optional:keyring4j:myapp\\?backend=encrypted-file[^']*' skipped: "
                + "backend 'encrypted-file' .* is unavailable: .*\\(see docs/troubleshooting.md#unavailable\\).*"), log);
    }
}
