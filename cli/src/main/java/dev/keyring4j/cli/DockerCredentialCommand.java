package dev.keyring4j.cli;

import dev.keyring4j.Credential;
import dev.keyring4j.CredentialId;
import dev.keyring4j.CredentialStore;
import dev.keyring4j.KeyringException;
import dev.keyring4j.Secret;
import dev.keyring4j.internal.BoundedInput;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/**
 * {@code keyring4j docker-credential store|get|erase|list|version}: a docker credential helper,
 * run by the {@code docker-credential-keyring4j} launcher ({@code "credsStore": "keyring4j"} in
 * {@code ~/.docker/config.json}).
 *
 * <p>The protocol of docker-credential-helpers: {@code store} reads
 * {@code {"ServerURL":…,"Username":…,"Secret":…}} on stdin; {@code get} reads a server URL on stdin
 * and prints that JSON; {@code erase} reads a server URL; {@code list} prints
 * {@code {"<server URL>":"<username>",…}}. Errors go to stdout with exit status 1, and a missing
 * credential is exactly {@code credentials not found in native keychain}, which docker recognises.
 * The service is {@code docker:<server URL>}, the account the username; one account per server.
 */
@Command(name = "docker-credential", description = {"A docker credential helper: store, get, erase, list (docker's protocol).",
        "Run through the docker-credential-keyring4j launcher; set \"credsStore\": \"keyring4j\" in ~/.docker/config.json."})
final class DockerCredentialCommand implements Callable<Integer> {
    static final String NOT_FOUND = "credentials not found in native keychain";
    static final String PREFIX = "docker:";
    /**
     * The most read from stdin: a 1 MiB secret JSON-escaped (docker's encoder writes {@code <}, {@code >},
     * {@code &} and control characters as six-byte unicode escapes), plus 64 KiB for the URL and username.
     */
    static final int MAX_INPUT = 6 * BoundedInput.MAX_SECRET_BYTES + (64 << 10);

    @CommandLine.ParentCommand
    Main options;

    @Parameters(index = "0", paramLabel = "ACTION", description = "store, get, erase, list or version")
    String action;

    @Override
    public Integer call() throws IOException {
        PrintStream out = Main.Streams.out;
        if (action.equals("version")) {
            out.println("docker-credential-keyring4j (keyring4j 0.1.0-SNAPSHOT)");
            return Main.OK;
        }
        if (!java.util.Set.of("store", "get", "erase", "list").contains(action)) {
            out.println("Unknown credential action `" + action + "`");
            return 1;
        }
        byte[] input = new byte[0];
        try {
            // store's stdin carries the secret
            if (action.equals("store")) options.protect();
            input = action.equals("list") ? new byte[0] : BoundedInput.readStream(Main.Streams.in, "docker-credential's stdin", MAX_INPUT);
            try (CredentialStore store = options.open()) {
                return handle(store, action, input, out);
            }
        } catch (RuntimeException | IOException | Error e) {
            // docker reads a helper's errors from stdout: one line there, status 1, a trace only with --debug
            out.println(Failure.oneLine(message(e)));
            out.flush();
            if (options.debug) Failure.printTrace(e, Main.Streams.err);
            return 1;
        } finally {
            Arrays.fill(input, (byte) 0);
        }
    }

    /** {@code input} decoded as strict UTF-8: two server URLs or usernames that differ in malformed bytes must not become one. */
    static String utf8(byte[] input) {
        try {
            return StandardCharsets.UTF_8.newDecoder().decode(java.nio.ByteBuffer.wrap(input)).toString();
        } catch (java.nio.charset.CharacterCodingException e) {
            throw new IllegalArgumentException("docker sent input that is not UTF-8; nothing was changed");
        }
    }

    /** The protocol over a store; errors are returned as "message on stdout, status 1". */
    static int handle(CredentialStore store, String action, byte[] input, PrintStream out) {
        switch (action) {
            case "store" -> {
                Map<String, String> req = Json.parseObject(utf8(input));
                String server = req.getOrDefault("ServerURL", "");
                String user = req.getOrDefault("Username", "");
                String secret = req.getOrDefault("Secret", "");
                if (server.isEmpty()) return fail(out, "no credentials server URL");
                if (user.isEmpty()) return fail(out, "no credentials username");
                String service = PREFIX + server;
                try (Secret s = Secret.of(secret)) {
                    store.set(service, user, s);
                }
                // one account per server, as docker expects
                for (CredentialId id : store.list(service)) {
                    if (!id.account().equals(user)) store.delete(service, id.account());
                }
                return Main.OK;
            }
            case "get" -> {
                String server = utf8(input).strip();
                if (server.isEmpty()) return fail(out, "no credentials server URL");
                Optional<Credential> c = store.find(PREFIX + server);
                if (c.isEmpty()) return fail(out, NOT_FOUND);
                Map<String, String> reply = new LinkedHashMap<>();
                reply.put("ServerURL", server);
                reply.put("Username", c.get().account());
                try (Secret s = c.get().secret()) {
                    reply.put("Secret", s.asString());
                }
                out.println(Json.write(reply));
                out.flush();
                return Main.OK;
            }
            case "erase" -> {
                String server = utf8(input).strip();
                if (server.isEmpty()) return fail(out, "no credentials server URL");
                boolean any = false;
                for (CredentialId id : store.list(PREFIX + server)) any |= store.delete(id.service(), id.account());
                return any ? Main.OK : fail(out, NOT_FOUND);
            }
            case "list" -> {
                Map<String, String> all = new LinkedHashMap<>();
                for (CredentialId id : store.list()) {
                    if (id.service().startsWith(PREFIX)) all.putIfAbsent(id.service().substring(PREFIX.length()), id.account());
                }
                out.println(Json.write(all));
                out.flush();
                return Main.OK;
            }
            default -> {
                return fail(out, "Unknown credential action `" + action + "`");
            }
        }
    }

    /**
     * What to print for a failure: keyring4j's own messages (which never hold secrets) as they are;
     * for any other exception only its type, because a JDK or library message can quote the input,
     * and the input holds the secret.
     */
    static String message(Throwable e) {
        // RejectedInputException: stdin over its limit; its message names the source and the limit, never content
        if (e instanceof KeyringException || e instanceof IllegalArgumentException || e instanceof dev.keyring4j.internal.RejectedInputException) {
            if (Failure.trusted(e) && e.getMessage() != null) return e.getMessage();
        }
        return "keyring4j docker-credential failed: " + e.getClass().getName()
                + " (its message is not shown: it may quote the input, which holds the secret; see docs/troubleshooting.md#store-error)";
    }

    private static int fail(PrintStream out, String message) {
        out.println(message);
        out.flush();
        return 1;
    }
}
