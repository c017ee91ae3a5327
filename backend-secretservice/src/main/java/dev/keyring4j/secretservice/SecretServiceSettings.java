package dev.keyring4j.secretservice;

import dev.keyring4j.BackendUnavailableException;
import dev.keyring4j.spi.BackendConfig;
import dev.keyring4j.spi.Setting;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * The {@code secret-service.*} keys, each declared once, and their values parsed and checked once
 * per probe (the store opened from that probe uses the same record). The probe's time limit is the
 * common {@code secret-service.probe-timeout}, which {@code Backends} reads: it is not declared here.
 */
record SecretServiceSettings(
        Optional<String> collection,
        String sessionAlgorithm,
        boolean promptAllowed,
        Duration promptTimeout,
        Duration confirmTimeout,
        Duration timeout,
        String application) {

    static final String DH_ALGORITHM = "dh-ietf1024-sha256-aes128-cbc-pkcs7";
    static final String PLAIN_ALGORITHM = "plain";

    static final Setting<String> COLLECTION = Setting.text("collection", null,
            "an alias (default, session), a collection name under /org/freedesktop/secrets/collection/, or an object path;"
                    + " unset: the default alias, else login, else session")
            .map("text", c -> nonEmpty(c, "an alias, a collection name or an object path"));
    static final Setting<String> SESSION = Setting.choice("session", DH_ALGORITHM, List.of(DH_ALGORITHM, PLAIN_ALGORITHM),
            "plain sends secrets unencrypted on the bus; only when you configure it");
    static final Setting<String> PROMPT = Setting.choice("prompt", "deny", List.of("deny", "allow"),
            "allow lets keyring4j show the provider's unlock prompt for a locked collection");
    static final Setting<Duration> PROMPT_TIMEOUT = positive(Setting.duration("prompt-timeout", "PT2M",
            "how long an allowed prompt may stay open before keyring4j dismisses it"));
    static final Setting<Duration> CONFIRM_TIMEOUT = positive(Setting.duration("confirm-timeout", "PT5S",
            "how long keyring4j waits for a confirmation prompt the provider returns for a write, delete or read of an unlocked collection"
                    + " (KeePassXC's confirm access / confirm delete); a prompt not completed by then is dismissed and the call fails"));
    static final Setting<Duration> TIMEOUT = positive(Setting.duration("timeout", "PT5S",
            "the timeout of every D-Bus call, and of connecting to the bus"));
    static final Setting<String> APPLICATION = Setting.text("application", "keyring4j",
            "the value of the application attribute of items keyring4j writes")
            .map("text", a -> nonEmpty(a, "a non-empty name"));

    /** Every key of this backend, in the order the configuration reference lists them. */
    static final List<Setting<?>> ALL = List.of(COLLECTION, SESSION, PROMPT, PROMPT_TIMEOUT, CONFIRM_TIMEOUT, TIMEOUT, APPLICATION);

    static SecretServiceSettings from(BackendConfig config) {
        return new SecretServiceSettings(config.find(COLLECTION), config.get(SESSION), config.get(PROMPT).equals("allow"),
                config.get(PROMPT_TIMEOUT), config.get(CONFIRM_TIMEOUT), config.get(TIMEOUT), config.get(APPLICATION));
    }

    private static Setting<Duration> positive(Setting<Duration> d) {
        return d.map("duration", v -> {
            if (v.isNegative() || v.isZero()) throw new Setting.Invalid("a positive duration");
            return v;
        });
    }

    private static String nonEmpty(String v, String expected) {
        if (v.isBlank()) throw new Setting.Invalid(expected);
        return v;
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
