package dev.keyring4j.cli;

import dev.keyring4j.CredentialId;
import dev.keyring4j.CredentialStore;
import dev.keyring4j.Secret;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** git's credential protocol over a {@link CredentialStore}, independent of the command line. */
final class GitCredentialHelper {
    static final java.util.Set<String> ACTIONS = java.util.Set.of("get", "store", "erase");

    private final CredentialStore store;
    private final Clock clock;
    private final PrintStream err;

    GitCredentialHelper(CredentialStore store, Clock clock, PrintStream err) {
        this.store = store;
        this.clock = clock;
        this.err = err;
    }

    /**
     * Reads {@code key=value} lines, decoded as strict UTF-8, up to a blank line or the end. Later
     * values win; lines without {@code =} are ignored; input that is not UTF-8 is an {@link IllegalArgumentException}.
     */
    static Map<String, String> read(InputStream in) throws IOException {
        Map<String, String> out = new LinkedHashMap<>();
        // strict UTF-8, whatever the locale: a malformed byte is refused, never replaced (two usernames must not become one)
        BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8.newDecoder()));
        String line;
        try {
            while ((line = r.readLine()) != null) {
                if (line.isEmpty()) break;
                int eq = line.indexOf('=');
                // git sends only key=value lines without NUL: anything else is not git, and guessing could store under a wrong name
                if (eq <= 0) throw new IllegalArgumentException("git sent a line that is not key=value; nothing was read or changed");
                if (line.indexOf('\0') >= 0) throw new IllegalArgumentException("git sent a line holding a NUL byte; nothing was read or changed");
                out.put(line.substring(0, eq), line.substring(eq + 1));
            }
        } catch (java.nio.charset.CharacterCodingException e) {
            throw new IllegalArgumentException("git sent a credential request that is not UTF-8; nothing was read or changed");
        }
        return out;
    }

    /** {@code git:<protocol>://<host>[/<path>]}, or empty when git did not say which protocol and host. */
    static Optional<String> serviceOf(Map<String, String> request) {
        String protocol = request.get("protocol");
        String host = request.get("host");
        if (protocol == null || protocol.isEmpty() || host == null || host.isEmpty()) return Optional.empty();
        String path = request.get("path");
        return Optional.of("git:" + protocol + "://" + host + (path == null || path.isEmpty() ? "" : "/" + path));
    }

    int handle(String action, Map<String, String> request, PrintStream out) {
        Optional<String> service = serviceOf(request);
        if (service.isEmpty()) return Main.OK; // nothing to key on: answer nothing, as git expects
        String user = emptyToNull(request.get("username"));
        // a name no store accepts (over CredentialId.MAX_NAME_BYTES) is bad input for every action, even one that stores nothing
        if (user == null) CredentialId.requireService(service.get());
        else CredentialId.requireNames(service.get(), user);
        return switch (action) {
            case "get" -> get(service.get(), user, out);
            case "store" -> store(service.get(), user, request);
            case "erase" -> erase(service.get(), user, emptyToNull(request.get("password")));
            default -> Main.OK;
        };
    }

    private int get(String service, String user, PrintStream out) {
        Optional<String> account = Optional.ofNullable(user);
        Optional<Secret> secret;
        if (user != null) {
            secret = store.get(service, user);
        } else {
            var found = store.find(service);
            account = found.map(c -> c.account());
            secret = found.map(c -> c.secret());
        }
        if (secret.isEmpty()) return Main.OK; // git moves on to the next helper or prompts
        try (Secret s = secret.get()) {
            String password = s.asString();
            if (password.indexOf('\n') >= 0 || password.indexOf('\0') >= 0 || account.get().indexOf('\n') >= 0) {
                err.println("keyring4j: the stored credential for " + service + " contains a newline or NUL, which git's protocol cannot carry");
                return Main.STORE_ERROR;
            }
            out.print("username=" + account.get() + "\npassword=" + password + "\n");
            out.flush();
        }
        return Main.OK;
    }

    private int store(String service, String user, Map<String, String> request) {
        String password = request.get("password");
        if (user == null || password == null || password.isEmpty()) return Main.OK;
        String expiry = emptyToNull(request.get("password_expiry_utc"));
        try (Secret secret = Secret.of(password)) {
            if (expiry == null) {
                store.set(service, user, secret);
                return Main.OK;
            }
            Duration ttl;
            try {
                ttl = Duration.between(clock.instant(), Instant.ofEpochSecond(Long.parseLong(expiry.trim())));
            } catch (NumberFormatException | java.time.DateTimeException e) {
                // DateTimeException: a number of seconds beyond the range of Instant
                err.println("keyring4j: ignoring a malformed password_expiry_utc from git; the credential was not stored");
                return Main.USAGE;
            }
            if (ttl.isNegative() || ttl.isZero()) return Main.OK; // already expired: nothing worth keeping
            if (!store.capabilities().expiry()) {
                // storing it without the expiry would replay an expired password later
                err.println("keyring4j: not storing a credential that expires (password_expiry_utc): " + store.id()
                        + " cannot expire credentials; configure a backend with expiry (kernel)");
                return Main.OK;
            }
            store.set(service, user, secret, ttl);
            return Main.OK;
        }
    }

    private int erase(String service, String user, String password) {
        java.util.List<String> accounts = user != null ? java.util.List.of(user)
                : store.list(service).stream().map(CredentialId::account).toList();
        for (String account : accounts) {
            if (password != null) {
                // git sends the password it rejects: keep a credential that was replaced meanwhile
                Optional<Secret> current = store.get(service, account);
                if (current.isEmpty()) continue;
                try (Secret c = current.get(); Secret rejected = Secret.of(password)) {
                    if (!c.equals(rejected)) continue;
                }
            }
            store.delete(service, account);
        }
        return Main.OK;
    }

    private static String emptyToNull(String s) {
        return s == null || s.isEmpty() ? null : s;
    }
}
