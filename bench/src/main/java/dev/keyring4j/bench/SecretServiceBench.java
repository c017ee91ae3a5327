package dev.keyring4j.bench;

import dev.keyring4j.CredentialStore;
import dev.keyring4j.Secret;
import dev.keyring4j.secretservice.SecretServiceProvider;
import dev.keyring4j.spi.BackendConfig;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * get and set through the {@code secret-service} backend against whatever Secret Service
 * {@code DBUS_SESSION_BUS_ADDRESS} names. Run by {@code bench/secretservice-peers.sh}, which starts a
 * private gnome-keyring and runs the peers (Python keyring, secretstorage, secret-tool, libsecret)
 * against the same one; never point it at your own keyring (it writes {@code bench.*} items).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class SecretServiceBench {
    static final String SERVICE = "bench.secretservice";
    static final String ACCOUNT = "alice";

    private CredentialStore store;
    private Secret value;

    @Setup(Level.Trial)
    public void open() {
        store = new SecretServiceProvider().probe(BackendConfig.of("secret-service", Map.of(), System.getenv())).open();
        value = Secret.of("bench-secret-value-0123456789");
        store.set(SERVICE, ACCOUNT, value);
    }

    @TearDown(Level.Trial)
    public void close() {
        store.close();
    }

    @Benchmark
    public Optional<Secret> get() {
        return store.get(SERVICE, ACCOUNT);
    }

    @Benchmark
    public void set() {
        store.set(SERVICE, ACCOUNT, value);
    }
}
