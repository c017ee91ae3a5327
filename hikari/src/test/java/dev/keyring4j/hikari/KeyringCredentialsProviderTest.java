package dev.keyring4j.hikari;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import com.zaxxer.hikari.HikariPoolMXBean;
import dev.keyring4j.ConfigurationException;
import dev.keyring4j.CredentialStore;
import dev.keyring4j.Keyring;
import dev.keyring4j.KeyringConfig;
import dev.keyring4j.KeyringException;
import dev.keyring4j.Secret;
import dev.keyring4j.StoreCorruptedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.UUID;
import java.util.function.BooleanSupplier;
import org.h2.tools.Server;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * HikariCP 7.1.0 pools whose password comes only from a real keyring4j store (the kernel keyring,
 * an encrypted file), connecting to a real password-protected H2 database over TCP. The pool
 * reaches H2 only through {@link CountingProxy}, so every connection it attempts is counted.
 * One H2 server, one proxy and one kernel store (in this JVM's process keyring, gone when it
 * exits) serve the whole class.
 */
class KeyringCredentialsProviderTest {
    /** The service of every test; each test has its own account (= its own H2 user). */
    static final String SERVICE = "orders-db";
    static final String DB = "mem:orders";
    static final String NAMESPACE = "keyring4j-hikari-test-" + UUID.randomUUID();

    static Server h2;
    static Connection admin;
    static CountingProxy proxy;
    static CredentialStore kernel;

    @TempDir
    static Path tmp;

    @BeforeAll
    static void start() throws Exception {
        // the in-memory database lives as long as this admin session; the TCP server serves the same one
        admin = DriverManager.getConnection("jdbc:h2:" + DB + ";DB_CLOSE_DELAY=-1", "ADMIN", "admin-" + UUID.randomUUID());
        h2 = Server.createTcpServer("-tcpPort", "0").start();
        proxy = new CountingProxy(h2.getPort());
        kernel = Keyring.open(isolated().backend("kernel")
                .set("kernel.keyring", "process").set("kernel.namespace", NAMESPACE).build());
    }

    @AfterAll
    static void stop() throws Exception {
        if (kernel != null) {
            for (var id : kernel.list(SERVICE)) kernel.delete(id.service(), id.account());
            kernel.close();
        }
        if (proxy != null) proxy.close();
        if (h2 != null) h2.stop();
        if (admin != null) admin.close();
    }

    /** keyring4j configuration that reads nothing of this machine's own (no files, no environment, no system properties). */
    static KeyringConfig.Builder isolated() {
        return KeyringConfig.builder().environment(Map.of()).systemProperties(Map.of())
                .userFile(tmp.resolve("absent-user.properties")).systemFile(tmp.resolve("absent-system.properties"));
    }

    /** The URL the pools use: through the counting proxy. */
    static String poolUrl() {
        return "jdbc:h2:tcp://127.0.0.1:" + proxy.port() + "/" + DB;
    }

    /** The URL that bypasses the proxy, for checks made directly against H2. */
    static String directUrl() {
        return "jdbc:h2:tcp://127.0.0.1:" + h2.getPort() + "/" + DB;
    }

    static String newPassword() {
        return "pw-" + UUID.randomUUID();
    }

    static void sql(String statement) throws SQLException {
        try (Statement s = admin.createStatement()) {
            s.execute(statement);
        }
    }

    static String query(Connection c, String sql) throws SQLException {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            assertTrue(rs.next(), sql);
            return rs.getString(1);
        }
    }

    /** The ids of H2's live sessions of {@code user}, as H2 itself lists them. */
    static Set<String> sessionsOf(String user) throws SQLException {
        Set<String> ids = new HashSet<>();
        try (Statement s = admin.createStatement();
             ResultSet rs = s.executeQuery("SELECT SESSION_ID FROM INFORMATION_SCHEMA.SESSIONS WHERE USER_NAME = '" + user + "'")) {
            while (rs.next()) ids.add(rs.getString(1));
        }
        return ids;
    }

    static HikariConfig poolConfig(String name, KeyringCredentialsProvider provider, int size) {
        HikariConfig config = new HikariConfig();
        config.setPoolName(name);
        config.setJdbcUrl(poolUrl());
        config.setCredentialsProvider(provider); // no username, no password in the pool's configuration
        config.setMaximumPoolSize(size);
        config.setMinimumIdle(size);
        config.setConnectionTimeout(1000);
        return config;
    }

    static void await(BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + 30_000_000_000L; // a bound against hanging, not a timing assertion
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) throw new AssertionError("still not the case after 30 s: " + what);
            Thread.sleep(20);
        }
    }

    /** The first {@link KeyringException} in the cause chain of {@code t}, which must have one. */
    static KeyringException keyringCause(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (c instanceof KeyringException k) return k;
        }
        throw new AssertionError("no KeyringException in the chain of " + t, t);
    }

    @Test
    void aRotatedPasswordIsUsedByEveryNewConnectionAfterEvictionWithoutRebuildingThePool() throws Exception {
        String oldPassword = newPassword();
        sql("CREATE USER APP PASSWORD '" + oldPassword + "'");
        kernel.set(SERVICE, "app", Secret.of(oldPassword));

        try (HikariDataSource ds = new HikariDataSource(poolConfig("rotation", new KeyringCredentialsProvider(kernel, SERVICE, "app"), 3))) {
            HikariPoolMXBean pool = ds.getHikariPoolMXBean();
            await(() -> pool.getTotalConnections() == 3, "the pool holds 3 connections");
            try (Connection c = ds.getConnection()) {
                assertEquals("APP", query(c, "SELECT CURRENT_USER"), "the pool logs in as the account");
            }
            Set<String> before = sessionsOf("APP");
            assertEquals(3, before.size(), "H2 sees the pool's 3 sessions: " + before);

            Connection held = ds.getConnection(); // in use across the rotation
            String heldSession = query(held, "SELECT SESSION_ID()");

            // rotate: in the database, then in the store; the pool is not touched
            String newPassword = newPassword();
            sql("ALTER USER APP SET PASSWORD '" + newPassword + "'");
            kernel.set(SERVICE, "app", Secret.of(newPassword));
            SQLException rejected = assertThrows(SQLException.class, () -> DriverManager.getConnection(directUrl(), "app", oldPassword).close());
            assertEquals(28000, rejected.getErrorCode(), "H2 now rejects the old password (wrong user or password): " + rejected);
            DriverManager.getConnection(directUrl(), "app", newPassword).close();

            int acceptedBeforeEviction = proxy.accepted();
            pool.softEvictConnections();
            assertEquals("1", query(held, "SELECT 1"), "a connection in use when evicted keeps working until it is returned");
            held.close(); // returned: closed, not reused

            // every connection handed out from now on is a new session, and works
            for (int round = 0; round < 10; round++) {
                List<Connection> borrowed = new ArrayList<>();
                try {
                    for (int i = 0; i < 3; i++) borrowed.add(ds.getConnection());
                    for (Connection c : borrowed) {
                        String session = query(c, "SELECT SESSION_ID()");
                        assertFalse(before.contains(session) || session.equals(heldSession), "session " + session + " predates the rotation");
                        assertEquals("APP", query(c, "SELECT CURRENT_USER"));
                    }
                } finally {
                    for (Connection c : borrowed) c.close();
                }
            }
            await(() -> pool.getTotalConnections() == 3 && pool.getIdleConnections() == 3, "the pool is full again");
            Set<String> after = sessionsOf("APP");
            assertEquals(3, after.size(), "H2 sees 3 sessions of the pool: " + after);
            assertTrue(after.stream().noneMatch(before::contains), "none of the sessions from before the rotation is left: " + after);
            // 3 new sessions, and exactly 3 connections reached H2: no attempt (with the old password or any) failed
            assertEquals(3, proxy.accepted() - acceptedBeforeEviction, "connections that reached H2 after the eviction");
        } finally {
            kernel.delete(SERVICE, "app");
        }
    }

    /**
     * The example of docs/watch.md, as written there: a watch on the credential soft-evicts the pool
     * on CHANGED. The password is rotated by another writer (a second handle on the same encrypted
     * file, as another process would write it), nobody touches the pool, and the pool's sessions are
     * all replaced by sessions logged in with the new password.
     */
    @Test
    void theDocumentedWatchRotatesThePoolWhenAnotherWriterChangesThePassword(@TempDir Path dir) throws Exception {
        KeyringConfig config = isolated().backend("encrypted-file")
                .set("encrypted-file.path", dir.resolve("credentials.k4j").toString())
                .set("encrypted-file.protection", "keyfile")
                .set("encrypted-file.keyfile", dir.resolve("credentials.key").toString()).build();
        String oldPassword = newPassword();
        sql("CREATE USER WATCHED PASSWORD '" + oldPassword + "'");
        try (CredentialStore store = Keyring.open(config); CredentialStore otherWriter = Keyring.open(config)) {
            store.set(SERVICE, "watched", Secret.of(oldPassword));
            HikariConfig pc = poolConfig("watched", new KeyringCredentialsProvider(store, SERVICE, "watched"), 2);
            try (HikariDataSource pool = new HikariDataSource(pc)) {
                await(() -> pool.getHikariPoolMXBean().getTotalConnections() == 2, "the pool holds 2 connections");
                Set<String> before = sessionsOf("WATCHED");
                assertEquals(2, before.size(), before.toString());
                java.util.concurrent.atomic.AtomicInteger evictions = new java.util.concurrent.atomic.AtomicInteger();
                try (dev.keyring4j.Subscription rotation = store.watch(SERVICE, "watched", event -> {
                    switch (event.kind()) {
                        case CHANGED, CREATED, RESYNC -> {
                            pool.getHikariPoolMXBean().softEvictConnections();
                            evictions.incrementAndGet();
                        }
                        case DELETED -> { }
                    }
                })) {
                    String newPassword = newPassword();
                    sql("ALTER USER WATCHED SET PASSWORD '" + newPassword + "'");
                    otherWriter.set(SERVICE, "watched", Secret.of(newPassword));
                    await(() -> evictions.get() == 1, "the watch saw the change and evicted the pool");
                    await(() -> {
                        try {
                            Set<String> now = sessionsOf("WATCHED");
                            return now.size() == 2 && now.stream().noneMatch(before::contains);
                        } catch (SQLException e) {
                            throw new IllegalStateException(e);
                        }
                    }, "the pool's sessions are all new ones, logged in with the new password");
                    try (Connection c = pool.getConnection()) {
                        assertEquals("WATCHED", query(c, "SELECT CURRENT_USER"));
                        assertFalse(before.contains(query(c, "SELECT SESSION_ID()")), "a session from after the rotation");
                    }
                }
            }
        } finally {
            sql("DROP USER WATCHED");
        }
    }

    @Test
    void aDeletedCredentialFailsTheConnectionAttemptWithKeyring4jsMessageAndNothingReachesTheDatabase() throws Exception {
        String password = newPassword();
        sql("CREATE USER BATCH PASSWORD '" + password + "'");
        kernel.set(SERVICE, "batch", Secret.of(password));

        try (HikariDataSource ds = new HikariDataSource(poolConfig("deleted", new KeyringCredentialsProvider(kernel, SERVICE, "batch"), 1))) {
            HikariPoolMXBean pool = ds.getHikariPoolMXBean();
            try (Connection c = ds.getConnection()) {
                assertEquals("BATCH", query(c, "SELECT CURRENT_USER"));
            }

            assertTrue(kernel.delete(SERVICE, "batch"));
            int accepted = proxy.accepted();
            pool.softEvictConnections();
            SQLTransientConnectionException e = assertThrows(SQLTransientConnectionException.class, () -> ds.getConnection().close());
            KeyringException cause = keyringCause(e);
            assertTrue(cause.getMessage().startsWith("no database password in the kernel store under service 'orders-db', account 'batch'"), cause.getMessage());
            assertTrue(cause.getMessage().contains("keyring4j set orders-db batch"), "says what to do: " + cause.getMessage());
            assertTrue(cause.getMessage().endsWith("(see docs/troubleshooting.md#store-error)"), cause.getMessage());
            assertFalse(cause.getMessage().contains(password));
            assertEquals(0, proxy.accepted() - accepted, "no connection (so no blank password) reached H2 while the credential was missing");

            // the failure is not sticky: once the credential is back, the same pool connects
            kernel.set(SERVICE, "batch", Secret.of(password));
            try (Connection c = ds.getConnection()) {
                assertEquals("BATCH", query(c, "SELECT CURRENT_USER"));
            }
        } finally {
            kernel.delete(SERVICE, "batch");
        }
    }

    @Test
    void aDamagedStoreFailsTheConnectionAttemptWithTheBackendsMessageAndNothingReachesTheDatabase() throws Exception {
        String password = newPassword();
        sql("CREATE USER AUDIT PASSWORD '" + password + "'");
        Path dir = tmp.resolve("efile");
        Path file = dir.resolve("credentials.k4j");
        try (CredentialStore store = Keyring.open(isolated().backend("encrypted-file")
                .set("encrypted-file.path", file.toString())
                .set("encrypted-file.protection", "keyfile")
                .set("encrypted-file.keyfile", dir.resolve("credentials.key").toString()).build())) {
            store.set(SERVICE, "audit", Secret.of(password));

            try (HikariDataSource ds = new HikariDataSource(poolConfig("damaged", new KeyringCredentialsProvider(store, SERVICE, "audit"), 1))) {
                try (Connection c = ds.getConnection()) {
                    assertEquals("AUDIT", query(c, "SELECT CURRENT_USER"));
                }

                Files.write(file, new byte[] {'x'}, StandardOpenOption.APPEND); // one added byte: the store must refuse the file
                int accepted = proxy.accepted();
                ds.getHikariPoolMXBean().softEvictConnections();
                SQLTransientConnectionException e = assertThrows(SQLTransientConnectionException.class, () -> ds.getConnection().close());
                KeyringException cause = keyringCause(e);
                assertInstanceOf(StoreCorruptedException.class, cause, "the backend's own exception, unchanged: " + cause);
                assertTrue(cause.getMessage().contains(file.toString()), "names the file: " + cause.getMessage());
                assertTrue(cause.getMessage().endsWith("(see docs/troubleshooting.md#corrupted)"), cause.getMessage());
                assertFalse(cause.getMessage().contains(password));
                assertEquals(0, proxy.accepted() - accepted, "no connection (so no blank password) reached H2 while the store was damaged");
            }
        }
    }

    @Test
    void aStoreClosedUnderThePoolFailsTheConnectionAttemptInKeyring4jsTerms() throws Exception {
        String password = newPassword();
        sql("CREATE USER CLOSING PASSWORD '" + password + "'");
        String ns = NAMESPACE + "-closing";
        CredentialStore store = Keyring.open(isolated().backend("kernel").set("kernel.keyring", "process").set("kernel.namespace", ns).build());
        try {
            store.set(SERVICE, "closing", Secret.of(password));
            try (HikariDataSource ds = new HikariDataSource(poolConfig("closed-store", new KeyringCredentialsProvider(store, SERVICE, "closing"), 1))) {
                ds.getConnection().close();
                store.delete(SERVICE, "closing");
                store.close();
                int accepted = proxy.accepted();
                ds.getHikariPoolMXBean().softEvictConnections();
                SQLTransientConnectionException e = assertThrows(SQLTransientConnectionException.class, () -> ds.getConnection().close());
                KeyringException cause = keyringCause(e);
                assertTrue(cause.getMessage().startsWith("HikariCP could not read the database password (service 'orders-db', account 'closing') from the kernel store:"),
                        cause.getMessage());
                assertInstanceOf(IllegalStateException.class, cause.getCause(), "the store's own failure is attached");
                assertEquals(0, proxy.accepted() - accepted, "nothing reached H2");
            }
        } finally {
            store.close();
        }
    }

    @Test
    void anEmptyStoredPasswordIsNeverSent() throws Exception {
        sql("CREATE USER EMPTY PASSWORD '" + newPassword() + "'");
        kernel.set(SERVICE, "empty", Secret.of(""));
        try {
            KeyringCredentialsProvider provider = new KeyringCredentialsProvider(kernel, SERVICE, "empty");
            int accepted = proxy.accepted();
            HikariConfig config = poolConfig("empty", provider, 1);
            // HikariCP asks once while it builds the pool: the failure comes out of the constructor, unchanged
            KeyringException e = assertThrows(KeyringException.class, () -> new HikariDataSource(config).close());
            assertTrue(e.getMessage().contains("is empty; keyring4j never sends an empty password"), e.getMessage());
            assertEquals(0, proxy.accepted() - accepted, "nothing reached H2");
        } finally {
            kernel.delete(SERVICE, "empty");
        }
    }

    /** The class-name path: HikariCP's own properties, the provider configured by the documented system properties. */
    @Test
    void theNoArgumentConstructorThroughHikariConfigProperties() throws Exception {
        String password = newPassword();
        sql("CREATE USER REPORTING PASSWORD '" + password + "'");
        kernel.set(SERVICE, "reporting", Secret.of(password));

        Properties hikari = new Properties();
        hikari.setProperty("jdbcUrl", poolUrl());
        hikari.setProperty("credentialsProviderClassName", "dev.keyring4j.hikari.KeyringCredentialsProvider");
        hikari.setProperty("poolName", "reporting");
        hikari.setProperty("maximumPoolSize", "2");

        // without its system properties the provider refuses to be made, saying which property is missing
        RuntimeException missing = assertThrows(RuntimeException.class, () -> new HikariConfig(hikari));
        ConfigurationException why = assertInstanceOf(ConfigurationException.class, keyringCause(missing));
        assertTrue(why.getMessage().contains("the system property dev.keyring4j.hikari.service is not set"), why.getMessage());

        Map<String, String> jvmFlags = Map.of(
                KeyringCredentialsProvider.SERVICE_PROPERTY, SERVICE,
                KeyringCredentialsProvider.ACCOUNT_PROPERTY, "reporting",
                KeyringCredentialsProvider.BACKEND_PROPERTY, "kernel",
                // keyring4j's own system properties select where the kernel backend looks (this class's namespace)
                "keyring4j.kernel.keyring", "process",
                "keyring4j.kernel.namespace", NAMESPACE);
        jvmFlags.forEach(System::setProperty);
        KeyringCredentialsProvider provider = null;
        try {
            HikariConfig config = new HikariConfig(hikari);
            provider = assertInstanceOf(KeyringCredentialsProvider.class, config.getCredentialsProvider());
            assertEquals(SERVICE, provider.service());
            assertEquals("reporting", provider.account());
            assertEquals("KeyringCredentialsProvider[service=orders-db, account=reporting, store=kernel]", provider.toString());
            try (HikariDataSource ds = new HikariDataSource(config); Connection c = ds.getConnection()) {
                assertEquals("REPORTING", query(c, "SELECT CURRENT_USER"));
                assertNotNull(query(c, "SELECT SESSION_ID()"));
            }
        } finally {
            jvmFlags.keySet().forEach(System::clearProperty);
            if (provider != null) provider.close();
            kernel.delete(SERVICE, "reporting");
        }
        KeyringCredentialsProvider closed = provider;
        KeyringException afterClose = assertThrows(KeyringException.class, closed::getCredentials);
        assertTrue(afterClose.getMessage().contains("was closed"), afterClose.getMessage());
    }
}
