package dev.keyring4j.bench;

import dev.keyring4j.CredentialId;
import dev.keyring4j.CredentialStore;
import dev.keyring4j.Secret;
import dev.keyring4j.kernel.KernelKeyringProvider;
import dev.keyring4j.spi.BackendConfig;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * The kernel backend's get, set and set+delete, beside the same operations done by running the
 * {@code keyctl} program in a subprocess (the route an application without this library takes).
 * python3-keyutils, the C-extension peer, runs in {@code bench/kernel-peers.sh}, which prints the
 * ratios. Each run uses its own namespace keyring ({@code -p namespace=…}), emptied afterwards.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class KernelBench {
    private static final String SERVICE = "bench.example.com";

    @Param("keyring4j-bench")
    public String namespace;

    private CredentialStore store;
    private Secret value;
    private byte[] valueBytes;
    private String serviceKeyring;

    @Setup
    public void setUp() throws IOException, InterruptedException {
        store = new KernelKeyringProvider().probe(BackendConfig.of("kernel", Map.of("namespace", namespace), Map.of())).open();
        valueBytes = "ghp_0123456789abcdefghijklmnopqrstuvwxyz".getBytes(StandardCharsets.UTF_8);
        value = Secret.of(valueBytes);
        store.set(SERVICE, "alice", value);
        store.set(SERVICE, "keep", value); // the service keyring stays while set+delete empties "tmp"
        String ns = keyctl("search", "@u", "keyring", namespace).trim();
        serviceKeyring = keyctl("search", ns, "keyring", SERVICE).trim();
    }

    private String aliceKey;

    /** Our set() replaces the key (new id), so the subprocess get looks the id up before each iteration. */
    @Setup(org.openjdk.jmh.annotations.Level.Iteration)
    public void findAlice() throws IOException, InterruptedException {
        aliceKey = keyctl("search", serviceKeyring, "user", "alice").trim();
    }

    @TearDown
    public void tearDown() {
        for (CredentialId id : store.list()) store.delete(id.service(), id.account());
        store.close();
    }

    @Benchmark
    public Optional<Secret> get() {
        return store.get(SERVICE, "alice");
    }

    @Benchmark
    public void set() {
        store.set(SERVICE, "alice", value);
    }

    @Benchmark
    public boolean setThenDelete() {
        store.set(SERVICE, "tmp", value);
        return store.delete(SERVICE, "tmp");
    }

    /** The cheapest subprocess get: the key id already known, one {@code keyctl pipe} (a lower bound for that route). */
    @Benchmark
    public byte[] keyctlSubprocessGet() throws IOException, InterruptedException {
        return run(null, "keyctl", "pipe", aliceKey);
    }

    @Benchmark
    public byte[] keyctlSubprocessSet() throws IOException, InterruptedException {
        return run(valueBytes, "keyctl", "padd", "user", "alice", serviceKeyring);
    }

    @Benchmark
    public byte[] keyctlSubprocessSetThenDelete() throws IOException, InterruptedException {
        String id = new String(run(valueBytes, "keyctl", "padd", "user", "tmp", serviceKeyring), StandardCharsets.US_ASCII).trim();
        return run(null, "keyctl", "unlink", id, serviceKeyring);
    }

    private static String keyctl(String... args) throws IOException, InterruptedException {
        String[] cmd = new String[args.length + 1];
        cmd[0] = "keyctl";
        System.arraycopy(args, 0, cmd, 1, args.length);
        return new String(run(null, cmd), StandardCharsets.UTF_8);
    }

    private static byte[] run(byte[] stdin, String... cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        try (var in = p.getOutputStream()) {
            if (stdin != null) in.write(stdin);
        }
        byte[] out = p.getInputStream().readAllBytes();
        if (p.waitFor() != 0) throw new IOException(String.join(" ", cmd) + " failed");
        return out;
    }
}
