package dev.keyring4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.keyring4j.KeyringException;
import dev.keyring4j.testkit.InMemoryCredentialStore;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * Fuzzes docker's credential helper protocol (docs/fuzzing.md): the input is what docker writes on
 * the helper's stdin. {@link Json#parseObject} may throw only {@link Json.Malformed}, whose message
 * never quotes the input; what it parses survives {@link Json#write} and back. The input is then
 * handled as {@code store}, {@code get}, {@code list} and {@code erase} by
 * {@link DockerCredentialCommand#handle} against an in-memory store, which may throw only
 * Json.Malformed and the store's documented refusals ({@link KeyringException},
 * {@link IllegalArgumentException}); a stored credential is answered by {@code get} exactly.
 */
class DockerCredentialFuzzTest {

    @FuzzTest(maxDuration = "30s")
    void protocol(byte[] stdin) {
        String text = new String(stdin, StandardCharsets.UTF_8);
        Map<String, String> parsed = null;
        try {
            parsed = Json.parseObject(text);
        } catch (Json.Malformed e) {
            assertTrue(e.getMessage().startsWith("malformed JSON at offset "), "the message says where, never what");
        }
        if (parsed != null) assertEquals(parsed, Json.parseObject(Json.write(parsed)), "write then parse is the identity");

        InMemoryCredentialStore store = InMemoryCredentialStore.persistent("mem");
        Reply stored = run(store, "store", stdin);
        if (stored == null || stored.exit != Main.OK) return;
        String server = parsed.get("ServerURL");
        Reply got = run(store, "get", server.getBytes(StandardCharsets.UTF_8));
        if (server.strip().equals(server)) {
            // get strips what it reads (docker may add a newline), so only an unpadded URL is found again
            assertEquals(new Reply(Main.OK, Json.write(reply(server, parsed)) + "\n"), got, "get answers what store stored");
            assertEquals(Map.of(server, parsed.get("Username")), Json.parseObject(run(store, "list", new byte[0]).out), "list names it");
            assertEquals(Main.OK, run(store, "erase", server.getBytes(StandardCharsets.UTF_8)).exit);
            assertEquals(new Reply(1, DockerCredentialCommand.NOT_FOUND + "\n"), run(store, "get", server.getBytes(StandardCharsets.UTF_8)));
        }
    }

    private static Map<String, String> reply(String server, Map<String, String> request) {
        var m = new java.util.LinkedHashMap<String, String>();
        m.put("ServerURL", server);
        m.put("Username", request.get("Username"));
        m.put("Secret", request.getOrDefault("Secret", ""));
        return m;
    }

    private record Reply(int exit, String out) {
    }

    /** The reply, or null for a documented refusal (malformed JSON, a name the store cannot hold). */
    private static Reply run(InMemoryCredentialStore store, String action, byte[] input) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            int rc = DockerCredentialCommand.handle(store, action, input, new PrintStream(out, true, StandardCharsets.UTF_8));
            assertTrue(rc == Main.OK || rc == 1, "docker's helpers exit 0 or 1");
            return new Reply(rc, out.toString(StandardCharsets.UTF_8));
        } catch (KeyringException | IllegalArgumentException e) {
            return null; // Json.Malformed is an IllegalArgumentException
        }
    }
}
