package dev.keyring4j.secretservice;

import dev.keyring4j.BackendUnavailableException;
import dev.keyring4j.spi.BackendConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/** The {@code secret-service.*} configuration, parsed and checked once per store. */
record SecretServiceSettings(
        Optional<String> collection,
        String sessionAlgorithm,
        boolean promptAllowed,
        Duration promptTimeout,
        Duration timeout,
        Duration probeTimeout,
        String application) {

    static final String DH_ALGORITHM = "dh-ietf1024-sha256-aes128-cbc-pkcs7";
    static final String PLAIN_ALGORITHM = "plain";

    static final Set<String> KEYS = Set.of("collection", "session", "prompt", "prompt-timeout", "timeout", "probe-timeout", "application");

    static SecretServiceSettings from(BackendConfig config) {
        String session = config.get("session", DH_ALGORITHM).trim().toLowerCase(Locale.ROOT);
        if (!session.equals(DH_ALGORITHM) && !session.equals(PLAIN_ALGORITHM)) {
            throw config.invalid("session", DH_ALGORITHM + " or " + PLAIN_ALGORITHM);
        }
        String prompt = config.get("prompt", "deny").trim().toLowerCase(Locale.ROOT);
        if (!prompt.equals("deny") && !prompt.equals("allow")) throw config.invalid("prompt", "deny or allow");
        Duration timeout = positive(config, "timeout", Duration.ofSeconds(5));
        Duration probeTimeout = positive(config, "probe-timeout", Duration.ofMillis(500));
        Duration promptTimeout = positive(config, "prompt-timeout", Duration.ofMinutes(2));
        String application = config.get("application", "keyring4j");
        if (application.isBlank()) throw config.invalid("application", "a non-empty name");
        Optional<String> collection = config.get("collection").map(String::trim);
        if (collection.isPresent() && collection.get().isEmpty()) throw config.invalid("collection", "an alias, a collection name or an object path");
        return new SecretServiceSettings(collection, session, prompt.equals("allow"), promptTimeout, timeout, probeTimeout, application);
    }

    private static Duration positive(BackendConfig config, String key, Duration fallback) {
        Duration d = config.getDuration(key, fallback);
        if (d.isNegative() || d.isZero()) throw config.invalid(key, "a positive duration");
        return d;
    }

    /**
     * The session bus address: {@code DBUS_SESSION_BUS_ADDRESS}, else {@code $XDG_RUNTIME_DIR/bus}.
     * Only {@code unix:path=} addresses work with dbus-java's native transport; anything else is
     * {@link BackendUnavailableException} with the reason.
     */
    static String busAddress(BackendConfig config) {
        Optional<String> fromEnv = config.env("DBUS_SESSION_BUS_ADDRESS").map(String::trim).filter(s -> !s.isEmpty());
        if (fromEnv.isPresent()) {
            String abstractOne = null;
            String other = null;
            // an address may list alternatives separated by ';': take the first path socket
            for (String candidate : fromEnv.get().split(";")) {
                String c = candidate.trim();
                if (c.startsWith("unix:")) {
                    Optional<String> path = keyValue(c, "path");
                    if (path.isPresent()) {
                        if (!Files.exists(Path.of(path.get()))) {
                            throw new BackendUnavailableException("secret-service: no session bus at " + path.get()
                                    + " (from DBUS_SESSION_BUS_ADDRESS): the socket does not exist; is the D-Bus session running?");
                        }
                        return c;
                    }
                    if (keyValue(c, "abstract").isPresent()) abstractOne = c;
                    else other = c;
                } else if (!c.isEmpty()) {
                    other = c;
                }
            }
            if (abstractOne != null) {
                throw new BackendUnavailableException("secret-service: the session bus address in DBUS_SESSION_BUS_ADDRESS is an abstract socket ("
                        + abstractOne.replaceAll(",guid=.*", "") + "), which dbus-java's native unix-socket transport cannot use;"
                        + " run the session bus on a path socket (systemd's $XDG_RUNTIME_DIR/bus, or dbus-daemon --address=unix:path=…)");
            }
            throw new BackendUnavailableException("secret-service: unsupported session bus address in DBUS_SESSION_BUS_ADDRESS ("
                    + String.valueOf(other).replaceAll(",guid=.*", "") + "); only unix:path= addresses are supported");
        }
        Optional<String> runtime = config.env("XDG_RUNTIME_DIR").filter(s -> !s.isEmpty());
        if (runtime.isPresent()) {
            Path bus = Path.of(runtime.get(), "bus");
            if (Files.exists(bus)) return "unix:path=" + escape(bus.toString());
            throw new BackendUnavailableException("secret-service: no session bus: DBUS_SESSION_BUS_ADDRESS is not set and " + bus + " does not exist");
        }
        throw new BackendUnavailableException("secret-service: no session bus: neither DBUS_SESSION_BUS_ADDRESS nor XDG_RUNTIME_DIR is set (a headless session without D-Bus)");
    }

    /** The unescaped value of {@code key} in a D-Bus address like {@code unix:path=/run/user/1000/bus,guid=…}. */
    private static Optional<String> keyValue(String address, String key) {
        int colon = address.indexOf(':');
        for (String kv : address.substring(colon + 1).split(",")) {
            int eq = kv.indexOf('=');
            if (eq > 0 && kv.substring(0, eq).equals(key)) return Optional.of(unescape(kv.substring(eq + 1)));
        }
        return Optional.empty();
    }

    private static String unescape(String v) {
        StringBuilder b = new StringBuilder();
        java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
        for (int i = 0; i < v.length(); i++) {
            char c = v.charAt(i);
            if (c == '%' && i + 2 < v.length()) {
                bytes.write(Integer.parseInt(v.substring(i + 1, i + 3), 16));
                i += 2;
            } else {
                if (bytes.size() > 0) {
                    b.append(bytes.toString(java.nio.charset.StandardCharsets.UTF_8));
                    bytes.reset();
                }
                b.append(c);
            }
        }
        if (bytes.size() > 0) b.append(bytes.toString(java.nio.charset.StandardCharsets.UTF_8));
        return b.toString();
    }

    private static String escape(String path) {
        StringBuilder b = new StringBuilder();
        for (byte x : path.getBytes(java.nio.charset.StandardCharsets.UTF_8)) {
            char c = (char) (x & 0xff);
            if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || "-_/.\\*".indexOf(c) >= 0) b.append(c);
            else b.append('%').append(String.format("%02x", x & 0xff));
        }
        return b.toString();
    }
}
