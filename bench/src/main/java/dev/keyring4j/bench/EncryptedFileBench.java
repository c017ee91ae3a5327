package dev.keyring4j.bench;

import dev.keyring4j.CredentialId;
import dev.keyring4j.CredentialStore;
import dev.keyring4j.Secret;
import dev.keyring4j.encryptedfile.EncryptedFileProvider;
import dev.keyring4j.encryptedfile.EncryptedFileStore;
import dev.keyring4j.spi.BackendConfig;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
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
 * The encrypted file store with 10, 1 000 and 10 000 entries: {@code get}, {@code set} (overwrite of
 * an existing entry: one record appended to the journal and fdatasync'd, and once the journal holds
 * 256 records, or one per 8 entries in a larger store, a rewrite of the file), {@code open} (a new
 * store instance's first read: unlock, checksum, MAC, entries, journal; with {@code journalRecords}
 * sets made after the last rewrite, so that an open replays that many records), {@code appendFloor}: one durable append of a record of the journal's size
 * (O_APPEND write + fdatasync), the least any durable write costs, and {@code floor}: writing a file
 * of the store's size with fsync + rename + directory fsync, the least a durable rewrite costs.
 * Run by {@code bench/encryptedfile-peers.sh} beside Python keyrings.alt.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
@Fork(1)
public class EncryptedFileBench {
    @Param({"10", "1000", "10000"})
    public int entries;

    @Param({"keyfile"})
    public String protection;

    /** Sets made after the compaction in the set-up: the journal an open replays (the store compacts once it holds max(256, entries/8)). */
    @Param({"0"})
    public int journalRecords;

    private Path dir;
    private BackendConfig config;
    private EncryptedFileStore store;
    private final List<CredentialId> ids = new ArrayList<>();
    private int next;
    private byte[] floorContent;
    private Path floorFile;
    private FileChannel appendFloor;
    private final byte[] record = new byte[160];
    private final Secret value = Secret.of("a-32-byte-secret-value-for-bench");

    @Setup(Level.Trial)
    public void setup() throws IOException {
        dir = Files.createTempDirectory("k4j-bench");
        Map<String, String> env = new HashMap<>();
        env.put("HOME", dir.toString());
        env.put("PATH", System.getenv().getOrDefault("PATH", "/usr/bin:/bin"));
        env.put("KEYRING4J_PASSPHRASE", "bench passphrase");
        Map<String, String> settings = Map.of("protection", protection,
                "path", dir.resolve("data/credentials.k4j").toString(),
                "keyfile", dir.resolve("config/credentials.key").toString());
        config = BackendConfig.of(EncryptedFileProvider.ID, settings, env);
        store = (EncryptedFileStore) new EncryptedFileProvider().probe(config).open();
        Map<CredentialId, Secret> all = new LinkedHashMap<>();
        for (int i = 0; i < entries; i++) {
            CredentialId id = new CredentialId("bench.service" + i % 50, "account" + i);
            ids.add(id);
            all.put(id, value);
        }
        store.setAll(all);
        floorContent = new byte[(int) Files.size(store.path())];
        new SplittableRandom(1).nextBytes(floorContent);
        floorFile = dir.resolve("data/floor");
        store.compact();
        for (int i = 0; i < journalRecords; i++) {
            CredentialId id = nextId();
            store.set(id.service(), id.account(), value);
        }
        new SplittableRandom(2).nextBytes(record);
        appendFloor = FileChannel.open(dir.resolve("data/append-floor"), StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.APPEND);
        System.out.println("\nstore file: " + Files.size(store.path()) + " bytes for " + entries + " entries");
    }

    @TearDown(Level.Trial)
    public void tearDown() throws IOException {
        store.close();
        appendFloor.close();
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
        }
    }

    private CredentialId nextId() {
        next = (next + 7919) % entries;
        return ids.get(next);
    }

    @Benchmark
    public Optional<Secret> get() {
        CredentialId id = nextId();
        return store.get(id.service(), id.account());
    }

    @Benchmark
    public void set() {
        CredentialId id = nextId();
        store.set(id.service(), id.account(), value);
    }

    @Benchmark
    public Optional<Secret> open() {
        try (CredentialStore s = new EncryptedFileProvider().probe(config).open()) { // probe and open, as Keyring.open does
            return s.get(ids.get(0).service(), ids.get(0).account());
        }
    }

    /** One small durable append, as the journal does it (the channel stays open; reopening it each time costs a few microseconds more). */
    @Benchmark
    public void appendFloor() throws IOException {
        ByteBuffer b = ByteBuffer.wrap(record);
        while (b.hasRemaining()) appendFloor.write(b);
        appendFloor.force(false);
    }

    @Benchmark
    public void floor() throws IOException {
        Path tmp = floorFile.resolveSibling("floor.tmp");
        try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
            ByteBuffer b = ByteBuffer.wrap(floorContent);
            while (b.hasRemaining()) ch.write(b);
            ch.force(true);
        }
        Files.move(tmp, floorFile, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        try (FileChannel d = FileChannel.open(floorFile.getParent(), StandardOpenOption.READ)) {
            d.force(true);
        }
    }
}
