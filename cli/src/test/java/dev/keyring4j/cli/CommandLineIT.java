package dev.keyring4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.keyring4j.testkit.Prerequisites;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The complete command line of issue 16, run as real processes of the built jar: {@code find}, {@code clear},
 * {@code --json} of {@code list}, {@code find}, {@code backends} and {@code diagnose} (parsed with Jackson and
 * checked against the schema docs/cli.md documents), and {@code --version} with the git commit.
 */
class CommandLineIT {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path home;

    private Map<String, String> env(String... kv) {
        Map<String, String> m = new HashMap<>();
        m.put("HOME", home.toString());
        m.put("XDG_CONFIG_HOME", home.resolve("config").toString());
        m.put("XDG_DATA_HOME", home.resolve("data").toString());
        m.put("XDG_STATE_HOME", home.resolve("state").toString());
        for (int i = 0; i < kv.length; i += 2) m.put(kv[i], kv[i + 1]);
        return m;
    }

    private Processes.Result run(Map<String, String> env, String stdin, String... args) throws Exception {
        return Processes.run(Processes.jar(args), env, stdin);
    }

    @Test
    void versionNamesTheVersionAndTheGitCommitOfTheBuild() throws Exception {
        Processes.Result r = run(env(), null, "--version");
        assertEquals(0, r.exit(), r.err());
        List<String> lines = r.out().lines().toList();
        assertEquals("keyring4j " + System.getProperty("keyring4j.version"), lines.get(0), r.out());
        Path git = Prerequisites.findProgram("git");
        Processes.Result head = git == null ? null
                : Processes.run(List.of(git.toString(), "-C", System.getProperty("keyring4j.root"), "rev-parse", "HEAD"), Map.of(), null);
        if (head != null && head.exit() == 0) {
            // the commit the jar was built from; -dirty when tracked files had changes
            assertTrue(lines.get(1).matches("commit " + head.out().strip() + "(-dirty)?"), lines.get(1));
        } else {
            assertEquals("commit unknown", lines.get(1), "a build outside a git checkout");
        }
        assertTrue(lines.get(2).startsWith("java " + System.getProperty("java.specification.version")) || lines.get(2).startsWith("java "), lines.get(2));
    }

    @Test
    void findPrintsTheAccountThenTheSecretOfTheServicesToken() throws Exception {
        Map<String, String> e = env("KEYRING4J_BUNNY", "tok-123", "KEYRING4J_BUNNY_ID", "bot");
        Processes.Result r = run(e, null, "--backend", "env", "find", "bunny");
        assertEquals(0, r.exit(), r.err());
        assertEquals("bot\ntok-123\n", r.out());

        r = run(e, null, "--backend", "env", "find", "--json", "bunny");
        assertEquals(0, r.exit(), r.err());
        JsonNode j = JSON.readTree(r.out());
        assertEquals(Set.of("store", "service", "account", "secret"), fields(j));
        assertEquals("env", j.get("store").asText());
        assertEquals("bunny", j.get("service").asText());
        assertEquals("bot", j.get("account").asText());
        assertEquals("tok-123", j.get("secret").asText());
        assertFalse(r.err().contains("tok-123"));
    }

    @Test
    void findOfAServiceWithNoneExitsOneAndPrintsNothing() throws Exception {
        Processes.Result r = run(env(), null, "--backend", "env", "find", "--json", "nothing-here");
        assertEquals(1, r.exit(), r.err());
        assertEquals("", r.out());
        assertTrue(r.err().contains("no credential for service 'nothing-here' in env"), r.err());
    }

    @Test
    void clearNamesEveryAccountAndRefusesWithoutATerminalOrYesThenDeletesThemWithYes() throws Exception {
        Prerequisites.require(Files.exists(Path.of("/proc/keys")), "the kernel key retention service (/proc/keys)");
        String service = "clear-it-" + UUID.randomUUID().toString().substring(0, 8);
        Map<String, String> e = env("KEYRING4J_BACKEND", "kernel");
        try {
            for (String account : List.of("alice", "bob")) {
                Processes.Result set = run(e, "s3cret-" + account + "\n", "set", service, account);
                assertEquals(0, set.exit(), set.err());
            }
            // stdin is a pipe, not a terminal: nobody can answer, so nothing is deleted
            Processes.Result refused = run(e, "y\n", "clear", service);
            assertEquals(2, refused.exit(), refused.err());
            assertTrue(refused.err().contains("will delete 2 credential(s) of service '" + service + "' from kernel"), refused.err());
            assertTrue(refused.err().contains("  alice\n") && refused.err().contains("  bob\n"), refused.err());
            assertTrue(refused.err().contains("nothing deleted") && refused.err().contains("--yes"), refused.err());
            assertEquals(0, run(e, null, "get", service, "alice").exit(), "alice survived the refused clear");

            Processes.Result cleared = run(e, null, "clear", "--yes", service);
            assertEquals(0, cleared.exit(), cleared.err());
            assertTrue(cleared.err().contains("deleted 2 credential(s)"), cleared.err());
            assertFalse(cleared.err().contains("s3cret"), cleared.err());
            assertEquals(1, run(e, null, "list", service).exit(), "no account is left");
            assertEquals(1, run(e, null, "get", service, "bob").exit());
            // and a service with none: exit 1, nothing asked
            Processes.Result none = run(e, null, "clear", service);
            assertEquals(1, none.exit(), none.err());
        } finally {
            run(e, null, "clear", "--yes", service);
        }
    }

    @Test
    void listJsonGivesTheStoreAndEveryId() throws Exception {
        Processes.Result r = run(env("KEYRING4J_DB_APP", "x", "KEYRING4J_DB_REPORTS", "y"), null, "--backend", "env", "list", "--json", "db");
        assertEquals(0, r.exit(), r.err());
        assertEquals(1, r.out().lines().count(), "one line");
        JsonNode j = JSON.readTree(r.out());
        assertEquals(Set.of("store", "ids"), fields(j));
        assertEquals("env", j.get("store").asText());
        Set<String> ids = new java.util.HashSet<>();
        j.get("ids").forEach(id -> {
            assertEquals(Set.of("service", "account"), fields(id));
            ids.add(id.get("service").asText() + "/" + id.get("account").asText());
        });
        assertEquals(Set.of("db/app", "db/reports"), ids);
        assertFalse(r.out().contains("\"x\"") || r.out().contains("\"y\""), "no secret in a listing");
        // a service with none: an empty array and exit 1, as the text form
        r = run(env(), null, "--backend", "env", "list", "--json", "none");
        assertEquals(1, r.exit());
        assertEquals(0, JSON.readTree(r.out()).get("ids").size());
    }

    @Test
    void backendsJsonDescribesEveryBackendAsTheSchemaSays() throws Exception {
        Processes.Result r = run(env(), null, "backends", "--json");
        assertEquals(0, r.exit(), r.err());
        JsonNode j = JSON.readTree(r.out());
        assertEquals(Set.of("backends"), fields(j));
        List<String> ids = new ArrayList<>();
        for (JsonNode b : j.get("backends")) {
            assertBackend(b);
            ids.add(b.get("id").asText());
        }
        assertTrue(ids.containsAll(List.of("kernel", "secret-service", "encrypted-file", "env", "systemd-creds", "command")), ids.toString());
        JsonNode env = j.get("backends").get(ids.indexOf("env"));
        assertEquals("available", env.get("state").asText());
        assertEquals(1, env.get("priority").asInt());
        assertTrue(capabilities(env).contains("listable") && !capabilities(env).contains("writable"), env.toString());
    }

    @Test
    void diagnoseJsonCarriesTheReportsParts() throws Exception {
        Path cfg = home.resolve("k.properties");
        Files.writeString(cfg, "backend = env\nenv.prefix = myapp\n");
        Processes.Result r = run(env(), null, "diagnose", "--json", "--config", cfg.toString());
        assertEquals(0, r.exit(), r.err());
        JsonNode j = JSON.readTree(r.out());
        assertEquals(Set.of("configurationError", "sources", "settings", "backends", "watching", "open", "openFailure"), fields(j));
        assertTrue(j.get("configurationError").isNull());
        assertTrue(j.get("openFailure").isNull());
        assertTrue(text(j.get("sources")).stream().anyMatch(s -> s.contains(cfg.toString())), j.get("sources").toString());
        boolean prefix = false;
        for (JsonNode s : j.get("settings")) {
            assertEquals(Set.of("key", "value", "source"), fields(s));
            if (s.get("key").asText().equals("env.prefix")) prefix = s.get("value").asText().equals("myapp");
        }
        assertTrue(prefix, j.get("settings").toString());
        j.get("backends").forEach(CommandLineIT::assertBackend);
        JsonNode open = j.get("open");
        assertEquals(Set.of("store", "because", "reads", "writesWithoutTtl", "persistentWrites", "writesWithTtl"), fields(open));
        assertEquals("env", open.get("store").asText());
        assertEquals(List.of("env"), text(open.get("reads")));
        assertTrue(open.get("writesWithoutTtl").isNull(), "env is read-only: writes go nowhere");
        assertFalse(open.get("persistentWrites").asBoolean());
        assertTrue(open.get("writesWithTtl").isNull());
        Set<String> available = new java.util.HashSet<>();
        j.get("backends").forEach(b -> {
            if (b.get("available").asBoolean()) available.add(b.get("id").asText());
        });
        boolean envSaysWhy = false;
        for (JsonNode w : j.get("watching")) {
            assertEquals(Set.of("backend", "watchable", "how"), fields(w));
            // how a backend learns of changes is said for every watchable one that is available here; empty otherwise (Diagnosis.Watching)
            if (w.get("watchable").asBoolean() && available.contains(w.get("backend").asText())) {
                assertFalse(w.get("how").asText().isBlank(), w.toString());
            }
            if (w.get("backend").asText().equals("env")) envSaysWhy = !w.get("watchable").asBoolean();
        }
        assertTrue(envSaysWhy, "env cannot be watched, and diagnose says so: " + j.get("watching"));
    }

    @Test
    void diagnoseJsonSaysWhyOpenFailsAndExitsThree() throws Exception {
        // an unknown backend: discovery works, open() fails
        Processes.Result r = run(env("KEYRING4J_BACKEND", "nosuch"), null, "diagnose", "--json");
        assertEquals(3, r.exit(), r.err());
        JsonNode j = JSON.readTree(r.out());
        assertTrue(j.get("configurationError").isNull(), r.out());
        assertTrue(j.get("open").isNull(), r.out());
        assertTrue(j.get("openFailure").asText().contains("unknown backend 'nosuch'"), r.out());
        assertTrue(j.get("backends").size() >= 6, r.out());
        // an unknown key: the configuration itself is refused, nothing else is reported
        Path cfg = home.resolve("bad.properties");
        Files.writeString(cfg, "kernel.nosuchkey = 1\n");
        r = run(env(), null, "diagnose", "--json", "--config", cfg.toString());
        assertEquals(3, r.exit(), r.err());
        j = JSON.readTree(r.out());
        assertTrue(j.get("configurationError").asText().contains("kernel.nosuchkey"), r.out());
        assertEquals(0, j.get("backends").size());
        assertTrue(j.get("open").isNull());
        assertNull(j.get("openFailure").textValue());
    }

    private static void assertBackend(JsonNode b) {
        assertEquals(Set.of("id", "state", "available", "priority", "probeMillis", "capabilities", "reason"), fields(b), b.toString());
        String state = b.get("state").asText();
        assertTrue(Set.of("available", "unavailable", "indeterminate").contains(state), state);
        assertEquals(state.equals("available"), b.get("available").asBoolean());
        assertEquals(state.equals("available"), b.get("priority").isInt(), "a priority only for an available backend: " + b);
        assertTrue(b.get("probeMillis").isNull() || b.get("probeMillis").isIntegralNumber());
        assertTrue(Set.of("writable", "persistent", "encrypted-at-rest", "expiry", "listable", "watchable").containsAll(capabilities(b)), b.toString());
        assertTrue(b.get("reason").isTextual());
    }

    private static List<String> capabilities(JsonNode b) {
        return text(b.get("capabilities"));
    }

    private static List<String> text(JsonNode array) {
        List<String> out = new ArrayList<>();
        array.forEach(n -> out.add(n.asText()));
        return out;
    }

    private static Set<String> fields(JsonNode j) {
        Set<String> out = new java.util.HashSet<>();
        j.fieldNames().forEachRemaining(out::add);
        return out;
    }
}
