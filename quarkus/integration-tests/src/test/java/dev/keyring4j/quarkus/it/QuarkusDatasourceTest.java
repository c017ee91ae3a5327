package dev.keyring4j.quarkus.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.keyring4j.CredentialStore;
import dev.keyring4j.KeyringException;
import dev.keyring4j.Secret;
import io.agroal.api.AgroalDataSource;
import io.quarkus.credentials.CredentialsProvider;
import io.quarkus.credentials.runtime.CredentialsProviderFinder;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;

/**
 * A real Quarkus application (one start for the class) whose Agroal datasources have no password in
 * their configuration: it comes from the {@code keyring4j} credentials provider, reading a real kernel
 * keyring, and the database is a password-protected H2 behind a TCP server.
 */
@QuarkusTest
@WithTestResource(H2WithStoredPassword.class)
class QuarkusDatasourceTest {
    @Inject
    AgroalDataSource dataSource;

    @Inject
    @io.quarkus.agroal.DataSource("explicit")
    AgroalDataSource explicit;

    @Inject
    @io.quarkus.agroal.DataSource("missing")
    AgroalDataSource missing;

    @ConfigProperty(name = "app.token")
    String token;

    @H2WithStoredPassword.H2Url
    String url;

    /**
     * The bean as Agroal finds it: by name, programmatically. Nothing in the application injects it, so
     * this also shows that Quarkus keeps the bean although no injection point uses it.
     */
    static CredentialsProvider provider() {
        return CredentialsProviderFinder.find("keyring4j");
    }

    static String greeting(AgroalDataSource ds) throws SQLException {
        try (Connection c = ds.getConnection(); Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT text FROM greeting WHERE id = 1")) {
            assertTrue(rs.next());
            return rs.getString(1);
        }
    }

    @Test
    void theDatasourceConnectsWithThePasswordFromTheStore() throws SQLException {
        assertEquals("hello from H2", greeting(dataSource));
        assertEquals("hello from H2", greeting(explicit));
        // the database really wants a password: without the stored one it refuses
        SQLException refused = assertThrows(SQLException.class, () -> DriverManager.getConnection(url, "app", "").close());
        assertTrue(refused.getMessage().contains("Wrong user name or password"), refused.getMessage());
    }

    @Test
    void theProviderAnswersUserAndPasswordAndNoExpiry() {
        try (CredentialStore store = H2WithStoredPassword.store(); Secret stored = store.get("keyring4j-db", "app").orElseThrow()) {
            Map<String, String> bare = provider().getCredentials("keyring4j-db");
            assertEquals(Map.of("user", "app", "password", stored.asString()), bare);
            assertEquals(bare, provider().getCredentials("keyring4j-db/app"));
            assertFalse(bare.containsKey(CredentialsProvider.EXPIRATION_TIMESTAMP_PROPERTY_NAME));
        }
    }

    @Test
    void aMissingCredentialFailsNamingIt() {
        KeyringException e = assertThrows(KeyringException.class, () -> provider().getCredentials("keyring4j-db/nobody"));
        assertEquals("no credential for service 'keyring4j-db' and account 'nobody' in the kernel store, which credentials-provider=keyring4j-db/nobody"
                + " names; store it with: keyring4j set 'keyring4j-db' 'nobody' (see docs/troubleshooting.md#store-error)", e.getMessage());
        KeyringException none = assertThrows(KeyringException.class, () -> provider().getCredentials("no-such-service"));
        assertTrue(none.getMessage().startsWith("no credential for service 'no-such-service' (any account) in the kernel store"), none.getMessage());
    }

    @Test
    void anEmptyStoredPasswordIsRefusedNotHandedOn() {
        try (CredentialStore store = H2WithStoredPassword.store()) {
            store.set("keyring4j-empty", "app", Secret.of(""));
            try {
                KeyringException e = assertThrows(KeyringException.class, () -> provider().getCredentials("keyring4j-empty/app"));
                assertEquals("the credential stored in the kernel store under service 'keyring4j-empty', account 'app', which"
                        + " credentials-provider=keyring4j-empty/app names, is empty; keyring4j never hands on an empty password;"
                        + " store the real one with: keyring4j set 'keyring4j-empty' 'app' (see docs/troubleshooting.md#store-error)", e.getMessage());
                assertThrows(KeyringException.class, () -> provider().getCredentials("keyring4j-empty"));
            } finally {
                store.delete("keyring4j-empty", "app");
            }
        }
    }

    @Test
    void aDatasourceWhoseCredentialIsMissingFailsWithKeyringsMessage() {
        // Agroal asks the provider on the calling thread and lets its exception through: no connection attempt is made
        KeyringException e = assertThrows(KeyringException.class, () -> missing.getConnection().close());
        assertTrue(e.getMessage().startsWith("no credential for service 'keyring4j-db' and account 'nobody'"), e.getMessage());
    }

    @Test
    void anyPropertyMayNameACredential() {
        assertEquals("t0ken-from-the-keyring", token);
    }

    @Test
    void aPasswordRotatedInTheDatabaseAndTheStoreIsUsedByTheNextConnection() throws Exception {
        String rotated = H2WithStoredPassword.randomPassword();
        String old;
        Set<Integer> before = new HashSet<>(); // H2 sessions that exist now, every one logged in with the old password
        try (CredentialStore store = H2WithStoredPassword.store()) {
            old = store.get("keyring4j-db", "app").orElseThrow().asString();
            greeting(explicit); // so both pools hold a connection from before
            try (Connection c = dataSource.getConnection(); Statement st = c.createStatement()) {
                try (ResultSet rs = st.executeQuery("SELECT SESSION_ID FROM INFORMATION_SCHEMA.SESSIONS")) {
                    while (rs.next()) before.add(rs.getInt(1));
                }
                st.execute("ALTER USER app SET PASSWORD '" + rotated + "'");
            }
            store.set("keyring4j-db", "app", Secret.of(rotated));
        }
        // the database now refuses the old password and takes the new one
        assertThrows(SQLException.class, () -> DriverManager.getConnection(url, "app", old).close());
        DriverManager.getConnection(url, "app", rotated).close();
        for (AgroalDataSource ds : List.of(dataSource, explicit)) {
            ds.flush(AgroalDataSource.FlushMode.ALL); // asynchronous: the pool's housekeeping thread closes the old connections
            assertTrue(connectsAnew(ds, before), "a new connection of " + ds + " after the rotation");
        }
    }

    /**
     * Whether the pool hands out, within a bounded number of tries, a connection that is a new H2 session
     * (so it logged in after the rotation, which only the new password can) and that answers a query.
     */
    static boolean connectsAnew(AgroalDataSource ds, Set<Integer> before) throws InterruptedException {
        for (int attempt = 0; attempt < 100; attempt++) {
            try (Connection c = ds.getConnection(); Statement st = c.createStatement();
                 ResultSet rs = st.executeQuery("SELECT SESSION_ID(), (SELECT text FROM greeting WHERE id = 1)")) {
                assertTrue(rs.next());
                if (!before.contains(rs.getInt(1))) {
                    assertEquals("hello from H2", rs.getString(2));
                    return true;
                }
            } catch (SQLException closedMeanwhile) {
                // a connection the flush was closing while the pool handed it out; the next try gets another
            }
            Thread.sleep(50);
        }
        return false;
    }
}
