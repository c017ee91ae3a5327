package dev.keyring4j.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Real etcd servers for tests: one member or a cluster of several, each an {@code etcd} process
 * listening on free 127.0.0.1 ports with its data in a fresh temporary directory.
 *
 * <p>Guarantees: start-up waits (bounded) until every member answers {@code /health} and fails with
 * the members' logs when they do not; a member can be killed with SIGKILL ({@link #kill}) and
 * restarted on the same ports and data ({@link #restart}); {@link #enableAuth} turns on etcd's
 * authentication through {@code etcdctl}, after which {@link #etcdctl} runs as {@code root}; every
 * process is killed and the directory removed by {@link #close()}, and by a JVM shutdown hook if
 * the run dies first. {@link #singleWithTls()} serves clients over TLS with client certificates. Children get an explicit environment (no {@code ETCD*} variable of the
 * developer's leaks in). Under {@code CI=true} a missing {@code etcd} or {@code etcdctl} fails
 * ({@link Prerequisites}).
 */
public final class EtcdFixture implements AutoCloseable {
    private static final Duration START_TIMEOUT = Duration.ofSeconds(30);
    private static final Set<Process> LIVE = ConcurrentHashMap.newKeySet();

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> LIVE.forEach(Process::destroyForcibly), "etcd-fixture-reaper"));
    }

    private final Path etcd;
    private final Path etcdctl;
    private final Path dir;
    private final long quotaBytes;
    private final String token = "keyring4j-" + UUID.randomUUID();
    private final List<Member> members = new ArrayList<>();
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
    private volatile String rootPassword;
    /** With TLS: the directory holding ca.pem, server.pem/key, client.pem/key (PKCS#8); else null. */
    private Path tls;

    private record Member(String scheme, String name, int clientPort, int peerPort, Path data, Path log, Process[] process) {
        String clientUrl() {
            return scheme + "://127.0.0.1:" + clientPort;
        }

        String peerUrl() {
            return "http://127.0.0.1:" + peerPort;
        }
    }

    private EtcdFixture(Path etcd, Path etcdctl, Path dir, long quotaBytes) {
        this.etcd = etcd;
        this.etcdctl = etcdctl;
        this.dir = dir;
        this.quotaBytes = quotaBytes;
    }

    /** One member. */
    public static EtcdFixture single() {
        return start(1, 0);
    }

    /** Three members. */
    public static EtcdFixture cluster() {
        return start(3, 0);
    }

    /**
     * {@code size} members (1, 3, 5…); {@code quotaBytes} is etcd's {@code --quota-backend-bytes}
     * (0: etcd's default), small values let a test fill it.
     */
    public static EtcdFixture start(int size, long quotaBytes) {
        return start(size, quotaBytes, false);
    }

    /**
     * One member serving clients over TLS only ({@code https://}), requiring a client certificate:
     * a private CA, a server certificate for 127.0.0.1 and a client certificate are made with
     * {@code openssl} in the fixture's directory ({@link #tlsFile}).
     */
    public static EtcdFixture singleWithTls() {
        Prerequisites.requireProgram("openssl");
        return start(1, 0, true);
    }

    private static EtcdFixture start(int size, long quotaBytes, boolean withTls) {
        Path etcd = Prerequisites.requireProgram("etcd");
        Path ctl = Prerequisites.requireProgram("etcdctl");
        if (size < 1) throw new IllegalArgumentException("size " + size);
        Path dir;
        try {
            dir = Files.createTempDirectory("keyring4j-etcd-");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        EtcdFixture f = new EtcdFixture(etcd, ctl, dir, quotaBytes);
        try {
            if (withTls) f.tls = f.makeCertificates();
            List<Integer> ports = freePorts(2 * size);
            for (int i = 0; i < size; i++) {
                f.members.add(new Member(withTls ? "https" : "http", "m" + i, ports.get(2 * i), ports.get(2 * i + 1), dir.resolve("m" + i),
                        dir.resolve("m" + i + ".log"), new Process[1]));
            }
            for (int i = 0; i < size; i++) f.launch(i);
            for (int i = 0; i < size; i++) f.awaitHealthy(i);
            return f;
        } catch (RuntimeException | Error e) {
            f.close();
            throw e;
        }
    }

    private static List<Integer> freePorts(int n) {
        List<ServerSocket> held = new ArrayList<>();
        try {
            for (int i = 0; i < n; i++) held.add(new ServerSocket(0, 1, InetAddress.getLoopbackAddress()));
            return held.stream().map(ServerSocket::getLocalPort).collect(Collectors.toList());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            for (ServerSocket s : held) {
                try {
                    s.close();
                } catch (IOException ignored) {
                    // closing a probe socket
                }
            }
        }
    }

    private void launch(int i) {
        Member m = members.get(i);
        String cluster = members.stream().map(x -> x.name() + "=" + x.peerUrl()).collect(Collectors.joining(","));
        List<String> cmd = new ArrayList<>(List.of(etcd.toString(),
                "--name", m.name(), "--data-dir", m.data().toString(),
                "--listen-client-urls", m.clientUrl(), "--advertise-client-urls", m.clientUrl(),
                "--listen-peer-urls", m.peerUrl(), "--initial-advertise-peer-urls", m.peerUrl(),
                "--initial-cluster", cluster, "--initial-cluster-token", token, "--initial-cluster-state", "new",
                // short elections: a killed leader is replaced in about a second
                "--heartbeat-interval", "50", "--election-timeout", "500",
                "--logger", "zap", "--log-outputs", "stderr"));
        if (quotaBytes > 0) cmd.addAll(List.of("--quota-backend-bytes", Long.toString(quotaBytes)));
        if (tls != null) {
            cmd.addAll(List.of("--cert-file", tlsFile("server.pem").toString(), "--key-file", tlsFile("server.key").toString(),
                    "--trusted-ca-file", tlsFile("ca.pem").toString(), "--client-cert-auth"));
        }
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(m.log().toFile()));
        pb.environment().clear();
        pb.environment().putAll(Map.of("PATH", "/usr/local/bin:/usr/bin:/bin", "HOME", dir.toString()));
        try {
            Process p = pb.start();
            LIVE.add(p);
            m.process()[0] = p;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + etcd, e);
        }
    }

    private void awaitHealthy(int i) {
        Member m = members.get(i);
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        while (System.nanoTime() < deadline) {
            Process p = m.process()[0];
            if (p != null && !p.isAlive()) throw new IllegalStateException("etcd member " + m.name() + " exited (" + p.exitValue() + "):\n" + log(i));
            if (tls != null) {
                if (etcdctlAt(m.clientUrl(), "endpoint", "health").exit() == 0) return;
                sleep(200);
                continue;
            }
            try {
                HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(m.clientUrl() + "/health"))
                        .timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.ofString());
                if (r.statusCode() == 200 && r.body().contains("\"true\"")) return;
            } catch (IOException e) {
                // not listening yet
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted", e);
            }
            sleep(100);
        }
        throw new IllegalStateException("etcd member " + m.name() + " not healthy after " + START_TIMEOUT + ":\n" + log(i));
    }

    /** The number of members. */
    public int size() {
        return members.size();
    }

    /** Every member's client URL, comma-separated: the value of {@code etcd.endpoints}. */
    public String endpoints() {
        return members.stream().map(Member::clientUrl).collect(Collectors.joining(","));
    }

    /** The client URL of member {@code i}. */
    public String clientUrl(int i) {
        return members.get(i).clientUrl();
    }

    /** The fixture's private directory (data dirs and logs); tests may put files there. */
    public Path directory() {
        return dir;
    }

    /** Kills member {@code i} with SIGKILL and waits until it is gone. */
    public void kill(int i) {
        Process p = members.get(i).process()[0];
        if (p == null) return;
        p.destroyForcibly(); // SIGKILL on Linux
        try {
            if (!p.waitFor(10, TimeUnit.SECONDS)) throw new IllegalStateException("etcd member " + i + " survived SIGKILL");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        LIVE.remove(p);
        members.get(i).process()[0] = null;
    }

    /** Starts member {@code i} again (same ports, same data) and waits until it is healthy. */
    public void restart(int i) {
        if (running(i)) return;
        launch(i);
        awaitHealthy(i);
    }

    /** Whether member {@code i} is running. */
    public boolean running(int i) {
        Process p = members.get(i).process()[0];
        return p != null && p.isAlive();
    }

    /** The OS process id of member {@code i}. */
    public long pid(int i) {
        return members.get(i).process()[0].pid();
    }

    /** What member {@code i} logged. */
    public String log(int i) {
        try {
            return Files.readString(members.get(i).log(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "(no log: " + e.getMessage() + ")";
        }
    }

    /**
     * Turns on etcd authentication: adds {@code root} with {@code rootPassword}, grants it the root
     * role and runs {@code etcdctl auth enable}. From then on {@link #etcdctl} runs as root.
     */
    public void enableAuth(String rootPassword) {
        etcdctl("user", "add", "root:" + rootPassword);
        etcdctl("user", "grant-role", "root", "root");
        etcdctl("auth", "enable");
        this.rootPassword = rootPassword;
    }

    /** Adds a user with one role that may {@code permission} ({@code read}, {@code write}, {@code readwrite}) keys under {@code prefix}. */
    public void addUser(String user, String password, String permission, String prefix) {
        String role = user + "-role";
        etcdctl("role", "add", role);
        etcdctl("role", "grant-permission", role, "--prefix=true", permission, prefix);
        etcdctl("user", "add", user + ":" + password);
        etcdctl("user", "grant-role", user, role);
    }

    /** Runs {@code etcdctl} (API v3) against every member; fails with its output unless it exits 0; returns stdout. */
    public String etcdctl(String... args) {
        Result r = etcdctlResult(args);
        if (r.exit() != 0) throw new IllegalStateException("etcdctl " + String.join(" ", args) + " exited " + r.exit() + ": " + r.output());
        return r.output();
    }

    /** What a run of {@code etcdctl} said: its exit status and its output (stdout and stderr together). */
    public record Result(int exit, String output) {
    }

    /** Runs {@code etcdctl} (API v3) against the running members and returns its status and output. */
    public Result etcdctlResult(String... args) {
        List<String> running = new ArrayList<>();
        for (int i = 0; i < members.size(); i++) if (running(i)) running.add(clientUrl(i));
        return etcdctlAt(String.join(",", running), args);
    }

    private Result etcdctlAt(String endpoints, String... args) {
        List<String> cmd = new ArrayList<>(List.of(etcdctl.toString(), "--endpoints=" + endpoints, "--dial-timeout=3s",
                "--command-timeout=10s"));
        if (tls != null) {
            cmd.addAll(List.of("--cacert=" + tlsFile("ca.pem"), "--cert=" + tlsFile("client.pem"), "--key=" + tlsFile("client.key")));
        }
        if (rootPassword != null) cmd.add("--user=root:" + rootPassword);
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.environment().clear();
        pb.environment().putAll(Map.of("PATH", "/usr/local/bin:/usr/bin:/bin", "HOME", dir.toString(), "ETCDCTL_API", "3"));
        try {
            Process p = pb.start();
            p.getOutputStream().close();
            byte[] out = p.getInputStream().readAllBytes();
            if (!p.waitFor(30, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IllegalStateException("etcdctl " + String.join(" ", args) + " did not exit in 30 s");
            }
            return new Result(p.exitValue(), new String(out, StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    /** A file of the TLS material ({@code ca.pem}, {@code server.pem}, {@code server.key}, {@code client.pem}, {@code client.key}). */
    public Path tlsFile(String name) {
        if (tls == null) throw new IllegalStateException("this fixture has no TLS");
        return tls.resolve(name);
    }

    private Path makeCertificates() {
        Path t = dir.resolve("tls");
        try {
            Files.createDirectories(t);
            Files.writeString(t.resolve("server.ext"), "subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth\n");
            Files.writeString(t.resolve("client.ext"), "extendedKeyUsage=clientAuth\n");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        openssl(t, "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", "ca.key", "-out", "ca.pem",
                "-days", "2", "-subj", "/CN=keyring4j test CA");
        for (String who : List.of("server", "client")) {
            openssl(t, "req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", who + ".key", "-out", who + ".csr",
                    "-subj", "/CN=" + (who.equals("server") ? "127.0.0.1" : "keyring4j-test-client"));
            openssl(t, "x509", "-req", "-in", who + ".csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial", "-out", who + ".pem",
                    "-days", "2", "-extfile", who + ".ext");
        }
        return t;
    }

    private static void openssl(Path cwd, String... args) {
        List<String> cmd = new ArrayList<>();
        cmd.add("openssl");
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(cwd.toFile()).redirectErrorStream(true);
        pb.environment().clear();
        pb.environment().put("PATH", "/usr/local/bin:/usr/bin:/bin");
        try {
            Process p = pb.start();
            p.getOutputStream().close();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) throw new IllegalStateException("openssl " + String.join(" ", args) + ": " + out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    /** Kills every member and removes the directory. */
    @Override
    public void close() {
        for (int i = 0; i < members.size(); i++) kill(i);
        try (Stream<Path> s = Files.walk(dir)) {
            s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            // a leftover temp directory is harmless
        }
    }

    @Override
    public String toString() {
        return "EtcdFixture[" + endpoints() + "]";
    }
}
