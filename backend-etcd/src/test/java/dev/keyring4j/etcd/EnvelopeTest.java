package dev.keyring4j.etcd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.keyring4j.CredentialEvent;
import dev.keyring4j.CredentialId;
import dev.keyring4j.Secret;
import dev.keyring4j.StoreCorruptedException;
import dev.keyring4j.Subscription;
import dev.keyring4j.internal.CredentialWatcher;
import dev.keyring4j.spi.Availability;
import dev.keyring4j.spi.BackendConfig;
import dev.keyring4j.spi.Candidate;
import dev.keyring4j.testkit.EtcdFixture;
import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.KeyValue;
import io.etcd.jetcd.options.GetOption;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What the servers see and what tampering does, on one real etcd member: no name or secret in clear
 * in etcdctl's view or in a snapshot, a changed byte or a value moved to another key path is
 * StoreCorruptedException, a lease never cuts a ttl short, rotation re-encrypts while another
 * instance keeps working, the probe says which member answered, and a watch whose missed revisions
 * were compacted away says RESYNC and goes on.
 */
class EnvelopeTest {
    private static EtcdFixture etcd;
    private static Client raw;

    @TempDir
    Path home;

    @BeforeAll
    static void start() {
        etcd = EtcdFixture.single();
        raw = Client.builder().endpoints(etcd.endpoints().split(",")).build();
    }

    @AfterAll
    static void stop() {
        if (raw != null) raw.close();
        if (etcd != null) etcd.close();
    }

    private static ByteSequence bs(String s) {
        return ByteSequence.from(s, StandardCharsets.UTF_8);
    }

    private static List<KeyValue> entries(String prefix) throws Exception {
        return raw.getKVClient().get(bs(prefix + "e/"), GetOption.builder().isPrefix(true).build()).get(10, TimeUnit.SECONDS).getKvs();
    }

    @Test
    void serversSeeNoNameAndNoSecret() throws Exception {
        String prefix = Stores.freshPrefix();
        try (EtcdStore s = Stores.open(etcd, home, prefix)) {
            s.set("payroll-db.example", "alice-admin", Secret.of("hunter2-SECRET-9f3"));
            s.set("payroll-db.example", "bob-reader", Secret.of("s3cr3t-value-bob"), Duration.ofMinutes(5));
        }
        String dump = etcd.etcdctl("get", "--prefix", "");
        assertTrue(dump.contains(prefix + "keyset"), "etcdctl sees the keys: " + dump.length() + " chars");
        Path snap = etcd.directory().resolve("snap.db");
        etcd.etcdctl("snapshot", "save", snap.toString());
        String snapshot = new String(Files.readAllBytes(snap), StandardCharsets.ISO_8859_1);
        for (String clear : List.of("payroll", "alice", "bob-reader", "hunter2", "s3cr3t")) {
            assertFalse(dump.contains(clear), "etcdctl get --prefix \"\" shows " + clear);
            assertFalse(snapshot.contains(clear), "the snapshot holds " + clear);
        }
        assertEquals(2, entries(prefix).size(), "two entries, at hashed paths");
    }

    @Test
    void aChangedByteIsCorruption() throws Exception {
        String prefix = Stores.freshPrefix();
        try (EtcdStore s = Stores.open(etcd, home, prefix)) {
            s.set("svc", "acct", Secret.of("tamper-target-7Qx"));
            KeyValue e = entries(prefix).get(0);
            byte[] v = e.getValue().getBytes();
            v[v.length / 2] ^= 0x01;
            raw.getKVClient().put(e.getKey(), ByteSequence.from(v)).get(10, TimeUnit.SECONDS);
            StoreCorruptedException x = assertThrows(StoreCorruptedException.class, () -> s.get("svc", "acct"));
            assertTrue(x.getMessage().contains(e.getKey().toString(StandardCharsets.UTF_8)), x.getMessage());
            assertFalse(x.getMessage().contains("tamper-target"), "no secret in the message");
            assertThrows(StoreCorruptedException.class, s::list, "list never skips an entry it cannot read");
        }
    }

    @Test
    void aValueCopiedToAnotherKeyPathIsDetected() throws Exception {
        String prefix = Stores.freshPrefix();
        try (EtcdStore s = Stores.open(etcd, home, prefix)) {
            s.set("svc", "victim", Secret.of("victim-secret"));
            KeyValue victim = entries(prefix).get(0);
            s.set("svc", "attacker", Secret.of("attacker-secret"));
            KeyValue attacker = entries(prefix).stream().filter(k -> !k.getKey().equals(victim.getKey())).findFirst().orElseThrow();
            // the attacker's ciphertext put where the victim's entry is
            raw.getKVClient().put(victim.getKey(), attacker.getValue()).get(10, TimeUnit.SECONDS);
            assertThrows(StoreCorruptedException.class, () -> s.get("svc", "victim"));
            // and a value moved into another store's prefix (same key file) does not open there either
            String other = Stores.freshPrefix();
            try (EtcdStore t = Stores.open(etcd, home, other)) {
                t.set("svc", "attacker", Secret.of("x"));
                KeyValue there = entries(other).get(0);
                raw.getKVClient().put(there.getKey(), attacker.getValue()).get(10, TimeUnit.SECONDS);
                assertThrows(StoreCorruptedException.class, () -> t.get("svc", "attacker"), "another keyset id: the value is bound to its own");
            }
        }
    }

    @Test
    void leaseRoundsUpAndNeverCutsTheTtlShort() throws Exception {
        assertEquals(2, EtcdStore.leaseSeconds(Duration.ofSeconds(1)));
        assertEquals(3, EtcdStore.leaseSeconds(Duration.ofMillis(1001)));
        assertEquals(2, EtcdStore.leaseSeconds(Duration.ofMillis(5)));
        assertEquals(3601, EtcdStore.leaseSeconds(Duration.ofHours(1)));
        try (EtcdStore s = Stores.open(etcd, home, Stores.freshPrefix())) {
            // write at x.990 s, the worst place for a store that counted whole seconds from the wall clock
            while (System.currentTimeMillis() % 1000 < 990) Thread.sleep(1);
            s.set("ttl", "edge", Secret.of("v"), Duration.ofSeconds(1));
            long written = System.nanoTime();
            long until = written + TimeUnit.MILLISECONDS.toNanos(950);
            while (System.nanoTime() < until) Thread.sleep(10);
            assertTrue(s.get("ttl", "edge").isPresent(), "present 950 ms after a 1 s ttl was written at a second's end");
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (s.get("ttl", "edge").isPresent() && System.nanoTime() < deadline) Thread.sleep(100);
            assertTrue(s.get("ttl", "edge").isEmpty(), "expired by the server within 10 s");
        }
    }

    @Test
    void rotationReencryptsWhileAnotherInstanceKeepsWorking() throws Exception {
        String prefix = Stores.freshPrefix();
        try (EtcdStore a = Stores.open(etcd, home, prefix); EtcdStore b = Stores.open(etcd, home, prefix)) {
            for (int i = 0; i < 5; i++) a.set("rot", "acct" + i, Secret.of("v" + i));
            a.set("rot", "leased", Secret.of("short"), Duration.ofMinutes(10));
            assertEquals("v0", b.get("rot", "acct0").orElseThrow().asString(), "b holds the old keyset now");
            Map<String, ByteSequence> before = new java.util.HashMap<>();
            for (KeyValue e : entries(prefix)) before.put(e.getKey().toString(StandardCharsets.UTF_8), e.getValue());
            long leaseBefore = entries(prefix).stream().mapToLong(KeyValue::getLease).max().orElseThrow();

            assertEquals(6, a.rotate());

            Set<String> keysAfter = new HashSet<>();
            for (KeyValue e : entries(prefix)) {
                String k = e.getKey().toString(StandardCharsets.UTF_8);
                keysAfter.add(k);
                assertNotEquals(before.get(k), e.getValue(), "re-encrypted: " + k);
            }
            assertEquals(before.keySet(), keysAfter, "the key paths stay");
            assertEquals(leaseBefore, entries(prefix).stream().mapToLong(KeyValue::getLease).max().orElseThrow(), "the lease stays attached");
            // b still has the retired keyset: it re-reads it on the first value it cannot open, and on its next write
            assertEquals("v3", b.get("rot", "acct3").orElseThrow().asString());
            b.set("rot", "after", Secret.of("written by b"));
            assertEquals("written by b", a.get("rot", "after").orElseThrow().asString());
            assertEquals(7, a.list("rot").size());
        }
    }

    @Test
    void probeSaysWhichMemberAnsweredAndTheClusterId() {
        BackendConfig c = Stores.config(etcd, home, Stores.freshPrefix());
        Candidate cand = new EtcdProvider().probe(c);
        assertTrue(cand.availability().isAvailable(), cand.availability().reason());
        String r = cand.availability().reason();
        assertTrue(r.contains(etcd.clientUrl(0)) && r.contains("answered") && r.contains("cluster id") && r.contains("keyfile"), r);
        cand.discard();
    }

    @Test
    void notConfiguredIsUnavailableAndADeadClusterIsIndeterminate() throws Exception {
        Candidate none = new EtcdProvider().probe(BackendConfig.of(EtcdProvider.ID, Map.of(), Stores.env(home)));
        assertEquals(Availability.State.UNAVAILABLE, none.availability().state());
        assertTrue(none.availability().reason().contains("etcd.endpoints"), none.availability().reason());

        int dead;
        try (java.net.ServerSocket ss = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            dead = ss.getLocalPort();
        }
        BackendConfig c = BackendConfig.of(EtcdProvider.ID, Map.of("endpoints", "http://127.0.0.1:" + dead, "timeout", "PT1S",
                "keyfile", home.resolve("k").toString()), Stores.env(home));
        Candidate cand = new EtcdProvider().probe(c);
        assertEquals(Availability.State.INDETERMINATE, cand.availability().state(), cand.availability().reason());
        assertTrue(cand.availability().reason().contains("127.0.0.1:" + dead), cand.availability().reason());
    }

    @Test
    void theKeyFileIsCreated0600AndAUserWithoutPasswordIsAConfigurationError() throws Exception {
        try (EtcdStore s = Stores.open(etcd, home, Stores.freshPrefix())) {
            s.set("k", "f", Secret.of("x"));
        }
        Path keyfile = home.resolve("config/keyring4j/etcd.key");
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(keyfile)));
        assertEquals(32, Files.size(keyfile));
        assertThrows(dev.keyring4j.ConfigurationException.class,
                () -> new EtcdProvider().probe(Stores.config(etcd, home, "/x/", "user", "app")));
    }

    /**
     * The one watch path no cluster fault reaches deterministically: a stream that resumes from a
     * revision etcd has compacted away. The watch is started at such a revision on purpose; it must
     * start again from now, send RESYNC, and report the next change.
     */
    @Test
    void aWatchWhoseMissedRevisionsWereCompactedSaysResyncAndGoesOn() throws Exception {
        String prefix = Stores.freshPrefix();
        CredentialId id = new CredentialId("db.example.com", "app");
        try (EtcdStore s = Stores.open(etcd, home, prefix)) {
            s.set(id.service(), id.account(), Secret.of("one"));
            long seen = revision(prefix);
            s.set(id.service(), id.account(), Secret.of("two"));
            s.set(id.service(), id.account(), Secret.of("three"));
            raw.getKVClient().compact(revision(prefix)).get(10, TimeUnit.SECONDS);

            LinkedBlockingQueue<CredentialEvent> events = new LinkedBlockingQueue<>();
            CredentialWatcher watcher = new CredentialWatcher(EtcdProvider.ID, CredentialWatcher.secretsOf(s), CredentialWatcher.none());
            try (Subscription sub = watcher.watch(id.service(), id.account(), events::add);
                 EntryWatch watch = new EntryWatch(raw, prefix + "e/", seen, watcher, key -> id)) {
                assertEquals(new CredentialEvent(id, CredentialEvent.Kind.RESYNC), events.poll(5, TimeUnit.SECONDS),
                        "the revisions after " + seen + " are compacted: events may have been missed");
                s.set(id.service(), id.account(), Secret.of("four"));
                assertEquals(new CredentialEvent(id, CredentialEvent.Kind.CHANGED), events.poll(2, TimeUnit.SECONDS), "watching goes on");
            }
        }
    }

    private static long revision(String prefix) throws Exception {
        return raw.getKVClient().get(bs(prefix + "keyset")).get(10, TimeUnit.SECONDS).getHeader().getRevision();
    }
}
