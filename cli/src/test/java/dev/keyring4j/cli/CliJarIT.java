package dev.keyring4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The built {@code keyring4j.jar}, run as a real process on the class path. */
class CliJarIT {
    @TempDir
    Path home;

    private Map<String, String> env(String... kv) {
        Map<String, String> m = new HashMap<>();
        // a private HOME and XDG dirs, so no user configuration leaks in
        m.put("HOME", home.toString());
        m.put("XDG_CONFIG_HOME", home.resolve("config").toString());
        m.put("XDG_DATA_HOME", home.resolve("data").toString());
        for (int i = 0; i < kv.length; i += 2) m.put(kv[i], kv[i + 1]);
        return m;
    }

    @Test
    void jarExists() {
        assertTrue(Files.isRegularFile(Path.of(System.getProperty("keyring4j.cli.jar"))));
    }

    @Test
    void getPrintsASecretSuppliedThroughTheEnvBackend() throws Exception {
        Processes.Result r = Processes.run(Processes.jar("--backend", "env", "get", "github.com", "alice"),
                env("KEYRING4J_GITHUB_COM_ALICE", "ghp_from_env"), null);
        assertEquals(0, r.exit(), r.err());
        assertEquals("ghp_from_env\n", r.out());
        // and without --backend, through the configured environment
        r = Processes.run(Processes.jar("get", "github.com", "alice"),
                env("KEYRING4J_BACKEND", "env", "KEYRING4J_GITHUB_COM_ALICE", "ghp_from_env"), null);
        assertEquals("ghp_from_env\n", r.out(), r.err());
    }

    @Test
    void getOfAMissingCredentialExitsOne() throws Exception {
        Processes.Result r = Processes.run(Processes.jar("--backend", "env", "get", "nope", "nobody"), env(), null);
        assertEquals(1, r.exit());
        assertEquals("", r.out());
        assertTrue(r.err().contains("no credential"), r.err());
    }

    @Test
    void writeToReadOnlyStoreExitsThreeWithOneLine() throws Exception {
        Processes.Result r = Processes.run(Processes.jar("--backend", "env", "set", "svc", "acct"), env(), "secret-from-stdin\n");
        assertEquals(3, r.exit());
        assertEquals(1, r.err().strip().lines().count(), r.err());
        assertTrue(r.err().contains("#read-only"), r.err());
        assertFalse(r.err().contains("secret-from-stdin"));
    }

    @Test
    void unknownBackendExitsThreeNamingTheSource() throws Exception {
        Processes.Result r = Processes.run(Processes.jar("get", "a", "b"), env("KEYRING4J_BACKEND", "nosuch"), null);
        assertEquals(3, r.exit());
        assertTrue(r.err().contains("environment KEYRING4J_BACKEND"), r.err());
    }

    @Test
    void usageErrorExitsTwo() throws Exception {
        assertEquals(2, Processes.run(Processes.jar("frobnicate"), env(), null).exit());
        assertEquals(2, Processes.run(Processes.jar("get", "only-one-arg"), env(), null).exit());
    }

    @Test
    void backendsListsDiscoveredBackends() throws Exception {
        Processes.Result r = Processes.run(Processes.jar("backends"), env(), null);
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.out().startsWith("ID"), r.out());
        assertTrue(r.out().lines().anyMatch(l -> l.startsWith("env ") && l.contains("yes")), r.out());
    }

    @Test
    void diagnoseExplainsTheChoice() throws Exception {
        Path cfg = home.resolve("k.properties");
        Files.writeString(cfg, "backend = env\nenv.prefix = myapp\n");
        Processes.Result r = Processes.run(Processes.jar("diagnose", "--config", cfg.toString()), env(), null);
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.out().contains("Keyring.open() returns: env"), r.out());
        assertTrue(r.out().contains("env.prefix = myapp"), r.out());
        assertTrue(r.out().contains(cfg.toString()), r.out());
    }

    @Test
    void listShowsEnvCredentials() throws Exception {
        Processes.Result r = Processes.run(Processes.jar("--backend", "env", "list", "db"),
                env("KEYRING4J_DB_APP", "x", "KEYRING4J_DB_REPORTS", "y"), null);
        assertEquals(0, r.exit(), r.err());
        assertEquals(java.util.Set.of("db\tapp", "db\treports"), java.util.Set.copyOf(r.out().lines().toList()));
        assertFalse(r.out().contains("x\n"));
    }

    @Test
    void provisionSystemdWritesACredentialThatSystemdCredsDecrypts() throws Exception {
        dev.keyring4j.testkit.Prerequisites.requireProgram("systemd-creds");
        Path out = home.resolve("github.cred");
        Processes.Result r = Processes.run(Processes.jar("provision-systemd", "github.com", "alice", "--out", out.toString()), env(), "ghp_provisioned\n");
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.out().startsWith("LoadCredentialEncrypted=github%%2Ecom.alice:"), r.out());
        assertFalse(r.out().contains("ghp_provisioned"));
        Processes.Result plain = Processes.run(java.util.List.of("systemd-creds", "decrypt", "--name=github%2Ecom.alice", out.toString(), "-"), env(), null);
        assertEquals(0, plain.exit(), plain.err());
        assertEquals("ghp_provisioned", plain.out().strip());
        // and the backend reads it back from a credentials directory, as the unit would give it
        Path credDir = home.resolve("creds");
        Files.createDirectories(credDir);
        Files.copy(out, credDir.resolve("github%2Ecom.alice.cred"));
        Processes.Result got = Processes.run(Processes.jar("--backend", "systemd-creds", "get", "github.com", "alice"),
                env("CREDENTIALS_DIRECTORY", credDir.toString()), null);
        assertEquals(0, got.exit(), got.err());
        assertEquals("ghp_provisioned\n", got.out());
    }
}
