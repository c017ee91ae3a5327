package dev.keyring4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.keyring4j.Capabilities;
import dev.keyring4j.KeyringException;
import dev.keyring4j.testkit.InMemoryCredentialStore;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Fuzzes git's credential protocol (docs/fuzzing.md): the input is what git writes on the helper's
 * stdin. It is read ({@link GitCredentialHelper#read}, which may throw only IOException, or
 * IllegalArgumentException for input git never sends: not UTF-8, a line that is not key=value, a NUL)
 * and handled as {@code store}, then {@code get}, then {@code erase} against an in-memory store.
 * The only exceptions allowed are the store's documented refusals ({@link KeyringException},
 * {@link IllegalArgumentException} for a name it cannot hold); exit codes are 0, 2 or 3. What
 * {@code get} answers must read back as exactly the username and password stored: no line of the
 * answer can be injected by a value.
 */
class GitCredentialFuzzTest {
    private static final Clock CLOCK = Clock.fixed(Instant.parse("2026-06-01T12:00:00Z"), ZoneOffset.UTC);

    @FuzzTest(maxDuration = "30s")
    void protocol(byte[] stdin) throws IOException {
        Map<String, String> request;
        try {
            request = GitCredentialHelper.read(new ByteArrayInputStream(stdin));
        } catch (IllegalArgumentException notGit) {
            return; // documented: input git never sends is refused before anything is read or changed
        }
        InMemoryCredentialStore store = new InMemoryCredentialStore("mem", Capabilities.of(Capabilities.Flag.values()), CLOCK);
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        GitCredentialHelper helper = new GitCredentialHelper(store, CLOCK, new PrintStream(err, true, StandardCharsets.UTF_8));
        Optional<String> service = GitCredentialHelper.serviceOf(request);

        Integer stored = run(helper, "store", request);
        if (stored == null) return; // the store refused the names, as documented
        if (service.isEmpty()) assertEquals(Set.of(), Set.copyOf(store.list()), "no protocol and host: nothing is stored");

        Map<String, String> query = new LinkedHashMap<>(request);
        query.remove("password");
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        Integer got = run(helper, "get", query, out);
        String answer = out.toString(StandardCharsets.UTF_8);
        String user = request.get("username");
        String password = request.get("password");
        boolean wasStored = service.isPresent() && user != null && !user.isEmpty() && password != null && !password.isEmpty()
                && store.get(service.get(), user).isPresent();
        if (got != null && got == Main.OK && wasStored) {
            Map<String, String> back = GitCredentialHelper.read(new ByteArrayInputStream(out.toByteArray()));
            assertEquals(Map.of("username", user, "password", password), back, "get answers exactly what was stored");
            assertEquals("username=" + user + "\npassword=" + password + "\n", answer);
        }
        if (got != null && got != Main.OK) assertEquals("", answer, "a refusal prints nothing on stdout");

        run(helper, "erase", request);
        if (service.isPresent() && user != null && !user.isEmpty()) {
            assertTrue(store.get(service.get(), user).isEmpty(), "erase with the stored password removes it");
        }
    }

    private static Integer run(GitCredentialHelper helper, String action, Map<String, String> request) {
        return run(helper, action, request, new ByteArrayOutputStream());
    }

    /** The exit code, or null for a documented refusal of the store. */
    private static Integer run(GitCredentialHelper helper, String action, Map<String, String> request, ByteArrayOutputStream out) {
        try {
            int rc = helper.handle(action, request, new PrintStream(out, true, StandardCharsets.UTF_8));
            assertTrue(rc == Main.OK || rc == Main.USAGE || rc == Main.STORE_ERROR, "exit code " + rc);
            return rc;
        } catch (KeyringException | IllegalArgumentException e) {
            return null;
        }
    }
}
