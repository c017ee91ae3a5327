package dev.keyring4j.command;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.keyring4j.BackendStatus;
import dev.keyring4j.CredentialStore;
import dev.keyring4j.Keyring;
import dev.keyring4j.KeyringConfig;
import dev.keyring4j.KeyringException;
import dev.keyring4j.ReadOnlyStoreException;
import dev.keyring4j.Secret;
import dev.keyring4j.spi.BackendConfig;
import dev.keyring4j.testkit.Prerequisites;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The command backend running real scripts. */
class CommandStoreTest {
    @TempDir
    Path dir;
    Path runs;
    final MutableClock clock = new MutableClock();

    @BeforeEach
    void prerequisites() {
        Prerequisites.requireProgram("bash");
        runs = dir.resolve("runs.log");
    }

    /** A bash script in the temp dir; it may use $RUNS (a log it appends to). */
    private Path script(String name, String body) throws Exception {
        Path p = dir.resolve(name);
        Files.writeString(p, "#!/usr/bin/env bash\n" + body + "\n");
        Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwx------"));
        return p;
    }

    private Map<String, String> env() {
        Map<String, String> env = new HashMap<>();
        env.put("PATH", System.getenv().getOrDefault("PATH", "/usr/bin:/bin"));
        env.put("RUNS", runs.toString());
        return env;
    }

    private CommandStore store(Map<String, String> settings) {
        BackendConfig config = BackendConfig.of("command", settings, env());
        return new CommandStore(Rule.parse(config), config.env(), clock);
    }

    private long runCount() throws Exception {
        return Files.exists(runs) ? Files.readAllLines(runs).size() : 0;
    }

    /** Prints tok-<n> where n counts the runs so far. */
    private Path counter() throws Exception {
        return script("token.sh", "echo run >> \"$RUNS\"\necho \"tok-$(wc -l < \"$RUNS\")\"");
    }

    @Test
    void matchingHostRunsTheCommandAndCachesTheToken() throws Exception {
        CommandStore s = store(Map.of("rule.registry.match", "*.example.dev", "rule.registry.run", counter() + " --audience=example.dev",
                "rule.registry.ttl", "PT8H"));
        assertEquals("tok-1", s.get("https://registry.example.dev/v2", "anyone").orElseThrow().asString());
        assertEquals("tok-1", s.get("git:https://git.example.dev/repo.git", "other").orElseThrow().asString());
        assertEquals("tok-1", s.find("registry.example.dev").orElseThrow().secret().asString());
        assertEquals("token", s.find("registry.example.dev").orElseThrow().account());
        assertEquals(1, runCount(), "one run, then the cache");
        assertEquals(1, s.runs("registry"));
    }

    @Test
    void otherHostsAreAbsentAndRunNothing() throws Exception {
        CommandStore s = store(Map.of("rule.registry.match", "*.example.dev", "rule.registry.run", counter().toString()));
        assertTrue(s.get("https://example.dev", "x").isEmpty(), "*.example.dev does not match example.dev itself");
        assertTrue(s.get("https://registry.example.org", "x").isEmpty());
        assertTrue(s.find("github.com").isEmpty());
        assertTrue(s.list("github.com").isEmpty());
        assertTrue(s.list().isEmpty());
        assertEquals(0, runCount());
    }

    @Test
    void theTokenIsRefreshedAfterTheTtl() throws Exception {
        CommandStore s = store(Map.of("rule.r.match", "api.example.dev", "rule.r.run", counter().toString(), "rule.r.ttl", "PT1H"));
        assertEquals("tok-1", s.get("https://api.example.dev", "a").orElseThrow().asString());
        clock.advance(Duration.ofMinutes(59));
        assertEquals("tok-1", s.get("https://api.example.dev", "a").orElseThrow().asString());
        clock.advance(Duration.ofMinutes(2));
        assertEquals("tok-2", s.get("https://api.example.dev", "a").orElseThrow().asString());
        assertEquals(2, runCount());
    }

    @Test
    void sixteenConcurrentCallersTriggerOneRun() throws Exception {
        // the command is slow enough that all callers arrive while it runs
        Path slow = script("slow.sh", "echo run >> \"$RUNS\"\nsleep 1\necho \"tok-$(wc -l < \"$RUNS\")\"");
        CommandStore s = store(Map.of("rule.r.match", "*.example.dev", "rule.r.run", slow.toString()));
        int callers = 16;
        ExecutorService pool = Executors.newFixedThreadPool(callers);
        try {
            CountDownLatch start = new CountDownLatch(1);
            List<Future<String>> results = new ArrayList<>();
            for (int i = 0; i < callers; i++) {
                results.add(pool.submit(() -> {
                    start.await();
                    return s.get("https://ci.example.dev", "bot").orElseThrow().asString();
                }));
            }
            start.countDown();
            for (Future<String> f : results) assertEquals("tok-1", f.get());
        } finally {
            pool.shutdownNow();
        }
        assertEquals(1, runCount());
    }

    @Test
    void aCommandThatRunsTooLongIsKilledAndReported() throws Exception {
        Path hang = script("hang.sh", "echo run >> \"$RUNS\"\necho 'about to hang' >&2\nexec sleep 600");
        CommandStore s = store(Map.of("rule.r.match", "*.example.dev", "rule.r.run", hang.toString(), "rule.r.timeout", "PT1S"));
        KeyringException e = assertThrows(KeyringException.class, () -> s.get("https://x.example.dev", "a"));
        assertTrue(e.getMessage().contains("did not finish within PT1S"), e.getMessage());
        assertTrue(e.getMessage().contains("command.rule.r.timeout"), e.getMessage());
        assertTrue(e.getMessage().contains("about to hang"), e.getMessage());
    }

    @Test
    void aNonZeroExitIsAnErrorCarryingStderrAndIsNotCached() throws Exception {
        Path fail = script("fail.sh", "echo run >> \"$RUNS\"\necho 'tok-leak-on-stdout'\necho 'vendor-cli: not logged in' >&2\nexit 3");
        CommandStore s = store(Map.of("rule.r.match", "*.example.dev", "rule.r.run", fail.toString()));
        KeyringException e = assertThrows(KeyringException.class, () -> s.get("https://x.example.dev", "a"));
        assertTrue(e.getMessage().contains("exited with status 3"), e.getMessage());
        assertTrue(e.getMessage().contains("vendor-cli: not logged in"), e.getMessage());
        assertFalse(e.getMessage().contains("tok-leak-on-stdout"), "stdout (the would-be token) never goes into a message");
        assertThrows(KeyringException.class, () -> s.get("https://x.example.dev", "a"));
        assertEquals(2, runCount(), "failures are not cached");
    }

    @Test
    void aCommandThatPrintsNothingIsAnError() throws Exception {
        Path empty = script("empty.sh", "echo run >> \"$RUNS\"\necho '   '\nexit 0");
        CommandStore s = store(Map.of("rule.r.match", "*.example.dev", "rule.r.run", empty.toString()));
        KeyringException e = assertThrows(KeyringException.class, () -> s.get("https://x.example.dev", "a"));
        assertTrue(e.getMessage().contains("printed nothing"), e.getMessage());
    }

    @Test
    void aMissingProgramIsAnErrorNamingTheRule() {
        CommandStore s = store(Map.of("rule.r.match", "*.example.dev", "rule.r.run", dir.resolve("no-such-program") + " arg"));
        KeyringException e = assertThrows(KeyringException.class, () -> s.get("https://x.example.dev", "a"));
        assertTrue(e.getMessage().contains("rule 'r'"), e.getMessage());
    }

    @Test
    void argumentsArePassedAsAListWithoutAShell() throws Exception {
        Path args = script("args.sh", "printf '%s|' \"$@\"");
        CommandStore s = store(Map.of("rule.r.match", "*.example.dev",
                "rule.r.run", args + " --audience=example.dev 'two words' \"say \\\"hi\\\"\" $HOME;rm"));
        assertEquals("--audience=example.dev|two words|say \"hi\"|$HOME;rm|",
                s.get("https://x.example.dev", "a").orElseThrow().asString());
    }

    @Test
    void theFirstMatchingRuleByNameWinsAndAnAccountRuleAnswersOnlyItsAccount() throws Exception {
        Path a = script("a.sh", "echo token-a");
        Path b = script("b.sh", "echo token-b");
        CommandStore s = store(Map.of("rule.10-special.match", "special.example.dev", "rule.10-special.run", a.toString(),
                "rule.10-special.account", "deployer",
                "rule.20-wide.match", "*.example.dev", "rule.20-wide.run", b.toString()));
        assertEquals("token-a", s.get("https://special.example.dev", "deployer").orElseThrow().asString());
        assertTrue(s.get("https://special.example.dev", "someone-else").isEmpty(), "the first matching rule decides");
        assertEquals("token-b", s.get("https://other.example.dev", "x").orElseThrow().asString());
        assertEquals("deployer", s.find("https://special.example.dev").orElseThrow().account());
    }

    @Test
    void writesAreRefused() throws Exception {
        CommandStore s = store(Map.of("rule.r.match", "*", "rule.r.run", counter().toString()));
        assertThrows(ReadOnlyStoreException.class, () -> s.set("https://a.b", "x", Secret.of("v")));
        assertThrows(ReadOnlyStoreException.class, () -> s.delete("https://a.b", "x"));
    }

    @Test
    void hostsAreTakenFromEveryServiceShape() {
        assertEquals("h.example.dev", Rule.hostOf("https://user@H.example.dev:8443/path"));
        assertEquals("h.example.dev", Rule.hostOf("git:https://h.example.dev/org/repo.git"));
        assertEquals("registry.example.dev", Rule.hostOf("docker:registry.example.dev"));
        assertEquals("registry.example.dev", Rule.hostOf("docker:https://registry.example.dev/v1/"));
        assertEquals("h.example.dev", Rule.hostOf("h.example.dev:443"));
        assertEquals("::1", Rule.hostOf("http://[::1]:8080/"));
        assertEquals("plain", Rule.hostOf("plain"));
    }

    @Test
    void throughKeyringOpenWithDynamicRuleKeys() throws Exception {
        Path cfg = dir.resolve("keyring.properties");
        Files.writeString(cfg, "command.rule.registry.match = *.example.dev\n"
                + "command.rule.registry.run = " + counter() + " --audience=example.dev\n"
                + "command.rule.registry.ttl = PT8H\n");
        KeyringConfig config = KeyringConfig.builder().configFile(cfg).environment(env()).systemProperties(Map.of())
                .userFile(dir.resolve("none")).systemFile(dir.resolve("none")).build();
        BackendStatus status = Keyring.backends(config).stream().filter(b -> b.id().equals("command")).findFirst().orElseThrow();
        assertTrue(status.available(), status.reason());
        assertEquals(30, status.priority());
        try (CredentialStore store = Keyring.open(config)) {
            assertEquals("command", store.id());
            assertEquals("tok-1", store.get("https://registry.example.dev", "ci").orElseThrow().asString());
        }
    }

    @Test
    void withoutRulesTheBackendIsUnavailable() {
        KeyringConfig config = KeyringConfig.builder().environment(env()).systemProperties(Map.of())
                .userFile(dir.resolve("none")).systemFile(dir.resolve("none")).build();
        BackendStatus status = Keyring.backends(config).stream().filter(b -> b.id().equals("command")).findFirst().orElseThrow();
        assertFalse(status.available());
        assertTrue(status.reason().contains("no rules"), status.reason());
    }

    @Test
    void unknownAndIncompleteRuleKeysFailWithTheirSource() {
        KeyringConfig.Builder base = KeyringConfig.builder().environment(env()).systemProperties(Map.of())
                .userFile(dir.resolve("none")).systemFile(dir.resolve("none")).backend("command");
        KeyringException unknown = assertThrows(KeyringException.class,
                () -> Keyring.open(base.set("command.rule.r.match", "*").set("command.rule.r.run", "true").set("command.rule.r.bogus", "x").build()));
        assertTrue(unknown.getMessage().contains("command.rule.r.bogus"), unknown.getMessage());
        KeyringException incomplete = assertThrows(KeyringException.class,
                () -> Keyring.open(KeyringConfig.builder().environment(env()).systemProperties(Map.of()).userFile(dir.resolve("none"))
                        .systemFile(dir.resolve("none")).backend("command").set("command.rule.r.match", "*.example.dev").build()));
        assertTrue(incomplete.getMessage().contains("command.rule.r.run"), incomplete.getMessage());
    }

    @Test
    void argvSplitting() {
        assertEquals(List.of("a", "b c", "d\"e", "f g", "h"), Argv.split(" a 'b c' \"d\\\"e\" f\\ g  h "));
        assertThrows(IllegalArgumentException.class, () -> Argv.split("a 'b"));
        assertEquals(Set.of(), Set.copyOf(Argv.split("   ")));
    }

    static final class MutableClock extends Clock {
        private volatile Instant now = Instant.parse("2026-01-01T00:00:00Z");

        void advance(Duration d) {
            now = now.plus(d);
        }

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }
}
