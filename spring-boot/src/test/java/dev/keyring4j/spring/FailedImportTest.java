package dev.keyring4j.spring;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.keyring4j.BackendUnavailableException;
import dev.keyring4j.ConfigurationException;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.io.TempDir;

/**
 * Imports that must stop the application before anything uses a missing value: each
 * {@code SpringApplication.run} fails while the environment is prepared (no context is ever
 * refreshed), with keyring4j's message in the exception and in Boot's failure report.
 */
class FailedImportTest {
    @TempDir
    static Path dir;
    static TestKeyring keyring;

    @BeforeAll
    static void store() throws Exception {
        keyring = new TestKeyring(dir);
    }

    @AfterAll
    static void remove() throws Exception {
        keyring.remove();
    }

    @Test
    void aServiceWithNoCredentialFailsStartup() {
        Failure f = run(keyring.location("nothing-here"));
        assertNull(f.exception.getCause());
        assertTrue(f.exception.getMessage().startsWith("spring.config.import location '" + keyring.location("nothing-here") + "' failed: "
                + "the kernel store holds no credential of service 'nothing-here'; store one with keyring4j set nothing-here <property name>"),
                f.exception.getMessage());
        f.reported("Fix what the message says, or write optional:" + f.exception.location() + " in spring.config.import");
    }

    @Test
    void anUnavailableStoreFailsStartupWithKeyring4jsMessage() throws Exception {
        String location = TestKeyring.lockedLocation(dir, "myapp");
        Failure f = run(location);
        BackendUnavailableException cause = assertInstanceOf(BackendUnavailableException.class, f.exception.getCause());
        assertEquals("spring.config.import location '" + location + "' failed: " + cause.getMessage(), f.exception.getMessage());
        assertTrue(cause.getMessage().endsWith("(see docs/troubleshooting.md#unavailable)"), cause.getMessage());
        f.reported("Fix what the message says, or write optional:" + f.exception.location() + " in spring.config.import");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "keyring4j:myapp?backend=kernel&namespace=x | unknown parameter 'namespace'; accepted: backend=ID (one backend id) and config=PATH",
        "optional:keyring4j:myapp?backend=kernel&namespace=x | unknown parameter 'namespace'",
        "keyring4j:?backend=kernel | the location names no service",
        "keyring4j:myapp?backend= | parameter 'backend' has no value; write backend=ID",
        "keyring4j:myapp?config | parameter 'config' has no value",
        "keyring4j:myapp?backend=kernel&backend=env | parameter 'backend' is given twice",
        "optional:keyring4j:myapp?backend=no-such-backend | unknown backend 'no-such-backend'",
        "optional:keyring4j:myapp?config=/nonexistent/keyring.properties | /nonexistent/keyring.properties",
    })
    void aConfigurationMistakeFailsStartupEvenWhenOptional(String location, String reason) {
        Failure f = run(location);
        assertInstanceOf(ConfigurationException.class, f.exception.getCause());
        assertTrue(f.exception.getMessage().startsWith("spring.config.import location '" + location + "' failed: "), f.exception.getMessage());
        assertTrue(f.exception.getMessage().contains(reason), f.exception.getMessage());
        f.reported("Correct the location in spring.config.import or the keyring4j configuration it names (optional: does not excuse");
    }

    private record Failure(KeyringImportException exception, String log) {
        /** Boot's failure report shows the message and what to do. */
        void reported(String action) {
            assertTrue(log.contains("APPLICATION FAILED TO START"), log);
            assertTrue(log.contains("Description:\n\n" + exception.getMessage()), log);
            assertTrue(log.contains("Action:\n\n" + action), log);
        }
    }

    private static Failure run(String location) {
        try (CapturedOutput output = CapturedOutput.start()) {
            KeyringImportException e = assertThrows(KeyringImportException.class,
                    () -> TestApplication.run("--spring.config.import=" + location).close());
            return new Failure(e, output.text());
        }
    }
}
