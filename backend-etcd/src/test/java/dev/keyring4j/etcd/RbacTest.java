package dev.keyring4j.etcd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.keyring4j.AccessDeniedException;
import dev.keyring4j.QuotaExceededException;
import dev.keyring4j.Secret;
import dev.keyring4j.testkit.EtcdFixture;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * etcd's own access control and limits, on real members: a user whose role reads another prefix gets
 * AccessDeniedException (never "absent"), a read-only role reads but its writes are refused clearly,
 * a wrong password is refused, and a full database is QuotaExceededException.
 */
class RbacTest {
    private static EtcdFixture etcd;

    @TempDir
    static Path dir;

    @BeforeAll
    static void start() {
        etcd = EtcdFixture.single();
        etcd.enableAuth("root-pw");
        etcd.addUser("app", "app-pw", "readwrite", "/app/");
        etcd.addUser("other", "other-pw", "readwrite", "/other/");
        etcd.addUser("reader", "reader-pw", "read", "/app/");
    }

    @AfterAll
    static void stop() {
        if (etcd != null) etcd.close();
    }

    private static EtcdStore as(String user, String password) throws Exception {
        Path pw = dir.resolve(user + ".pw");
        Files.writeString(pw, password + "\n");
        return Stores.open(etcd, dir, "/app/", "user", user, "password-file", pw.toString());
    }

    @Test
    void rolesDecide() throws Exception {
        try (EtcdStore app = as("app", "app-pw")) {
            app.set("db", "svc-user", Secret.of("rbac-secret-1"));
            assertEquals("rbac-secret-1", app.get("db", "svc-user").orElseThrow().asString());
        }
        try (EtcdStore other = as("other", "other-pw")) {
            AccessDeniedException e = assertThrows(AccessDeniedException.class, () -> other.get("db", "svc-user"), "not \"absent\"");
            assertTrue(e.getMessage().contains("permission denied") && e.getMessage().contains("/app/"), e.getMessage());
            assertThrows(AccessDeniedException.class, other::list);
        }
        try (EtcdStore reader = as("reader", "reader-pw")) {
            assertEquals("rbac-secret-1", reader.get("db", "svc-user").orElseThrow().asString(), "a read-only role reads");
            assertEquals(1, reader.list().size());
            AccessDeniedException e = assertThrows(AccessDeniedException.class, () -> reader.set("db", "svc-user", Secret.of("changed")));
            assertTrue(e.getMessage().contains("permission denied") && e.getMessage().contains("readwrite"), e.getMessage());
            assertThrows(AccessDeniedException.class, () -> reader.delete("db", "svc-user"));
        }
        try (EtcdStore app = as("app", "app-pw")) {
            assertEquals("rbac-secret-1", app.get("db", "svc-user").orElseThrow().asString(), "nothing was changed by the refused writes");
        }
    }

    @Test
    void thePasswordCanComeFromAnotherKeyring4jStore() throws Exception {
        dev.keyring4j.spi.BackendConfig base = Stores.config(etcd, dir, "/app/", "user", "app", "password-store", "env");
        java.util.Map<String, String> env = new java.util.HashMap<>(base.env());
        env.put("KEYRING4J_ETCD_APP", "app-pw"); // the env backend: <prefix>_<service>_<account>
        java.util.Map<String, String> settings = new java.util.HashMap<>();
        for (String k : List.of("endpoints", "prefix", "keyfile", "timeout", "user", "password-store")) settings.put(k, base.get(k).orElseThrow());
        try (EtcdStore app = Stores.open(dev.keyring4j.spi.BackendConfig.of(EtcdProvider.ID, settings, env))) {
            app.set("db", "from-store", Secret.of("ok"));
            assertEquals("ok", app.get("db", "from-store").orElseThrow().asString());
        }
        dev.keyring4j.ConfigurationException e = assertThrows(dev.keyring4j.ConfigurationException.class,
                () -> new EtcdProvider().probe(dev.keyring4j.spi.BackendConfig.of(EtcdProvider.ID, settings, base.env())));
        assertTrue(e.getMessage().contains("holds no credential") && e.getMessage().contains("account app"), e.getMessage());
    }

    @Test
    void aWrongPasswordIsRefused() throws Exception {
        Path pw = dir.resolve("wrong.pw");
        Files.writeString(pw, "not-the-password\n");
        // the probe already authenticates: the backend is not available, and says why (never "absent", never a fallback)
        dev.keyring4j.spi.Candidate c = new EtcdProvider().probe(Stores.config(etcd, dir, "/app/", "user", "app", "password-file", pw.toString()));
        assertEquals(dev.keyring4j.spi.Availability.State.INDETERMINATE, c.availability().state());
        String reason = c.availability().reason();
        assertTrue(reason.contains("authentication failed") && reason.contains("etcd.password-file"), reason);
        assertFalse(reason.contains("not-the-password"), "no password in the reason");
        // the reason is the AccessDeniedException that every call of a client with this password gets
        assertTrue(reason.contains("troubleshooting.md#access-denied"), reason);
    }

    @Test
    void aFullDatabaseIsQuotaExceeded() throws Exception {
        try (EtcdFixture small = EtcdFixture.start(1, 2L << 20)) {
            try (EtcdStore s = Stores.open(small, dir, "/q/")) {
                Secret big = Secret.of(new byte[256 * 1024]);
                QuotaExceededException e = assertThrows(QuotaExceededException.class, () -> {
                    for (int i = 0; i < 200; i++) s.set("quota", "a" + (i % 4), big);
                });
                assertTrue(e.getMessage().contains("database space exceeded") && e.getMessage().contains("defrag"), e.getMessage());
                assertTrue(s.get("quota", "a0").isPresent(), "reads still work once the quota is reached");
            }
        }
    }
}
