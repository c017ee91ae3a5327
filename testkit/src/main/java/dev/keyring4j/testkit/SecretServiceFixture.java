package dev.keyring4j.testkit;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Stream;

/**
 * A private Secret Service for tests: its own {@code dbus-daemon} listening on a path socket in a
 * fresh temporary directory, and {@code gnome-keyring-daemon --components=secrets} on that bus with
 * a private {@code HOME}, {@code XDG_RUNTIME_DIR}, {@code XDG_DATA_HOME} and {@code XDG_CONFIG_HOME}.
 *
 * <p>Guarantees: it never talks to the user's own session bus or keyring (every child gets an
 * explicit environment, not the inherited one); the bus has no service directories, so nothing is
 * ever auto-started behind the fixture's back; every process it starts is recorded and killed by
 * {@link #close()}, and by a JVM shutdown hook if a test run dies before {@code close()}; start-up
 * waits with bounded retries for the bus address and for the name {@code org.freedesktop.secrets},
 * and fails with the daemons' output when they do not come up.
 *
 * <p>It uses only JDK process APIs (and the {@code dbus-daemon}, {@code gnome-keyring-daemon},
 * {@code dbus-send} and {@code kill} programs). {@link #startBusOnly()} is the private bus alone;
 * {@link KeePassXCFixture} runs KeePassXC on it instead of gnome-keyring.
 */
public final class SecretServiceFixture implements AutoCloseable {
    /** The password of the fixture's {@code login} keyring. */
    public static final String PASSWORD = "keyring4j-fixture-password";
    /** The Secret Service bus name. */
    public static final String SECRETS_NAME = "org.freedesktop.secrets";

    private static final Duration START_TIMEOUT = Duration.ofSeconds(20);
    private static final Set<Process> LIVE = ConcurrentHashMap.newKeySet();

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> LIVE.forEach(p -> {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
        }), "secret-service-fixture-reaper"));
    }

    private final Path dir;
    private final Path runtimeDir;
    private final String busAddress;
    private final Map<String, String> env;
    private final Process bus;
    /** Every process this fixture started and has not reaped yet. */
    private final Set<Process> owned = ConcurrentHashMap.newKeySet();
    private volatile Process provider;
    private int providerStarts;

    private SecretServiceFixture(Path dir, Process bus, String busAddress, Map<String, String> env) {
        this.dir = dir;
        this.runtimeDir = dir.resolve("run");
        this.bus = bus;
        this.busAddress = busAddress;
        this.env = env;
        track(bus);
    }

    private Process track(Process p) {
        LIVE.add(p);
        owned.add(p);
        return p;
    }

    private void untrack(Process p) {
        LIVE.remove(p);
        owned.remove(p);
    }

    /** A bus and a gnome-keyring whose {@code login} collection is created and unlocked with {@link #PASSWORD}. */
    public static SecretServiceFixture start() {
        SecretServiceFixture f = startBusOnly();
        try {
            f.startProvider(true);
            return f;
        } catch (RuntimeException | Error e) {
            f.close();
            throw e;
        }
    }

    /**
     * A bus and a gnome-keyring whose {@code login} collection exists (it is created with
     * {@link #PASSWORD} first) but is locked: the provider was restarted without the password.
     */
    public static SecretServiceFixture startLocked() {
        SecretServiceFixture f = start();
        try {
            f.killProvider();
            f.startProvider(false);
            return f;
        } catch (RuntimeException | Error e) {
            f.close();
            throw e;
        }
    }

    /** Only the private bus: nothing owns {@code org.freedesktop.secrets}. */
    public static SecretServiceFixture startBusOnly() {
        Prerequisites.requireProgram("dbus-daemon");
        Prerequisites.requireProgram("dbus-send");
        Path dir = null;
        Process bus = null;
        try {
            // short path under /tmp: a unix socket path must fit in 108 bytes
            dir = Files.createTempDirectory(Path.of("/tmp"), "k4j-ss-", PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
            for (String sub : List.of("home", "run", "data", "config", "cache")) {
                Files.createDirectories(dir.resolve(sub), PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
            }
            Path socket = dir.resolve("run/bus");
            Path config = dir.resolve("bus.conf");
            Files.writeString(config, busConfig(socket));
            ProcessBuilder pb = new ProcessBuilder("dbus-daemon", "--config-file=" + config, "--nofork", "--print-address")
                    .redirectError(dir.resolve("dbus-daemon.log").toFile());
            pb.environment().clear();
            pb.environment().putAll(baseEnv(dir, null));
            bus = pb.start();
            LIVE.add(bus);
            Process started = bus;
            String address = withTimeout(() -> new BufferedReader(new InputStreamReader(started.getInputStream(), StandardCharsets.UTF_8)).readLine(),
                    START_TIMEOUT, "dbus-daemon to print its address", dir.resolve("dbus-daemon.log"));
            if (address == null || !address.startsWith("unix:path=")) {
                throw new IllegalStateException("dbus-daemon did not start: " + address + "\n" + tail(dir.resolve("dbus-daemon.log")));
            }
            Map<String, String> env = baseEnv(dir, address.trim());
            return new SecretServiceFixture(dir, bus, address.trim(), env);
        } catch (IOException e) {
            if (bus != null) kill(bus);
            deleteTree(dir);
            throw new UncheckedIOException(e);
        } catch (RuntimeException e) {
            if (bus != null) kill(bus);
            deleteTree(dir);
            throw e;
        }
    }

    private static String busConfig(Path socket) {
        // no <servicedir>: nothing is auto-started, so "no provider" really means none
        return """
                <!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
                 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
                <busconfig>
                  <type>session</type>
                  <listen>unix:path=%s</listen>
                  <auth>EXTERNAL</auth>
                  <policy context="default">
                    <allow send_destination="*" eavesdrop="true"/>
                    <allow eavesdrop="true"/>
                    <allow own="*"/>
                  </policy>
                </busconfig>
                """.formatted(socket);
    }

    private static Map<String, String> baseEnv(Path dir, String busAddress) {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("PATH", System.getenv().getOrDefault("PATH", "/usr/local/bin:/usr/bin:/bin"));
        env.put("LANG", "C.UTF-8");
        env.put("HOME", dir.resolve("home").toString());
        env.put("XDG_RUNTIME_DIR", dir.resolve("run").toString());
        env.put("XDG_DATA_HOME", dir.resolve("data").toString());
        env.put("XDG_CONFIG_HOME", dir.resolve("config").toString());
        env.put("XDG_CACHE_HOME", dir.resolve("cache").toString());
        if (busAddress != null) env.put("DBUS_SESSION_BUS_ADDRESS", busAddress);
        return Map.copyOf(env);
    }

    /** The private bus address, {@code unix:path=…}. */
    public String busAddress() {
        return busAddress;
    }

    /** The environment to give children (and stores): the private bus and private XDG directories only. */
    public Map<String, String> environment() {
        return env;
    }

    /** The fixture's temporary directory. */
    public Path directory() {
        return dir;
    }

    /** The process id of the running provider. */
    public long providerPid() {
        Process p = provider;
        if (p == null) throw new IllegalStateException("no provider is running");
        return p.pid();
    }

    /** Starts gnome-keyring on the bus (unlocking or creating {@code login} with {@link #PASSWORD} when {@code unlock}) and waits for its name. */
    public synchronized void startProvider(boolean unlock) {
        if (provider != null && provider.isAlive()) throw new IllegalStateException("a provider is already running");
        Prerequisites.requireProgram("gnome-keyring-daemon");
        Path log = dir.resolve("gnome-keyring-" + (++providerStarts) + ".log");
        List<String> cmd = new ArrayList<>(List.of("gnome-keyring-daemon", "--foreground", "--components=secrets"));
        if (unlock) cmd.add("--unlock");
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile());
        pb.environment().clear();
        pb.environment().putAll(env);
        try {
            Process p = track(pb.start());
            provider = p;
            try (OutputStream in = p.getOutputStream()) {
                // --unlock reads the password from stdin up to EOF; without it, stdin is just closed
                if (unlock) in.write(PASSWORD.getBytes(StandardCharsets.UTF_8));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start gnome-keyring-daemon", e);
        }
        awaitName(true, log);
    }

    /** Kills the provider (SIGKILL, as a crash would) and waits until its name has left the bus. */
    public synchronized void killProvider() {
        Process p = provider;
        if (p == null) return;
        signal(p, "CONT");
        p.destroyForcibly();
        try {
            if (!p.waitFor(10, TimeUnit.SECONDS)) throw new IllegalStateException("gnome-keyring-daemon did not die");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
        untrack(p);
        provider = null;
        awaitName(false, null);
    }

    /** Kills the provider and starts a new one with the password (same keyring files). */
    public void restartProvider() {
        killProvider();
        startProvider(true);
    }

    /** Stops the provider with SIGSTOP: it stays on the bus but answers nothing until {@link #resumeProvider()}. */
    public void freezeProvider() {
        signal(requireProvider(), "STOP");
    }

    /** Resumes a provider stopped by {@link #freezeProvider()}. */
    public void resumeProvider() {
        signal(requireProvider(), "CONT");
    }

    private Process requireProvider() {
        Process p = provider;
        if (p == null) throw new IllegalStateException("no provider is running");
        return p;
    }

    private static void signal(Process p, String sig) {
        if (!p.isAlive()) return;
        try {
            Process k = new ProcessBuilder("kill", "-" + sig, Long.toString(p.pid())).redirectErrorStream(true).start();
            if (!k.waitFor(10, TimeUnit.SECONDS)) k.destroyForcibly();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Whether a name has an owner on the private bus. */
    public boolean nameHasOwner(String name) {
        Result r = run(List.of("dbus-send", "--session", "--print-reply", "--reply-timeout=2000", "--dest=org.freedesktop.DBus",
                "/org/freedesktop/DBus", "org.freedesktop.DBus.NameHasOwner", "string:" + name), null, Duration.ofSeconds(5));
        if (r.exitCode() != 0) throw new IllegalStateException("dbus-send failed: " + r.stderr());
        return r.stdout().contains("boolean true");
    }

    private void awaitName(boolean present, Path log) {
        awaitName(SECRETS_NAME, present, provider, "gnome-keyring-daemon", log);
    }

    /**
     * Waits until {@code name} has (or no longer has) an owner, asking only the bus daemon
     * (NameHasOwner), never the name itself: a call to an unowned name could activate a service.
     * Fails early with {@code log} when {@code watched} (the process that should own it) exits.
     */
    void awaitName(String name, boolean present, Process watched, String who, Path log) {
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        while (System.nanoTime() < deadline) {
            if (nameHasOwner(name) == present) return;
            Process p = watched;
            if (present && p != null && !p.isAlive()) {
                throw new IllegalStateException(who + " exited with " + p.exitValue() + ":\n" + tail(log));
            }
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }
        throw new IllegalStateException(name + (present ? " did not appear" : " did not disappear") + " within " + START_TIMEOUT
                + (log != null ? ":\n" + tail(log) : ""));
    }

    /** What a child process did. */
    public record Result(int exitCode, String stdout, String stderr) {
    }

    /**
     * Runs a program with the fixture's environment plus {@code extraEnv}, feeding {@code stdin}
     * (or nothing), and waits at most {@code timeout} (then kills it and fails).
     */
    public Result run(List<String> command, String stdin, Duration timeout, Map<String, String> extraEnv) {
        ProcessBuilder pb = new ProcessBuilder(command);
        pb.environment().clear();
        pb.environment().putAll(env);
        pb.environment().putAll(extraEnv);
        try {
            Process p = track(pb.start());
            try {
                CompletableFuture<String> out = CompletableFuture.supplyAsync(() -> readAll(p.getInputStream()));
                CompletableFuture<String> err = CompletableFuture.supplyAsync(() -> readAll(p.getErrorStream()));
                try (OutputStream in = p.getOutputStream()) {
                    if (stdin != null) in.write(stdin.getBytes(StandardCharsets.UTF_8));
                }
                if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                    kill(p);
                    throw new IllegalStateException(command.get(0) + " did not finish within " + timeout);
                }
                return new Result(p.exitValue(), out.get(5, TimeUnit.SECONDS), err.get(5, TimeUnit.SECONDS));
            } finally {
                untrack(p);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("cannot read the output of " + command.get(0), e);
        }
    }

    /** {@link #run(List, String, Duration, Map)} without extra environment. */
    public Result run(List<String> command, String stdin, Duration timeout) {
        return run(command, stdin, timeout, Map.of());
    }

    /** Starts a long-running child (e.g. {@code dbus-monitor}) with the fixture's environment; it is killed by {@link #close()}. */
    public Process spawn(List<String> command, Path output) {
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(output.toFile());
        pb.environment().clear();
        pb.environment().putAll(env);
        try {
            return track(pb.start());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Starts a long-running child with the fixture's environment plus {@code extraEnv}, stdout and
     * stderr to {@code output}, stdin left open for the caller; it is killed by {@link #close()}
     * (or {@link #stop(Process)}).
     */
    Process spawn(List<String> command, Map<String, String> extraEnv, Path output) {
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(output.toFile());
        pb.environment().clear();
        pb.environment().putAll(env);
        pb.environment().putAll(extraEnv);
        try {
            return track(pb.start());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Stops a child started by this fixture (SIGTERM, then SIGKILL after 3 s) and forgets it. */
    void stop(Process p) {
        kill(p);
        untrack(p);
    }

    /** The last 4000 characters of a log file, for failure messages. */
    static String logTail(Path log) {
        return tail(log);
    }

    private static String readAll(java.io.InputStream in) {
        try {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "";
        }
    }

    /** Kills every process the fixture started and deletes its directory. Idempotent. */
    @Override
    public synchronized void close() {
        for (Process p : List.copyOf(owned)) kill(p);
        owned.clear();
        provider = null;
        deleteTree(dir);
    }

    private static void kill(Process p) {
        if (p == null) return;
        signal(p, "CONT");
        p.destroy();
        try {
            if (!p.waitFor(3, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                p.waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
        }
        LIVE.remove(p);
    }

    private static void deleteTree(Path dir) {
        if (dir == null || !Files.exists(dir)) return;
        try (Stream<Path> walk = Files.walk(dir)) {
            walk.sorted(Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.deleteIfExists(p);
                } catch (IOException ignored) {
                    // a socket the daemon is still closing; the next walk or the OS tmp cleaner gets it
                }
            });
        } catch (IOException ignored) {
            // best effort
        }
    }

    private static String tail(Path log) {
        if (log == null) return "";
        try {
            String s = Files.readString(log);
            return s.length() > 4000 ? s.substring(s.length() - 4000) : s;
        } catch (IOException e) {
            return "(no log: " + e.getMessage() + ")";
        }
    }

    private interface IoSupplier<T> {
        T get() throws IOException;
    }

    private static <T> T withTimeout(IoSupplier<T> body, Duration timeout, String what, Path log) {
        CompletableFuture<T> f = CompletableFuture.supplyAsync(() -> {
            try {
                return body.get();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
        try {
            return f.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            throw new IllegalStateException("timed out waiting for " + what + ":\n" + tail(log));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        } catch (ExecutionException e) {
            throw new IllegalStateException("failed waiting for " + what + ": " + e.getCause() + "\n" + tail(log));
        }
    }

    @Override
    public String toString() {
        return "SecretServiceFixture[" + busAddress + "]";
    }
}
