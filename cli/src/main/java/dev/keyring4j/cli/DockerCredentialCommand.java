package dev.keyring4j.cli;

import dev.keyring4j.Credential;
import dev.keyring4j.CredentialId;
import dev.keyring4j.CredentialStore;
import dev.keyring4j.Secret;
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
        byte[] input = action.equals("list") ? new byte[0] : Main.readAll(Main.Streams.in);
        try (CredentialStore store = options.open()) {
            return handle(store, action, input, out);
        } catch (RuntimeException e) {
            // docker reads a helper's errors from stdout
            String m = e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName();
            out.println(m.replace('\n', ' '));
            return 1;
        } finally {
            Arrays.fill(input, (byte) 0);
        }
    }

    /** The protocol over a store; errors are returned as "message on stdout, status 1". */
    static int handle(CredentialStore store, String action, byte[] input, PrintStream out) {
        switch (action) {
            case "store" -> {
                Map<String, String> req = Json.parseObject(new String(input, StandardCharsets.UTF_8));
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
                String server = new String(input, StandardCharsets.UTF_8).strip();
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
                String server = new String(input, StandardCharsets.UTF_8).strip();
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

    private static int fail(PrintStream out, String message) {
        out.println(message);
        out.flush();
        return 1;
    }

    /** Just enough JSON for docker's helper protocol: one object of string values. */
    static final class Json {
        private final String s;
        private int i;

        private Json(String s) {
            this.s = s;
        }

        static Map<String, String> parseObject(String text) {
            Json p = new Json(text);
            Map<String, String> out = new LinkedHashMap<>();
            p.ws();
            p.expect('{');
            p.ws();
            if (p.peek() == '}') {
                p.i++;
                return out;
            }
            while (true) {
                p.ws();
                String key = p.string();
                p.ws();
                p.expect(':');
                p.ws();
                if (p.peek() == '"') {
                    out.put(key, p.string());
                } else {
                    p.skipValue();
                }
                p.ws();
                char c = p.next();
                if (c == '}') break;
                if (c != ',') throw new IllegalArgumentException("malformed JSON: expected , or } at offset " + (p.i - 1));
            }
            return out;
        }

        private char peek() {
            if (i >= s.length()) throw new IllegalArgumentException("malformed JSON: unexpected end");
            return s.charAt(i);
        }

        private char next() {
            char c = peek();
            i++;
            return c;
        }

        private void expect(char c) {
            if (next() != c) throw new IllegalArgumentException("malformed JSON: expected " + c + " at offset " + (i - 1));
        }

        private void ws() {
            while (i < s.length() && Character.isWhitespace(s.charAt(i))) i++;
        }

        /** Skips a number, true, false or null (docker sends only strings; tolerate the rest). */
        private void skipValue() {
            while (i < s.length() && ",}".indexOf(s.charAt(i)) < 0) i++;
        }

        private String string() {
            expect('"');
            StringBuilder b = new StringBuilder();
            while (true) {
                char c = next();
                if (c == '"') return b.toString();
                if (c != '\\') {
                    b.append(c);
                    continue;
                }
                char e = next();
                switch (e) {
                    case '"', '\\', '/' -> b.append(e);
                    case 'b' -> b.append('\b');
                    case 'f' -> b.append('\f');
                    case 'n' -> b.append('\n');
                    case 'r' -> b.append('\r');
                    case 't' -> b.append('\t');
                    case 'u' -> {
                        if (i + 4 > s.length()) throw new IllegalArgumentException("malformed JSON: short \\u escape");
                        b.append((char) Integer.parseInt(s.substring(i, i + 4), 16));
                        i += 4;
                    }
                    default -> throw new IllegalArgumentException("malformed JSON: bad escape at offset " + (i - 1));
                }
            }
        }

        static String write(Map<String, String> map) {
            StringBuilder b = new StringBuilder("{");
            map.forEach((k, v) -> {
                if (b.length() > 1) b.append(',');
                quote(b, k);
                b.append(':');
                quote(b, v);
            });
            return b.append('}').toString();
        }

        private static void quote(StringBuilder b, String v) {
            b.append('"');
            for (char c : v.toCharArray()) {
                switch (c) {
                    case '"' -> b.append("\\\"");
                    case '\\' -> b.append("\\\\");
                    case '\n' -> b.append("\\n");
                    case '\r' -> b.append("\\r");
                    case '\t' -> b.append("\\t");
                    default -> {
                        if (c < 0x20) b.append(String.format("\\u%04x", (int) c));
                        else b.append(c);
                    }
                }
            }
            b.append('"');
        }
    }
}
