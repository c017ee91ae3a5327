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
    void rulesWithTheSameMatchServeOneAccountEach() throws Exception {
        Path a = script("a.sh", "echo token-ci");
        Path b = script("b.sh", "echo token-deploy");
        Path c = script("c.sh", "echo token-wide");
        CommandStore s = store(Map.of("rule.1-ci.match", "api.example.dev", "rule.1-ci.run", a.toString(), "rule.1-ci.account", "ci",
                "rule.2-deploy.match", "https://API.example.dev:443", "rule.2-deploy.run", b.toString(), "rule.2-deploy.account", "deployer",
                "rule.3-wide.match", "*.example.dev", "rule.3-wide.run", c.toString()));
        assertEquals("token-ci", s.get("https://api.example.dev", "ci").orElseThrow().asString());
        assertEquals("token-deploy", s.get("https://api.example.dev", "deployer").orElseThrow().asString());
        assertTrue(s.get("https://api.example.dev", "someone-else").isEmpty(), "a rule with another match is not consulted");
        assertEquals(List.of("ci", "deployer"), s.list("https://api.example.dev").stream().map(id -> id.account()).toList());
        assertEquals("ci", s.find("https://api.example.dev").orElseThrow().account(), "find answers with the first rule");
        assertEquals("token-wide", s.get("https://other.example.dev", "x").orElseThrow().asString());
    }

    @Test
    void writesAreRefused() throws Exception {
        CommandStore s = store(Map.of("rule.r.match", "*", "rule.r.run", counter().toString()));
        assertThrows(ReadOnlyStoreException.class, () -> s.set("https://a.b", "x", Secret.of("v")));
        assertThrows(ReadOnlyStoreException.class, () -> s.delete("https://a.b", "x"));
    }

    @Test
    void hostsAreTakenFromEveryServiceShape() {
        assertEquals(new Endpoint("https", "h.example.dev", 8443), Endpoint.ofService("https://user@H.example.dev:8443/path").orElseThrow());
        assertEquals(new Endpoint("https", "h.example.dev", 443), Endpoint.ofService("git:https://h.example.dev/org/repo.git").orElseThrow());
        assertEquals(new Endpoint("https", "registry.example.dev", 443), Endpoint.ofService("docker:registry.example.dev").orElseThrow());
        assertEquals(new Endpoint("https", "registry.example.dev", 443), Endpoint.ofService("docker:https://registry.example.dev/v1/").orElseThrow());
        assertEquals(new Endpoint("https", "localhost", 5000), Endpoint.ofService("docker:localhost:5000").orElseThrow());
        assertEquals(new Endpoint("https", "h.example.dev", 443), Endpoint.ofService("h.example.dev:443").orElseThrow());
        assertEquals(new Endpoint("http", "::1", 8080), Endpoint.ofService("http://[::1]:8080/").orElseThrow());
        assertEquals(new Endpoint("http", "h.example.dev", 80), Endpoint.ofService("git:http://h.example.dev").orElseThrow());
        assertEquals(new Endpoint("https", "plain", 443), Endpoint.ofService("plain").orElseThrow());
        assertTrue(Endpoint.ofService("https://h.example.dev:x/").isEmpty(), "a malformed port matches nothing");
        assertTrue(Endpoint.ofService("https://").isEmpty());
    }

    @Test
    void aRuleAnswersHttpsOnItsDefaultPortOnly() throws Exception {
        CommandStore s = store(Map.of("rule.r.match", "repo.example.dev", "rule.r.run", counter().toString()));
        for (String answered : List.of("git:https://repo.example.dev", "git:https://repo.example.dev/org/x.git", "https://repo.example.dev",
                "https://repo.example.dev:443/", "docker:repo.example.dev", "docker:https://repo.example.dev/v2/", "repo.example.dev")) {
            assertTrue(s.get(answered, "ci").isPresent(), answered);
        }
        for (String refused : List.of("git:http://repo.example.dev", "http://repo.example.dev", "docker:http://repo.example.dev",
                "https://repo.example.dev:8443", "git:https://repo.example.dev:8443/x", "docker:repo.example.dev:5000",
                "http://repo.example.dev:443", "git:ssh://repo.example.dev")) {
            assertTrue(s.get(refused, "ci").isEmpty(), refused + " must not get the token");
            assertTrue(s.find(refused).isEmpty(), refused);
            assertTrue(s.list(refused).isEmpty(), refused);
        }
    }

    @Test
    void aRuleCanNameAnotherSchemeAndPort() throws Exception {
        CommandStore s = store(Map.of("rule.r.match", "http://*.example.dev:8080", "rule.r.run", counter().toString()));
        assertTrue(s.get("http://repo.example.dev:8080", "ci").isPresent());
        assertTrue(s.get("git:http://repo.example.dev:8080/org/x.git", "ci").isPresent());
        assertTrue(s.get("docker:http://repo.example.dev:8080", "ci").isPresent());
        assertTrue(s.get("https://repo.example.dev:8080", "ci").isEmpty());
        assertTrue(s.get("http://repo.example.dev", "ci").isEmpty());
        CommandStore plain = store(Map.of("rule.r.match", "http://repo.example.dev", "rule.r.run", counter().toString()));
        assertTrue(plain.get("http://repo.example.dev:80/", "ci").isPresent());
        assertTrue(plain.get("https://repo.example.dev", "ci").isEmpty());
        CommandStore port = store(Map.of("rule.r.match", "repo.example.dev:8443", "rule.r.run", counter().toString()));
        assertTrue(port.get("https://repo.example.dev:8443", "ci").isPresent());
        assertTrue(port.get("https://repo.example.dev", "ci").isEmpty());
    }

    @Test
    void malformedMatchPatternsFailWithTheKey() {
        for (String bad : List.of("", "https://repo.example.dev/path", "repo.example.dev:http", "user@repo.example.dev", "repo.example.dev:70000")) {
            KeyringException e = assertThrows(KeyringException.class,
                    () -> Rule.parse(BackendConfig.of("command", Map.of("rule.r.match", bad, "rule.r.run", "true"), env())), bad);
            assertTrue(e.getMessage().contains("command.rule.r.match"), e.getMessage());
        }
    }

    @Test
    void theTokenCommandDoesNotSeeKeyring4jsOwnVariablesUnlessPassedByName() throws Exception {
        Path show = script("show.sh", "printf '%s|%s|%s|%s|%s' \"${KEYRING4J_PASSPHRASE-unset}\" \"${KEYRING4J_FOO_BAR-unset}\""
                + " \"${keyring4j_db_app-unset}\" \"${KEYRING4J_CONFIG-unset}\" \"${OTHER-unset}\"");
        Map<String, String> env = env();
        env.put("KEYRING4J_PASSPHRASE", "pass-phr4se");
        env.put("KEYRING4J_FOO_BAR", "foo-s3cret");
        env.put("keyring4j_db_app", "lower-s3cret");
        env.put("KEYRING4J_CONFIG", "/etc/k.properties");
        env.put("OTHER", "kept");
        BackendConfig config = BackendConfig.of("command", Map.of("rule.a.match", "a.example.dev", "rule.a.run", show.toString(),
                "rule.b.match", "b.example.dev", "rule.b.run", show.toString(), "rule.b.pass-env", " KEYRING4J_CONFIG , KEYRING4J_FOO_BAR"), env);
        CommandStore s = new CommandStore(Rule.parse(config), config.env(), clock);
        assertEquals("unset|unset|unset|unset|kept", s.get("https://a.example.dev", "x").orElseThrow().asString());
        assertEquals("unset|foo-s3cret|unset|/etc/k.properties|kept", s.get("https://b.example.dev", "x").orElseThrow().asString());
    }

    @Test
    void passEnvIsAConfigurationKeyAndMustNameVariables() throws Exception {
        KeyringConfig.Builder base = KeyringConfig.builder().environment(env()).systemProperties(Map.of())
                .userFile(dir.resolve("none")).systemFile(dir.resolve("none")).backend("command")
                .set("command.rule.r.match", "*.example.dev").set("command.rule.r.run", counter().toString());
        try (CredentialStore store = Keyring.open(base.set("command.rule.r.pass-env", "KEYRING4J_CONFIG").build())) {
            assertEquals("tok-1", store.get("https://x.example.dev", "a").orElseThrow().asString());
        }
        KeyringException e = assertThrows(KeyringException.class, () -> Keyring.open(base.set("command.rule.r.pass-env", "A=B").build()));
        assertTrue(e.getMessage().contains("command.rule.r.pass-env"), e.getMessage());
    }

    @Test
    void diagnoseShowsTheProgramOfRunAndMasksItsArguments() {
        KeyringConfig config = KeyringConfig.builder().environment(env()).systemProperties(Map.of())
                .userFile(dir.resolve("none")).systemFile(dir.resolve("none"))
                .set("command.rule.r.match", "*.example.dev")
                .set("command.rule.r.run", "/usr/bin/mint-token --client-secret=s3cr3t --audience 'x y'")
                .set("command.rule.one.match", "one.example.dev").set("command.rule.one.run", "/usr/bin/mint --s3cr3t")
                .set("command.rule.bare.match", "bare.example.dev").set("command.rule.bare.run", "/usr/bin/mint-bare")
                .build();
        String report = Keyring.diagnose(config);
        assertFalse(report.contains("s3cr3t"), report);
        assertTrue(report.contains("command.rule.r.run = /usr/bin/mint-token [3 arguments masked]"), report);
        assertTrue(report.contains("command.rule.one.run = /usr/bin/mint [1 argument masked]"), report);
        assertTrue(report.contains("command.rule.bare.run = /usr/bin/mint-bare   (from"), report);
        assertTrue(report.contains("command.rule.r.match = *.example.dev"), "other values are shown as they are: " + report);
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
