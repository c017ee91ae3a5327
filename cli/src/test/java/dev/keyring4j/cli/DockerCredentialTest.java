package dev.keyring4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.keyring4j.testkit.InMemoryCredentialStore;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** docker-credential-helpers' protocol, in-process against an in-memory store, with docker's exact exchanges. */
class DockerCredentialTest {
    private final InMemoryCredentialStore store = InMemoryCredentialStore.persistent("mem");

    private record Reply(int exit, String out) {
    }

    private Reply run(String action, String stdin) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int rc = DockerCredentialCommand.handle(store, action, stdin.getBytes(StandardCharsets.UTF_8),
                new PrintStream(out, true, StandardCharsets.UTF_8));
        return new Reply(rc, out.toString(StandardCharsets.UTF_8));
    }

    @Test
    void storeGetListErase() {
        // exactly what docker writes: compact JSON, no trailing newline
        Reply r = run("store", "{\"ServerURL\":\"https://index.docker.io/v1/\",\"Username\":\"alice\",\"Secret\":\"dckr_pat_\\\"x\\\\y\"}");
        assertEquals(new Reply(0, ""), r);
        r = run("get", "https://index.docker.io/v1/");
        assertEquals(0, r.exit());
        assertEquals("{\"ServerURL\":\"https://index.docker.io/v1/\",\"Username\":\"alice\",\"Secret\":\"dckr_pat_\\\"x\\\\y\"}\n", r.out());
        run("store", "{\"ServerURL\":\"localhost:5000\",\"Username\":\"<token>\",\"Secret\":\"identity-token\"}");
        r = run("list", "");
        assertEquals(0, r.exit());
        assertEquals(Map.of("https://index.docker.io/v1/", "alice", "localhost:5000", "<token>"),
                Json.parseObject(r.out()));
        assertEquals(new Reply(0, ""), run("erase", "localhost:5000\n"));
        assertEquals(new Reply(1, "credentials not found in native keychain\n"), run("get", "localhost:5000"));
    }

    @Test
    void notFoundIsTheMessageDockerRecognises() {
        assertEquals(new Reply(1, "credentials not found in native keychain\n"), run("get", "https://nowhere.test"));
        assertEquals(new Reply(1, "credentials not found in native keychain\n"), run("erase", "https://nowhere.test"));
        assertEquals(new Reply(0, "{}\n"), run("list", ""));
    }

    @Test
    void aNewUsernameReplacesTheOldOneForTheSameServer() {
        run("store", "{\"ServerURL\":\"r.test\",\"Username\":\"old\",\"Secret\":\"1\"}");
        run("store", "{\"ServerURL\":\"r.test\",\"Username\":\"new\",\"Secret\":\"2\"}");
        assertTrue(run("get", "r.test").out().contains("\"Username\":\"new\""));
        assertEquals(1, store.list().size());
    }

    @Test
    void missingServerUrlIsAnError() {
        assertEquals(new Reply(1, "no credentials server URL\n"), run("get", "\n"));
        assertEquals(new Reply(1, "no credentials server URL\n"), run("store", "{\"Username\":\"u\",\"Secret\":\"s\"}"));
    }

    @Test
    void jsonRoundTripsUnicodeAndEscapes() {
        Map<String, String> m = Json.parseObject(" { \"a\" : \"\\u00e9\\n\\t\\/\" , \"n\": 5, \"b\":\"ü\" } ");
        assertEquals("é\n\t/", m.get("a"));
        assertEquals("ü", m.get("b"));
        assertEquals(m.get("a"), Json.parseObject(Json.write(Map.of("a", m.get("a")))).get("a"));
    }

    @Test
    void aMalformedEscapeIsReportedByOffsetWithoutAnyOfTheSecret() {
        // the four characters after \\u are the start of the secret; a JDK parser would quote them
        String stdin = "{\"ServerURL\":\"r.test\",\"Username\":\"u\",\"Secret\":\"\\u9zq7-s3cr3t-tail\"}";
        Json.Malformed e = org.junit.jupiter.api.Assertions.assertThrows(Json.Malformed.class, () -> run("store", stdin));
        assertTrue(e.getMessage().contains("offset 49") && e.getMessage().contains("four hex digits"), e.getMessage());
        for (String part : new String[] {"9zq7", "s3cr3t", "tail"}) assertFalse(e.getMessage().contains(part), e.getMessage());
        String shown = DockerCredentialCommand.message(e);
        assertFalse(shown.contains("9zq7") || shown.contains("s3cr3t"), shown);
        org.junit.jupiter.api.Assertions.assertThrows(Json.Malformed.class, () -> Json.parseObject("{\"a\":\"\\u12\"}"));
        org.junit.jupiter.api.Assertions.assertThrows(Json.Malformed.class, () -> Json.parseObject("{\"a\":\"\\q\"}"));
        assertTrue(store.list().isEmpty(), "nothing was stored");
    }

    @Test
    void aThirdPartyMessageIsNeverShownOnlyItsType() {
        // thrown by the JDK, as in real use (a message is trusted only from keyring4j's own code)
        NumberFormatException jdk = org.junit.jupiter.api.Assertions.assertThrows(NumberFormatException.class, () -> Integer.parseInt("12zz", 16));
        String shown = DockerCredentialCommand.message(jdk);
        assertFalse(shown.contains("12zz"), shown);
        assertTrue(shown.contains("java.lang.NumberFormatException") && shown.contains("not shown"), shown);
        assertEquals("the store is locked (see docs/troubleshooting.md#locked)",
                DockerCredentialCommand.message(new dev.keyring4j.LockedException("the store is locked")));
    }

    /** Found by DockerCredentialFuzzTest: "\\ud800" was accepted and stored as "?", a secret silently changed. */
    @Test
    void anUnpairedSurrogateEscapeIsMalformedNotStoredAsAQuestionMark() {
        Json.Malformed e = org.junit.jupiter.api.Assertions.assertThrows(Json.Malformed.class,
                () -> run("store", "{\"ServerURL\":\"r.example\",\"Username\":\"u\",\"Secret\":\"s3cr3t\\ud800\"}"));
        assertFalse(e.getMessage().contains("s3cr3t"), e.getMessage());
        assertTrue(store.list().isEmpty());
        assertEquals(Map.of("Secret", "\uD83D\uDD11"), Json.parseObject("{\"Secret\":\"\\ud83d\\udd11\"}"), "a pair is one character");
    }
}
