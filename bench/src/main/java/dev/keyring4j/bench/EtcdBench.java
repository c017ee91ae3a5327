package dev.keyring4j.bench;

import dev.keyring4j.CredentialStore;
import dev.keyring4j.Keyring;
import dev.keyring4j.KeyringConfig;
import dev.keyring4j.Secret;
import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.KV;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * keyring4j's etcd store against the raw jetcd client on the same cluster ({@code -p endpoints=URL;URL;URL}: JMH splits parameter values at commas,
 * started by {@code bench/etcd-peers.sh}): {@code get} of a 32-byte secret (keyring4j: PRF of the
 * names, a linearizable range read, AES-GCM decryption; raw: the range read alone) and {@code set}
 * (keyring4j: encryption and one transaction guarded by the keyset revision; raw: one put). The
 * difference is the cost of the envelope.
 */
@State(Scope.Benchmark)
@BenchmarkMode({Mode.AverageTime, Mode.Throughput})
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 3, time = 3)
@Fork(1)
public class EtcdBench {
    @Param({""})
    public String endpoints;

    private Path home;
    private CredentialStore store;
    private Client raw;
    private KV kv;
    private final Secret secret = Secret.of("a-32-byte-secret-value-for-bench");
    private final ByteSequence rawKey = ByteSequence.from("/bench-raw/" + UUID.randomUUID(), StandardCharsets.UTF_8);
    private final ByteSequence rawValue = ByteSequence.from(new byte[32 + 50]); // about the envelope's plaintext

    @Setup(Level.Trial)
    public void setUp() throws Exception {
        if (endpoints.isEmpty()) throw new IllegalStateException("run with -p endpoints=http://127.0.0.1:2379;… (bench/etcd-peers.sh does)");
        String endpoints = this.endpoints.replace(';', ',');
        home = Files.createTempDirectory("k4j-etcd-bench");
        store = Keyring.open(KeyringConfig.builder().backend("etcd").set("etcd.endpoints", endpoints)
                .set("etcd.prefix", "/bench-" + UUID.randomUUID() + "/").set("etcd.keyfile", home.resolve("etcd.key").toString()).build());
        store.set("bench.service", "account", secret);
        raw = Client.builder().endpoints(endpoints.split(",")).build();
        kv = raw.getKVClient();
        kv.put(rawKey, rawValue).get(10, TimeUnit.SECONDS);
    }

    @TearDown(Level.Trial)
    public void tearDown() throws Exception {
        store.close();
        raw.close();
        try (var s = Files.walk(home)) {
            s.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    @Benchmark
    public Optional<Secret> keyring4jGet() {
        return store.get("bench.service", "account");
    }

    @Benchmark
    public void keyring4jSet() {
        store.set("bench.service", "account", secret);
    }

    @Benchmark
    public Object rawGet() throws Exception {
        return kv.get(rawKey).get(10, TimeUnit.SECONDS);
    }

    @Benchmark
    public Object rawSet() throws Exception {
        return kv.put(rawKey, rawValue).get(10, TimeUnit.SECONDS);
    }
}
