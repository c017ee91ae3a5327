package dev.keyring4j.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.keyring4j.BackendStatus;
import dev.keyring4j.BackendUnavailableException;
import dev.keyring4j.ConfigurationException;
import dev.keyring4j.CredentialStore;
import dev.keyring4j.Keyring;
import dev.keyring4j.KeyringConfig;
import dev.keyring4j.KeyringException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Discovery, the configuration layers and their precedence, and fail-fast errors, with every layer injected. */
class KeyringConfigurationTest {
    @TempDir
    Path dir;
    Path userFile;
    Path systemFile;
    final Map<String, String> env = new HashMap<>();
    final Map<String, String> props = new HashMap<>();

    @BeforeEach
    void setUp() {
        userFile = dir.resolve("user/keyring.properties");
        systemFile = dir.resolve("etc/keyring.properties");
        // the stuck provider would otherwise cost the whole probe timeout in every test
        props.put("keyring4j.stuck-probe.enabled", "false");
        // a probe that throws proves nothing, so its backend would stay in every auto-detected chain as a failing member
        props.put("keyring4j.broken-probe.enabled", "false");
    }

    private KeyringConfig.Builder config() {
        return KeyringConfig.builder().environment(env).systemProperties(props).userFile(userFile).systemFile(systemFile)
                .probeTimeout(Duration.ofMillis(500));
    }

    private static void write(Path file, String... lines) throws Exception {
        Files.createDirectories(file.getParent());
        Files.write(file, List.of(lines));
    }

    private String openedId(KeyringConfig c) {
        try (CredentialStore s = Keyring.open(c)) {
            return s.id();
        }
    }

    @Test
    void autoDetectionChainsAvailableBackendsByPriority() {
        assertEquals("chain[alpha,beta]", openedId(config().build()));
    }

    @Test
    void systemFileIsTheLowestConfiguredLayer() throws Exception {
        write(systemFile, "backend = beta");
        assertEquals("beta", openedId(config().build()));
    }

    @Test
    void userFileOverridesSystemFile() throws Exception {
        write(systemFile, "backend = beta");
        write(userFile, "backend = alpha");
        assertEquals("alpha", openedId(config().build()));
    }

    @Test
    void userFileDefaultsToXdgConfigHome() throws Exception {
        write(dir.resolve("xdg/keyring4j/keyring.properties"), "backend = beta");
        env.put("XDG_CONFIG_HOME", dir.resolve("xdg").toString());
        KeyringConfig c = KeyringConfig.builder().environment(env).systemProperties(props).systemFile(systemFile).build();
        assertEquals("beta", openedId(c));
    }

    @Test
    void environmentConfigFileOverridesUserFile() throws Exception {
        write(userFile, "backend = alpha");
        Path f = dir.resolve("env.properties");
        write(f, "backend = beta");
        env.put("KEYRING4J_CONFIG", f.toString());
        assertEquals("beta", openedId(config().build()));
    }

    @Test
    void environmentBackendOverridesFiles() throws Exception {
        write(userFile, "backend = alpha");
        Path f = dir.resolve("env.properties");
        write(f, "backend = alpha");
        env.put("KEYRING4J_CONFIG", f.toString());
        env.put("KEYRING4J_BACKEND", "beta");
        assertEquals("beta", openedId(config().build()));
    }

    @Test
    void systemPropertiesOverrideEnvironment() throws Exception {
        env.put("KEYRING4J_BACKEND", "beta");
        props.put("keyring4j.backend", "alpha");
        assertEquals("alpha", openedId(config().build()));
    }

    @Test
    void systemPropertyConfigFileOverridesEnvironment() throws Exception {
        env.put("KEYRING4J_BACKEND", "alpha");
        Path f = dir.resolve("prop.properties");
        write(f, "backend = beta");
        props.put("keyring4j.config", f.toString());
        assertEquals("beta", openedId(config().build()));
    }

    @Test
    void programmaticOverridesEverything() throws Exception {
        write(systemFile, "backend = alpha");
        write(userFile, "backend = alpha");
        env.put("KEYRING4J_BACKEND", "alpha");
        props.put("keyring4j.backend", "alpha");
        assertEquals("beta", openedId(config().backend("beta").build()));
    }

    @Test
    void openWithSpecIsProgrammatic() {
        try (CredentialStore s = Keyring.open("beta,alpha")) {
            assertEquals("chain[beta,alpha]", s.id());
        }
    }

    @Test
    void chainSpecKeepsTheGivenOrder() throws Exception {
        write(userFile, "backend = beta, alpha   # a chain, volatile first");
        assertEquals("chain[beta,alpha]", openedId(config().build()));
    }

    @Test
    void perBackendKeysFollowTheSamePrecedence() throws Exception {
        write(systemFile, "alpha.priority = 1");
        assertEquals("chain[beta,alpha]", openedId(config().build()), "system file lowers alpha below beta");
        write(userFile, "alpha.priority = 20");
        assertEquals("chain[alpha,beta]", openedId(config().build()), "user file wins over system file");
        props.put("keyring4j.alpha.priority", "2");
        assertEquals("chain[beta,alpha]", openedId(config().build()), "system property wins over user file");
        assertEquals("chain[alpha,beta]", openedId(config().set("alpha.priority", "30").build()), "programmatic wins");
        BackendStatus alpha = Keyring.backends(config().build()).stream().filter(b -> b.id().equals("alpha")).findFirst().orElseThrow();
        assertEquals(2, alpha.priority());
        assertTrue(alpha.reason().contains("system property keyring4j.alpha.priority"), alpha.reason());
    }

    @Test
    void disabledBackendIsLeftOut() throws Exception {
        write(userFile, "beta.enabled = false");
        assertEquals("alpha", openedId(config().build()));
        BackendStatus beta = Keyring.backends(config().build()).stream().filter(b -> b.id().equals("beta")).findFirst().orElseThrow();
        assertFalse(beta.available());
        assertTrue(beta.reason().contains(userFile.toString()), beta.reason());
    }

    @Test
    void unknownBackendInSpecFailsNamingTheSource() throws Exception {
        write(userFile, "backend = alpha, nosuch");
        // issue 10: a configuration mistake, no longer "unavailable"
        ConfigurationException e = assertThrows(ConfigurationException.class, () -> Keyring.open(config().build()));
        assertTrue(e.getMessage().contains("nosuch"), e.getMessage());
        assertTrue(e.getMessage().contains(userFile.toString()), e.getMessage());
        assertTrue(e.getMessage().endsWith("(see docs/troubleshooting.md#configuration)"), e.getMessage());
        assertEquals("docs/troubleshooting.md#configuration", e.troubleshootingLink());
        assertFalse(e.reason().contains("docs/troubleshooting.md"), e.reason());
    }

    @Test
    void unknownKeyFailsNamingTheSource() throws Exception {
        write(systemFile, "alpha.colour = blue");
        ConfigurationException e = assertThrows(ConfigurationException.class, () -> Keyring.open(config().build()));
        assertTrue(e.getMessage().contains("alpha.colour"), e.getMessage());
        assertTrue(e.getMessage().contains(systemFile.toString()), e.getMessage());
    }

    @Test
    void unknownTopLevelKeyFails() {
        props.put("keyring4j.backnd", "alpha");
        ConfigurationException e = assertThrows(ConfigurationException.class, () -> Keyring.open(config().build()));
        assertTrue(e.getMessage().contains("system property keyring4j.backnd"), e.getMessage());
    }

    @Test
    void aFileThatIsNotAConfigurationNeverHasItsContentQuoted() throws Exception {
        // KEYRING4J_CONFIG pointing at a token file by mistake: its first line parses as a key
        write(userFile, "ghp_16C7e42F292c6912E7710c838347Ae178B4a", "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl", "canary-5e1f-secret");
        for (int i = 0; i < 3; i++) {
            ConfigurationException e = assertThrows(ConfigurationException.class, () -> Keyring.open(config().build()));
            assertFalse(e.getMessage().contains("ghp_") || e.getMessage().contains("eyJ") || e.getMessage().contains("canary"), e.getMessage());
            assertTrue(e.getMessage().contains("not shown") && e.getMessage().contains(userFile.toString()), e.getMessage());
            // drop the first line: each kind of line gets its own run
            List<String> lines = Files.readAllLines(userFile);
            Files.write(userFile, lines.subList(1, lines.size()));
        }
    }

    @Test
    void aTypoOfARealKeyIsQuoted() {
        props.put("keyring4j.backnd", "alpha");
        ConfigurationException e = assertThrows(ConfigurationException.class, () -> Keyring.open(config().build()));
        assertTrue(e.getMessage().contains("'backnd'"), e.getMessage());
    }

    @Test
    void namesLongerThanTheLimitAreRefusedByEveryStore() {
        String atLimit = "é".repeat(dev.keyring4j.CredentialId.MAX_NAME_BYTES / 2);
        new dev.keyring4j.CredentialId(atLimit, "a");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new dev.keyring4j.CredentialId(atLimit + "x", "a"));
        assertTrue(e.getMessage().contains("service") && e.getMessage().contains(String.valueOf(dev.keyring4j.CredentialId.MAX_NAME_BYTES)), e.getMessage());
        assertFalse(e.getMessage().contains("éé"), "the name is not repeated");
        // a character outside the BMP is 4 bytes of UTF-8 though it is 2 Java chars
        String emoji = "\uD83D\uDD11".repeat(dev.keyring4j.CredentialId.MAX_NAME_BYTES / 4);
        new dev.keyring4j.CredentialId("s", emoji);
        assertThrows(IllegalArgumentException.class, () -> new dev.keyring4j.CredentialId("s", emoji + "x"));
        InMemoryCredentialStore store = new InMemoryCredentialStore("mem", dev.keyring4j.Capabilities.of());
        assertThrows(IllegalArgumentException.class, () -> store.set("s", "a".repeat(dev.keyring4j.CredentialId.MAX_NAME_BYTES + 1),
                dev.keyring4j.Secret.of("x")));
    }

    @Test
    void keyOfUnknownBackendFails() {
        env.put("KEYRING4J_BACKEND", "alpha");
        ConfigurationException e = assertThrows(ConfigurationException.class, () -> Keyring.open(config().set("gamma.path", "/x").build()));
        assertTrue(e.getMessage().contains("unknown backend 'gamma'"), e.getMessage());
        assertTrue(e.getMessage().contains("programmatic gamma.path"), e.getMessage());
    }

    @Test
    void unavailableConfiguredBackendFailsWithReasonAndSource() throws Exception {
        write(userFile, "alpha.available = false");
        env.put("KEYRING4J_BACKEND", "alpha");
        BackendUnavailableException e = assertThrows(BackendUnavailableException.class, () -> Keyring.open(config().build()));
        assertTrue(e.getMessage().contains("environment KEYRING4J_BACKEND"), e.getMessage());
        assertTrue(e.getMessage().contains("switched off by " + "user file " + userFile), e.getMessage());
    }

    @Test
    void nothingAvailableFailsWithEveryReason() throws Exception {
        props.remove("keyring4j.broken-probe.enabled");
        write(userFile, "alpha.available = false", "beta.enabled = false");
        BackendUnavailableException e = assertThrows(BackendUnavailableException.class, () -> Keyring.open(config().build()));
        assertTrue(e.getMessage().contains("alpha: test provider switched off"), e.getMessage());
        assertTrue(e.getMessage().contains("broken-probe: probe failed"), e.getMessage());
    }

    @Test
    void namedConfigFileMustExist() {
        env.put("KEYRING4J_CONFIG", dir.resolve("missing.properties").toString());
        ConfigurationException e = assertThrows(ConfigurationException.class, () -> Keyring.open(config().build()));
        assertTrue(e.getMessage().contains("KEYRING4J_CONFIG"), e.getMessage());
    }

    @Test
    void aMissingConfigFileGivenProgrammaticallyOrWithDashDashConfigIsAConfigurationMistake() {
        Path missing = dir.resolve("absent.properties");
        ConfigurationException e = assertThrows(ConfigurationException.class, () -> Keyring.open(config().configFile(missing).build()));
        assertTrue(e.getMessage().contains(missing.toString()), e.getMessage());
        assertEquals("configuration", e.troubleshootingAnchor());
    }

    /** Issue 17: a FIFO, /dev/zero, a directory or a file over 1 MiB as the configuration is refused at once, never read. */
    @Test
    void aConfigFileThatIsNoRegularFileOrTooLargeIsRefusedAtOnce() throws Exception {
        Path fifo = dir.resolve("fifo.properties");
        assertEquals(0, new ProcessBuilder("mkfifo", fifo.toString()).inheritIO().start().waitFor());
        Path big = Files.write(dir.resolve("big.properties"), new byte[(1 << 20) + 1]);
        Path latin1 = dir.resolve("latin1.properties");
        Files.write(latin1, new byte[] {'b', 'a', 'c', 'k', 'e', 'n', 'd', '=', (byte) 0xE9});
        Object[][] cases = {{fifo, "is a FIFO (named pipe), not a regular file"}, {Path.of("/dev/zero"), "is a character device, not a regular file"},
                {dir, "is a directory, not a regular file"}, {big, "has 1048577 bytes, more than the limit of 1048576 bytes (1 MiB)"},
                {latin1, "is not UTF-8 text"}};
        for (Object[] c : cases) {
            Path p = (Path) c[0];
            ConfigurationException e = org.junit.jupiter.api.Assertions.assertTimeoutPreemptively(java.time.Duration.ofSeconds(5),
                    () -> assertThrows(ConfigurationException.class, () -> Keyring.open(config().configFile(p).build())));
            assertTrue(e.getMessage().contains(p.toString()) && e.getMessage().contains((String) c[1]), e.getMessage());
            assertEquals("configuration", e.troubleshootingAnchor());
        }
    }

    @Test
    void aBackendNamedTwiceOrABadValueIsAConfigurationMistake() throws Exception {
        write(userFile, "backend = alpha, alpha");
        assertThrows(ConfigurationException.class, () -> Keyring.open(config().build()));
        write(userFile, "backend = alpha", "alpha.priority = high");
        ConfigurationException bad = assertThrows(ConfigurationException.class, () -> Keyring.open(config().build()));
        assertTrue(bad.getMessage().contains("alpha.priority") && bad.getMessage().contains("an integer"), bad.getMessage());
    }

    @Test
    void openProbesOnlyTheBackendsTheConfigurationNames() {
        props.remove("keyring4j.stuck-probe.enabled"); // its probe never answers
        int before = TestProviders.StuckProbe.PROBES.get();
        try (CredentialStore s = Keyring.open(config().backend("alpha").build())) {
            assertEquals("alpha", s.id());
        }
        assertEquals(before, TestProviders.StuckProbe.PROBES.get(), "open() with backend = alpha probed stuck-probe");
        // diagnose and backends() still ask everyone: that is their job
        assertFalse(Keyring.backends(config().backend("alpha").build()).stream()
                .filter(b -> b.id().equals("stuck-probe")).findFirst().orElseThrow().available());
        assertTrue(TestProviders.StuckProbe.PROBES.get() > before);
    }

    @Test
    void brokenProvidersAreReportedNotFatal() {
        props.remove("keyring4j.stuck-probe.enabled");
        props.remove("keyring4j.broken-probe.enabled");
        Map<String, BackendStatus> byId = Keyring.backends(config().build()).stream()
                .collect(Collectors.toMap(BackendStatus::id, b -> b));
        assertTrue(byId.get("alpha").available());
        assertFalse(byId.get("broken-probe").available());
        assertTrue(byId.get("broken-probe").reason().contains("deliberately broken probe"), byId.get("broken-probe").reason());
        assertFalse(byId.get("stuck-probe").available());
        // issue 18: neither answer proves the backend absent, so both are indeterminate, not unavailable
        assertTrue(byId.get("stuck-probe").indeterminate() && byId.get("broken-probe").indeterminate());
        assertTrue(byId.get("stuck-probe").reason().contains("no answer within 500 ms of being asked"), byId.get("stuck-probe").reason());
        assertTrue(byId.get("stuck-probe").probeTime().toMillis() >= 500, byId.get("stuck-probe").probeTime().toString());
        BackendStatus unloadable = byId.values().stream().filter(b -> b.id().startsWith("<unloadable")).findFirst().orElseThrow();
        assertTrue(unloadable.reason().contains("Unloadable"), unloadable.reason());
        assertFalse(unloadable.indeterminate(), "a provider that cannot load is no backend at all");
        props.put("keyring4j.stuck-probe.enabled", "false");
        props.put("keyring4j.broken-probe.enabled", "false");
        assertEquals("chain[alpha,beta]", openedId(config().build()));
    }

    @Test
    void writesFailBeforeAnythingIsWrittenWhileAWritableMemberIsIndeterminate() {
        props.put("keyring4j.alpha.indeterminate", "true");
        try (CredentialStore s = Keyring.open(config().build())) {
            assertEquals("chain[alpha,beta]", s.id());
            BackendUnavailableException set = assertThrows(BackendUnavailableException.class, () -> s.set("svc", "acct", dev.keyring4j.Secret.of("v")));
            assertTrue(set.getMessage().contains("alpha gave no definite answer") && set.getMessage().contains("older value"), set.getMessage());
            assertThrows(BackendUnavailableException.class, () -> s.set("svc", "acct", dev.keyring4j.Secret.of("v"), Duration.ofMinutes(1)));
            assertThrows(BackendUnavailableException.class, () -> s.delete("svc", "acct"));
        }
        // named explicitly, an indeterminate backend is a clear error, not a fallback
        props.put("keyring4j.alpha.indeterminate", "true");
        BackendUnavailableException named = assertThrows(BackendUnavailableException.class, () -> Keyring.open(config().backend("alpha,beta").build()));
        assertTrue(named.getMessage().contains("did not give a definite answer"), named.getMessage());
    }

    @Test
    void anIndeterminateBackendStaysInTheChainAndNothingIsReadFromBehindItOrWrittenPastIt() {
        props.remove("keyring4j.broken-probe.enabled");
        try (CredentialStore s = Keyring.open(config().build())) {
            assertEquals("chain[broken-probe,alpha,beta]", s.id());
            BackendUnavailableException read = assertThrows(BackendUnavailableException.class, () -> s.get("svc", "acct"));
            assertTrue(read.getMessage().contains("broken-probe gave no definite answer"), read.getMessage());
            assertThrows(BackendUnavailableException.class, () -> s.find("svc"));
            assertThrows(BackendUnavailableException.class, () -> s.list());
        }
        String report = Keyring.diagnose(config().build());
        assertTrue(report.contains("indeterminate"), report);
        assertTrue(report.contains("broken-probe (indeterminate: fails every call)"), report);
    }

    @Test
    void diagnoseReportsSourcesBackendsAndChoice() throws Exception {
        write(userFile, "beta.priority = 42");
        String report = Keyring.diagnose(config().build());
        assertTrue(report.contains("user file " + userFile + ": 1 keys"), report);
        assertTrue(report.contains("system file " + systemFile + ": not present"), report);
        assertTrue(report.contains("environment KEYRING4J_BACKEND: not set"), report);
        assertTrue(report.contains("beta.priority = 42"), report);
        assertTrue(report.contains("broken-probe"), report);
        assertTrue(report.contains("Keyring.open() returns: chain[beta,alpha]"), report);
        assertTrue(report.contains("writes without a ttl go to: alpha"), report);
        assertTrue(report.contains("writes with a ttl go to: beta"), report);
    }

    @Test
    void diagnoseReportsConfigurationErrorsInsteadOfThrowing() {
        props.put("keyring4j.backend", "nosuch");
        String report = Keyring.diagnose(config().build());
        assertTrue(report.contains("Keyring.open() fails: unknown backend 'nosuch'"), report);
    }
}
