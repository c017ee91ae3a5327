package dev.keyring4j.testkit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.keyring4j.Credential;
import dev.keyring4j.CredentialEvent;
import dev.keyring4j.Subscription;
import dev.keyring4j.CredentialId;
import dev.keyring4j.CredentialStore;
import dev.keyring4j.ReadOnlyStoreException;
import dev.keyring4j.Secret;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The behaviour every {@link CredentialStore} promises, as JUnit 5 tests. A backend's test class
 * extends this and supplies stores; a read-only backend also says how to provision credentials
 * through its own mechanism ({@link #openStoreHolding}). Nothing here is skipped: for a read-only
 * store each write test checks that the write is refused and changes nothing.
 *
 * <p>Property tests use {@link PropertyCheck}: rerun a failure with {@code -Dkeyring4jtest.seed=…}.
 */
public abstract class CredentialStoreContract {
    private final List<CredentialStore> opened = new ArrayList<>();

    /** A new, empty store (for a read-only backend: one with nothing provisioned). */
    protected abstract CredentialStore openStore() throws Exception;

    /**
     * A store that holds exactly these credentials. Writable backends need not override (the
     * default sets them through {@link #openStore()}); read-only backends provision them through
     * their own mechanism (environment map, files) and open a store over it.
     */
    protected CredentialStore openStoreHolding(Map<CredentialId, byte[]> credentials) throws Exception {
        CredentialStore store = openStore();
        if (!store.capabilities().writable()) {
            throw new UnsupportedOperationException(getClass().getSimpleName()
                    + " tests a read-only store: override openStoreHolding to provision credentials");
        }
        credentials.forEach((id, secret) -> store.set(id.service(), id.account(), Secret.of(secret)));
        return store;
    }

    /**
     * A store holding {@code credentials} and, beside them, entries the backend refuses to read
     * (provisioned through its own mechanism: a credential file linked to {@code /dev/zero}, a
     * {@code _FILE} naming a FIFO, an unreadable key); empty (the default) for a backend that cannot
     * hold such entries. {@link #everyListedIdCanBeRead} checks that list never names one of them.
     */
    protected Optional<CredentialStore> openStoreWithUnreadableEntries(Map<CredentialId, byte[]> credentials) throws Exception {
        return Optional.empty();
    }

    /** The largest secret the backend holds, if it documents a limit; one byte more must be refused. */
    protected OptionalInt secretLimit() {
        return OptionalInt.empty();
    }

    /** Whether the backend can tell two ids apart (a lossy name mapping, like environment variables, cannot always). */
    protected boolean distinguishes(CredentialId a, CredentialId b) {
        return !a.equals(b);
    }

    /** Whether the backend accepts this name (some document limits, e.g. byte lengths); refused names must throw IllegalArgumentException. */
    protected boolean accepts(CredentialId id) {
        return true;
    }

    /** Whether the backend can hold this secret (a read-only source of text may not hold arbitrary bytes). */
    protected boolean holds(byte[] secret) {
        return true;
    }

    /** Whether the secret is valid UTF-8 without NUL: what a source of text (an environment, a command's output) can hold. */
    protected static boolean isTextWithoutNul(byte[] secret) {
        for (byte b : secret) if (b == 0) return false;
        try {
            java.nio.charset.StandardCharsets.UTF_8.newDecoder().decode(java.nio.ByteBuffer.wrap(secret));
            return true;
        } catch (java.nio.charset.CharacterCodingException e) {
            return false;
        }
    }

    /** How many tries each property runs (slow backends may lower it; {@code -Dkeyring4jtest.tries} overrides). */
    protected int propertyTries() {
        return 200;
    }

    /** Operations per thread in the concurrency test (8 threads). */
    protected int operationsPerThread() {
        return 500;
    }

    /**
     * Writes {@code secret} under {@code id} as another writer would (another handle on the same
     * store, another process, the backend's own mechanism), for the watch rules. The default writes
     * through {@code watched} itself; a read-only backend must override it to provision the value.
     */
    protected void changeElsewhere(CredentialStore watched, CredentialId id, byte[] secret) throws Exception {
        if (!watched.capabilities().writable()) {
            throw new UnsupportedOperationException(getClass().getSimpleName()
                    + " tests a read-only watchable store: override changeElsewhere and deleteElsewhere to change credentials");
        }
        watched.set(id.service(), id.account(), Secret.of(secret));
    }

    /** Deletes {@code id} as another writer would (see {@link #changeElsewhere}). */
    protected void deleteElsewhere(CredentialStore watched, CredentialId id) throws Exception {
        if (!watched.capabilities().writable()) {
            throw new UnsupportedOperationException(getClass().getSimpleName()
                    + " tests a read-only watchable store: override changeElsewhere and deleteElsewhere to change credentials");
        }
        watched.delete(id.service(), id.account());
    }

    /**
     * Whether a credential of this backend can appear and disappear while watched (false for a
     * source that always answers, such as a token command: its watch only ever says {@code CHANGED});
     * then the watch rules check changes only, and {@link #deleteElsewhere} is never called.
     */
    protected boolean watchReportsCreateAndDelete() {
        return true;
    }

    /** How long an event may take to arrive: 2 s, or for a polled backend its poll interval plus a margin. */
    protected Duration watchLatency() {
        return Duration.ofSeconds(2);
    }

    // ---------------------------------------------------------------- helpers

    private CredentialStore track(CredentialStore s) {
        opened.add(s);
        return s;
    }

    private CredentialStore empty() throws Exception {
        return track(openStore());
    }

    private CredentialStore holding(Map<CredentialId, byte[]> credentials) throws Exception {
        return track(openStoreHolding(distinct(credentials)));
    }

    /** Drops ids the backend cannot tell from an earlier one (a lossy mapping would make them overwrite each other). */
    private Map<CredentialId, byte[]> distinct(Map<CredentialId, byte[]> credentials) {
        Map<CredentialId, byte[]> kept = new LinkedHashMap<>();
        credentials.forEach((id, v) -> {
            if (kept.keySet().stream().allMatch(k -> distinguishes(k, id))) kept.put(id, v);
        });
        return kept;
    }

    private CredentialStore holding(CredentialId id, String secret) throws Exception {
        return holding(Map.of(id, utf8(secret)));
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static Optional<byte[]> read(CredentialStore s, CredentialId id) {
        return s.get(id.service(), id.account()).map(Secret::asBytes);
    }

    private static void assertHolds(CredentialStore s, CredentialId id, byte[] expected) {
        Optional<byte[]> got = read(s, id);
        assertTrue(got.isPresent(), () -> "expected a secret for " + PropertyCheck.describe(id.service()) + "/" + PropertyCheck.describe(id.account()));
        assertArrayEquals(expected, got.get(), "secret bytes differ for " + id.service() + "/" + id.account());
    }

    private static void assertAbsent(CredentialStore s, CredentialId id) {
        assertFalse(read(s, id).isPresent(), () -> "expected no secret for " + PropertyCheck.describe(id.service()) + "/" + PropertyCheck.describe(id.account()));
    }

    /** Cleans up what the test left: deletes everything a writable store lists, closes every store. */
    @AfterEach
    void closeStores() {
        RuntimeException first = null;
        for (CredentialStore s : opened) {
            try {
                if (s.capabilities().writable()) {
                    for (CredentialId id : s.list()) s.delete(id.service(), id.account());
                }
            } catch (RuntimeException e) {
                if (first == null) first = e;
            } finally {
                s.close();
            }
        }
        opened.clear();
        if (first != null) throw first;
    }

    // ---------------------------------------------------------------- examples

    @Test
    void roundTrip() throws Exception {
        CredentialId id = new CredentialId("contract.example", "alice");
        CredentialStore s = holding(id, "s3cret");
        assertHolds(s, id, utf8("s3cret"));
        assertEquals("s3cret", s.get("contract.example", "alice").orElseThrow().asString());
    }

    @Test
    void overwriteReplaces() throws Exception {
        CredentialId id = new CredentialId("contract.overwrite", "bob");
        CredentialStore s = holding(id, "first");
        if (s.capabilities().writable()) {
            s.set(id.service(), id.account(), Secret.of("second"));
            assertHolds(s, id, utf8("second"));
            assertEquals(List.of(id), s.list(id.service()), "overwrite must not leave two entries");
        } else {
            assertThrows(ReadOnlyStoreException.class, () -> s.set(id.service(), id.account(), Secret.of("second")));
            assertHolds(s, id, utf8("first"));
        }
    }

    @Test
    void missingCredentialIsEmpty() throws Exception {
        CredentialStore s = empty();
        assertTrue(s.get("contract.missing", "nobody").isEmpty());
        assertTrue(s.find("contract.missing").isEmpty());
        assertTrue(s.list("contract.missing").isEmpty());
    }

    @Test
    void deleteOfMissingReturnsFalse() throws Exception {
        CredentialStore s = empty();
        if (s.capabilities().writable()) {
            assertFalse(s.delete("contract.missing", "nobody"));
        } else {
            assertThrows(ReadOnlyStoreException.class, () -> s.delete("contract.missing", "nobody"));
        }
    }

    @Test
    void deleteThenGetIsEmpty() throws Exception {
        CredentialId id = new CredentialId("contract.delete", "carol");
        CredentialStore s = holding(id, "gone soon");
        if (s.capabilities().writable()) {
            assertTrue(s.delete(id.service(), id.account()));
            assertAbsent(s, id);
            assertFalse(s.delete(id.service(), id.account()), "a second delete finds nothing");
        } else {
            assertThrows(ReadOnlyStoreException.class, () -> s.delete(id.service(), id.account()));
            assertHolds(s, id, utf8("gone soon"));
        }
    }

    @Test
    void accountsAndServicesStaySeparate() throws Exception {
        Map<CredentialId, byte[]> m = new LinkedHashMap<>();
        for (String service : List.of("contract.svc1", "contract.svc2")) {
            for (String account : List.of("one", "two", "three")) {
                m.put(new CredentialId(service, account), utf8(service + "|" + account));
            }
        }
        assertEquals(6, distinct(m).size(), "the backend must tell these six ids apart");
        CredentialStore s = holding(m);
        m.forEach((id, v) -> assertHolds(s, id, v));
        assertEquals(Set.of("one", "two", "three"), accounts(s.list("contract.svc1")));
        assertEquals(Set.of("one", "two", "three"), accounts(s.list("contract.svc2")));
    }

    /** Whether {@code ids} names {@code id}, or for a lossy mapping a name the backend cannot tell from it. */
    private boolean listed(List<CredentialId> ids, CredentialId id) {
        return ids.stream().anyMatch(l -> !distinguishes(l, id));
    }

    private static Set<String> accounts(List<CredentialId> ids) {
        Set<String> out = new HashSet<>();
        ids.forEach(i -> out.add(i.account()));
        return out;
    }

    @Test
    void namesDifferingOnlyInCaseStaySeparate() throws Exception {
        CredentialId lower = new CredentialId("contract.case", "dave");
        CredentialId upper = new CredentialId("contract.case", "DAVE");
        CredentialId svcUpper = new CredentialId("CONTRACT.CASE", "dave");
        Map<CredentialId, byte[]> m = new LinkedHashMap<>();
        m.put(lower, utf8("lower"));
        if (distinguishes(lower, upper)) m.put(upper, utf8("upper"));
        if (distinguishes(lower, svcUpper) && distinguishes(upper, svcUpper)) m.put(svcUpper, utf8("service upper"));
        CredentialStore s = holding(m);
        m.forEach((id, v) -> assertHolds(s, id, v));
        if (!distinguishes(lower, upper)) {
            // a case-folding backend must at least read the one it has, under either spelling
            assertHolds(s, upper, utf8("lower"));
        }
    }

    @Test
    void unicodeNamesAndSecrets() throws Exception {
        Map<CredentialId, byte[]> m = new LinkedHashMap<>();
        m.put(new CredentialId("😀 astral 𝄞", "👩\u200D💻"), utf8("emoji 🔑 secret"));
        m.put(new CredentialId("combining e\u0301", "precomposed é"), utf8("n\u0303o"));
        m.put(new CredentialId("עברית", "مرحبا\u200F"), utf8("שלום عليكم"));
        m.put(new CredentialId("中文服务", "日本語"), utf8("秘密"));
        m.keySet().removeIf(id -> !accepts(id));
        Map<CredentialId, byte[]> kept = distinct(m);
        CredentialStore s = holding(kept);
        kept.forEach((id, v) -> assertHolds(s, id, v));
    }

    @Test
    void separatorsAndSpacesInNames() throws Exception {
        Map<CredentialId, byte[]> m = new LinkedHashMap<>();
        m.put(new CredentialId("https://git.example.com:443/org", "user@example.com"), utf8("a"));
        m.put(new CredentialId("svc:with:colons", "acct/with/slashes"), utf8("b"));
        m.put(new CredentialId("under_score", "with space"), utf8("c"));
        m.put(new CredentialId("a b", "c d e"), utf8("d"));
        m.keySet().removeIf(id -> !accepts(id));
        Map<CredentialId, byte[]> kept = distinct(m);
        CredentialStore s = holding(kept);
        kept.forEach((id, v) -> assertHolds(s, id, v));
    }

    /** An account named like its service (or a service like a namespace) is one more name, never its container. */
    @Test
    void anAccountNamedLikeItsServiceIsOnlyItself() throws Exception {
        CredentialId other = new CredentialId("contract.same", "other");
        CredentialId same = new CredentialId("contract.same", "contract.same");
        CredentialStore s = holding(other, "o");
        assertAbsent(s, same);
        assertEquals(Set.of("other"), accounts(s.list("contract.same")));
        Map<CredentialId, byte[]> m = new LinkedHashMap<>();
        m.put(other, utf8("o"));
        m.put(same, holds(new byte[0]) ? new byte[0] : utf8("s"));
        CredentialStore t = holding(m);
        m.forEach((id, v) -> assertHolds(t, id, v));
        assertEquals(Set.of("other", "contract.same"), accounts(t.list("contract.same")));
        if (t.capabilities().writable()) {
            assertTrue(t.delete(same.service(), same.account()));
            assertAbsent(t, same);
            assertHolds(t, other, utf8("o"));
        }
    }

    @Test
    void emptySecret() throws Exception {
        CredentialId id = new CredentialId("contract.empty", "erin");
        if (!holds(new byte[0])) {
            // a read-only source that cannot provide an empty secret (a command printing nothing fails) has nothing to provision
            try (CredentialStore probe = openStore()) {
                assertFalse(probe.capabilities().writable(), "a writable store holds an empty secret");
            }
            return;
        }
        CredentialStore s = holding(Map.of(id, new byte[0]));
        assertHolds(s, id, new byte[0]);
    }

    @Test
    void largeSecret() throws Exception {
        int size = secretLimit().orElse(64 * 1024);
        byte[] big = new byte[size];
        for (int i = 0; i < size; i++) big[i] = (byte) ('a' + i % 26);
        CredentialId id = new CredentialId("contract.large", "frank");
        CredentialStore s = holding(Map.of(id, big));
        assertHolds(s, id, big);
        if (secretLimit().isPresent() && s.capabilities().writable()) {
            byte[] tooBig = new byte[size + 1];
            CredentialId other = new CredentialId("contract.large", "grace");
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> s.set(other.service(), other.account(), Secret.of(tooBig)));
            assertTrue(e.getMessage().contains(Integer.toString(size)), "the message names the limit: " + e.getMessage());
            assertAbsent(s, other);
            assertHolds(s, id, big);
        }
    }

    @Test
    void emptyNamesAreRefused() throws Exception {
        CredentialStore s = empty();
        assertThrows(IllegalArgumentException.class, () -> s.get("", "a"));
        assertThrows(IllegalArgumentException.class, () -> s.get("a", ""));
        assertThrows(IllegalArgumentException.class, () -> s.list(""));
        assertThrows(IllegalArgumentException.class, () -> s.find(""));
        // refused as a bad name before anything else, read-only stores included
        assertThrows(IllegalArgumentException.class, () -> s.set("", "a", Secret.of("x")));
        assertThrows(IllegalArgumentException.class, () -> s.set("a", "", Secret.of("x")));
        assertThrows(IllegalArgumentException.class, () -> s.set("", "a", Secret.of("x"), Duration.ofMinutes(1)));
        assertThrows(IllegalArgumentException.class, () -> s.delete("", "a"));
        if (s.capabilities().listable()) assertEquals(List.of(), s.list(), "a refused write stores nothing");
    }

    /**
     * The ttl form: a read-only store refuses it as every write; a writable store without expiry
     * refuses it rather than storing without the expiry; a store with expiry holds the value at once,
     * drops it once the ttl has passed, and a later write without a ttl clears the expiry.
     */
    @Test
    void ttlWritesExpireOrAreRefused() throws Exception {
        CredentialId id = new CredentialId("contract.ttl", "tia");
        CredentialStore s = empty();
        if (!s.capabilities().writable()) {
            assertThrows(ReadOnlyStoreException.class, () -> s.set(id.service(), id.account(), Secret.of("x"), Duration.ofSeconds(1)));
            assertAbsent(s, id);
            return;
        }
        if (!s.capabilities().expiry()) {
            assertThrows(UnsupportedOperationException.class, () -> s.set(id.service(), id.account(), Secret.of("x"), Duration.ofSeconds(1)));
            assertAbsent(s, id);
            return;
        }
        s.set(id.service(), id.account(), Secret.of("short-lived"), Duration.ofSeconds(1));
        assertHolds(s, id, utf8("short-lived"));
        assertTrue(becomesAbsent(s, id), "still present 10 s after a 1 s ttl");

        CredentialId kept = new CredentialId("contract.ttl", "kai");
        s.set(kept.service(), kept.account(), Secret.of("brief"), Duration.ofSeconds(1));
        s.set(kept.service(), kept.account(), Secret.of("for-good"));
        Thread.sleep(2_500); // past the first write's ttl, which the second must have cleared
        assertHolds(s, kept, utf8("for-good"));
    }

    /** Polls until the id reads as absent; false if it is still there after 10 s (a bound, not a timing claim). */
    private static boolean becomesAbsent(CredentialStore s, CredentialId id) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (System.nanoTime() < deadline) {
            if (read(s, id).isEmpty()) return true;
            Thread.sleep(100);
        }
        return false;
    }

    @Test
    void findAndListAgreeWithWhatIsStored() throws Exception {
        Map<CredentialId, byte[]> m = new LinkedHashMap<>();
        m.put(new CredentialId("contract.find", "h1"), utf8("v1"));
        m.put(new CredentialId("contract.find", "h2"), utf8("v2"));
        m.put(new CredentialId("contract.other", "h3"), utf8("v3"));
        CredentialStore s = holding(m);
        Credential c = s.find("contract.find").orElseThrow();
        assertEquals("contract.find", c.service());
        assertArrayEquals(m.get(c.id()), c.secret().asBytes(), "find returns the secret of the account it names");
        assertEquals(Set.of("h1", "h2"), accounts(s.list("contract.find")));
        if (s.capabilities().listable()) {
            List<CredentialId> all = s.list();
            m.keySet().forEach(id -> assertTrue(listed(all, id), "list() includes " + id));
        }
    }

    /** list agrees with get: every id list returns, get reads (a store never lists what it would then refuse). */
    @Test
    void everyListedIdCanBeRead() throws Exception {
        Map<CredentialId, byte[]> m = new LinkedHashMap<>();
        m.put(new CredentialId("contract.readable", "r1"), utf8("v1"));
        m.put(new CredentialId("contract.readable", "r2"), utf8("v2"));
        m.put(new CredentialId("contract.readable2", "r3"), utf8("v3"));
        assertListedAreReadable(holding(m), m);
        Optional<CredentialStore> withUnreadable = openStoreWithUnreadableEntries(distinct(m));
        if (withUnreadable.isPresent()) assertListedAreReadable(track(withUnreadable.get()), distinct(m));
    }

    private static void assertListedAreReadable(CredentialStore s, Map<CredentialId, byte[]> stored) {
        Set<String> services = new java.util.TreeSet<>();
        stored.keySet().forEach(id -> services.add(id.service()));
        List<CredentialId> listed = new ArrayList<>();
        for (String service : services) listed.addAll(s.list(service));
        if (s.capabilities().listable()) {
            List<CredentialId> all = s.list();
            stored.keySet().forEach(id -> assertTrue(all.contains(id), () -> "list() includes " + id));
            listed.addAll(all);
        }
        stored.keySet().forEach(id -> assertTrue(listed.contains(id), () -> "list(service) includes " + id));
        for (CredentialId id : listed) {
            Optional<Secret> got;
            try {
                got = s.get(id.service(), id.account());
            } catch (RuntimeException e) {
                throw new AssertionError("list names " + id + ", but get refuses it: " + e, e);
            }
            assertTrue(got.isPresent(), () -> "list names " + id + ", but get finds nothing");
        }
    }

    @Test
    void readOnlyStoreRefusesWrites() throws Exception {
        CredentialId id = new CredentialId("contract.readonly", "ivan");
        CredentialStore s = holding(id, "kept");
        if (s.capabilities().writable()) {
            // a writable store accepts the write: the opposite half of this rule
            s.set(id.service(), id.account(), Secret.of("changed"));
            assertHolds(s, id, utf8("changed"));
            return;
        }
        assertThrows(ReadOnlyStoreException.class, () -> s.set(id.service(), id.account(), Secret.of("changed")));
        assertThrows(ReadOnlyStoreException.class, () -> s.set("contract.readonly", "new", Secret.of("x")));
        assertThrows(ReadOnlyStoreException.class, () -> s.delete(id.service(), id.account()));
        assertThrows(ReadOnlyStoreException.class, () -> s.set(id.service(), id.account(), Secret.of("changed"), Duration.ofHours(1)));
        assertHolds(s, id, utf8("kept"));
        assertAbsent(s, new CredentialId("contract.readonly", "new"));
    }

    @Test
    void secretsNeverAppearInToString() throws Exception {
        CredentialId id = new CredentialId("contract.tostring", "judy");
        CredentialStore s = holding(id, "do-not-print-me");
        Secret got = s.get(id.service(), id.account()).orElseThrow();
        assertFalse(got.toString().contains("do-not-print-me"));
        assertFalse(s.toString().contains("do-not-print-me"));
        assertFalse(s.find(id.service()).orElseThrow().toString().contains("do-not-print-me"));
    }

    @Test
    void manyThreadsOnDisjointIdsLoseNothing() throws Exception {
        CredentialStore s = empty();
        int threads = 8;
        int ops = operationsPerThread();
        if (!s.capabilities().writable()) {
            // read-only: many threads reading provisioned credentials all see them
            Map<CredentialId, byte[]> m = new LinkedHashMap<>();
            for (int t = 0; t < threads; t++) m.put(new CredentialId("contract.threads", "t" + t), utf8("value" + t));
            CredentialStore ro = holding(m);
            runThreads(threads, t -> {
                for (int i = 0; i < ops; i++) assertHolds(ro, new CredentialId("contract.threads", "t" + t), utf8("value" + t));
            });
            return;
        }
        Map<CredentialId, String> expected = new ConcurrentHashMap<>();
        runThreads(threads, t -> {
            java.util.SplittableRandom r = new java.util.SplittableRandom(t);
            Map<CredentialId, String> mine = new HashMap<>();
            for (int i = 0; i < ops; i++) {
                CredentialId id = new CredentialId("contract.threads.t" + t, "a" + r.nextInt(20));
                int op = r.nextInt(10);
                if (op < 6) {
                    String v = "v" + t + "." + i;
                    s.set(id.service(), id.account(), Secret.of(v));
                    mine.put(id, v);
                } else if (op < 8) {
                    assertEquals(mine.containsKey(id), s.delete(id.service(), id.account()), "delete result for " + id);
                    mine.remove(id);
                } else {
                    Optional<Secret> got = s.get(id.service(), id.account());
                    assertEquals(Optional.ofNullable(mine.get(id)), got.map(Secret::asString), "read of " + id);
                }
            }
            expected.putAll(mine);
        });
        for (int t = 0; t < threads; t++) {
            String service = "contract.threads.t" + t;
            Set<CredentialId> listed = new HashSet<>(s.list(service));
            Set<CredentialId> want = new HashSet<>();
            expected.keySet().forEach(id -> {
                if (id.service().equals(service)) want.add(id);
            });
            assertEquals(want, listed, "ids of " + service);
        }
        expected.forEach((id, v) -> assertHolds(s, id, utf8(v)));
    }

    private interface ThreadBody {
        void run(int thread) throws Exception;
    }

    private static void runThreads(int threads, ThreadBody body) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        CountDownLatch start = new CountDownLatch(1);
        try {
            List<Future<?>> futures = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int thread = t;
                futures.add(pool.submit(() -> {
                    start.await();
                    body.run(thread);
                    return null;
                }));
            }
            start.countDown();
            for (Future<?> f : futures) f.get(10, TimeUnit.MINUTES);
        } finally {
            pool.shutdownNow();
        }
    }

    // ---------------------------------------------------------------- watch

    /** What a listener received, in order. */
    private static final class Events implements java.util.function.Consumer<CredentialEvent> {
        final java.util.concurrent.LinkedBlockingQueue<CredentialEvent> queue = new java.util.concurrent.LinkedBlockingQueue<>();

        @Override
        public void accept(CredentialEvent e) {
            queue.add(e);
        }

        CredentialEvent next(Duration within, String what) throws InterruptedException {
            CredentialEvent e = queue.poll(within.toMillis(), TimeUnit.MILLISECONDS);
            assertNotNull(e, "no event within " + within + " after " + what);
            return e;
        }

        /** Waits {@code quiet} and checks nothing (else) arrived. */
        void assertQuiet(Duration quiet, String what) throws InterruptedException {
            CredentialEvent e = queue.poll(quiet.toMillis(), TimeUnit.MILLISECONDS);
            assertNull(e, () -> "expected no event after " + what + ", got " + e);
        }
    }

    private boolean watchable() throws Exception {
        try (CredentialStore probe = openStore()) {
            return probe.capabilities().watchable();
        }
    }

    @Test
    void watchWorksOrIsRefusedNamingTheBackend() throws Exception {
        CredentialStore s = empty();
        if (s.capabilities().watchable()) {
            Subscription sub = s.watch("contract.watch.plain", "kim", e -> { });
            sub.close();
            sub.close(); // idempotent
            return;
        }
        UnsupportedOperationException e = assertThrows(UnsupportedOperationException.class, () -> s.watch("contract.watch.plain", "kim", ev -> { }));
        assertTrue(e.getMessage().contains(s.id()), "the refusal names the backend: " + e.getMessage());
    }

    @Test
    void watchSeesChangeAndDeleteByAnotherWriter() throws Exception {
        if (!watchable()) return; // watchWorksOrIsRefusedNamingTheBackend covers it
        CredentialId id = new CredentialId("contract.watch.change", "leo");
        CredentialStore s = holding(id, "before");
        Events events = new Events();
        try (Subscription sub = s.watch(id.service(), id.account(), events)) {
            changeElsewhere(s, id, utf8("after"));
            assertEquals(new CredentialEvent(id, CredentialEvent.Kind.CHANGED), events.next(watchLatency(), "another writer changed it"));
            assertHolds(s, id, utf8("after"));
            if (!watchReportsCreateAndDelete()) return;
            deleteElsewhere(s, id);
            assertEquals(new CredentialEvent(id, CredentialEvent.Kind.DELETED), events.next(watchLatency(), "another writer deleted it"));
        }
    }

    @Test
    void watchSeesCreation() throws Exception {
        if (!watchable() || !watchReportsCreateAndDelete()) return;
        CredentialId id = new CredentialId("contract.watch.create", "mia");
        CredentialStore s = holding(new CredentialId("contract.watch.create", "other"), "x");
        Events events = new Events();
        try (Subscription sub = s.watch(id.service(), id.account(), events)) {
            changeElsewhere(s, id, utf8("new"));
            assertEquals(new CredentialEvent(id, CredentialEvent.Kind.CREATED), events.next(watchLatency(), "another writer created it"));
        }
    }

    @Test
    void watchFiresNothingForOtherCredentials() throws Exception {
        if (!watchable()) return;
        CredentialId mine = new CredentialId("contract.watch.mine", "ned");
        CredentialId other = new CredentialId("contract.watch.mine", "olga");
        CredentialId otherService = new CredentialId("contract.watch.theirs", "ned");
        Map<CredentialId, byte[]> m = new LinkedHashMap<>();
        m.put(mine, utf8("mine"));
        m.put(other, utf8("other"));
        m.put(otherService, utf8("theirs"));
        CredentialStore s = holding(m);
        Events events = new Events();
        try (Subscription sub = s.watch(mine.service(), mine.account(), events)) {
            changeElsewhere(s, other, utf8("other changed"));
            changeElsewhere(s, otherService, utf8("theirs changed"));
            events.assertQuiet(watchLatency(), "changes of other credentials");
            // and the watch still works: the quiet was not a dead subscription
            changeElsewhere(s, mine, utf8("mine changed"));
            assertEquals(new CredentialEvent(mine, CredentialEvent.Kind.CHANGED), events.next(watchLatency(), "changing the watched one"));
        }
    }

    @Test
    void closedSubscriptionGetsNothing() throws Exception {
        if (!watchable()) return;
        CredentialId id = new CredentialId("contract.watch.closed", "pia");
        CredentialStore s = holding(id, "one");
        Events closed = new Events();
        Events open = new Events();
        Subscription sub = s.watch(id.service(), id.account(), closed);
        try (Subscription witness = s.watch(id.service(), id.account(), open)) {
            sub.close();
            sub.close();
            changeElsewhere(s, id, utf8("two"));
            assertEquals(CredentialEvent.Kind.CHANGED, open.next(watchLatency(), "a change, on the subscription left open").kind());
            closed.assertQuiet(watchLatency(), "closing the subscription");
        }
    }

    @Test
    void slowOrThrowingListenersDoNotHoldUpOthers() throws Exception {
        if (!watchable()) return;
        CredentialId id = new CredentialId("contract.watch.slow", "quinn");
        CredentialStore s = holding(id, "one");
        CountDownLatch release = new CountDownLatch(1);
        Events good = new Events();
        Thread caller = Thread.currentThread();
        Set<Thread> listenerThreads = ConcurrentHashMap.newKeySet();
        List<Subscription> subs = new ArrayList<>();
        try {
            // more blocked listeners than the dispatch starts with
            for (int i = 0; i < 4; i++) {
                subs.add(s.watch(id.service(), id.account(), e -> {
                    try {
                        release.await(30, TimeUnit.SECONDS);
                    } catch (InterruptedException ex) {
                        Thread.currentThread().interrupt();
                    }
                }));
            }
            subs.add(s.watch(id.service(), id.account(), e -> {
                throw new IllegalStateException("a broken listener");
            }));
            subs.add(s.watch(id.service(), id.account(), e -> {
                listenerThreads.add(Thread.currentThread());
                good.accept(e);
            }));
            changeElsewhere(s, id, utf8("two"));
            assertEquals(CredentialEvent.Kind.CHANGED, good.next(watchLatency().plus(Duration.ofSeconds(3)), "a change, with blocked listeners").kind());
            changeElsewhere(s, id, utf8("three"));
            assertEquals(CredentialEvent.Kind.CHANGED, good.next(watchLatency().plus(Duration.ofSeconds(3)), "a second change").kind());
            assertFalse(listenerThreads.contains(caller), "listeners run off the caller's thread");
        } finally {
            release.countDown();
            subs.forEach(Subscription::close);
        }
    }

    /** Threads and open file descriptors of this JVM (Linux /proc). */
    private record Resources(int threads, long fds, Set<String> names) {
        static Resources now() throws java.io.IOException {
            try (java.util.stream.Stream<java.nio.file.Path> fds = java.nio.file.Files.list(java.nio.file.Path.of("/proc/self/fd"))) {
                Set<Thread> all = Thread.getAllStackTraces().keySet();
                Set<String> names = new java.util.TreeSet<>();
                all.forEach(t -> names.add(t.getName()));
                return new Resources(all.size(), fds.count(), names);
            }
        }

        /** The names of the threads here that {@code base} did not have, for failure messages. */
        Set<String> newThreads(Resources base) {
            Set<String> n = new java.util.TreeSet<>(names);
            n.removeAll(base.names);
            return n;
        }

        boolean within(Resources base, int extraThreads, long extraFds) {
            return threads <= base.threads + extraThreads && fds <= base.fds + extraFds;
        }
    }

    /** Waits up to {@code limit} for {@code ok}; the last measurement. */
    private static Resources await(Duration limit, java.util.function.Predicate<Resources> ok) throws Exception {
        long end = System.nanoTime() + limit.toNanos();
        Resources r = Resources.now();
        while (!ok.test(r) && System.nanoTime() < end) {
            Thread.sleep(100);
            r = Resources.now();
        }
        return r;
    }

    private static boolean noWatchThreads() {
        return Thread.getAllStackTraces().keySet().stream().noneMatch(t -> t.getName().startsWith("keyring4j-watch"));
    }

    @Test
    void thousandSubscriptionsCostNoThreadEachAndClosingReleasesEverything() throws Exception {
        if (!watchable()) return;
        CredentialStore s = holding(new CredentialId("contract.watch.many", "a0"), "v0");
        s.get("contract.watch.many", "a0"); // whatever the store connects or caches lazily, before measuring
        // watch threads of earlier tests end when idle
        long end = System.nanoTime() + Duration.ofSeconds(15).toNanos();
        while (!noWatchThreads() && System.nanoTime() < end) Thread.sleep(100);
        Resources base = Resources.now();
        int n = 1000;
        List<Events> listeners = new ArrayList<>();
        List<Subscription> subs = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            Events e = new Events();
            listeners.add(e);
            subs.add(s.watch("contract.watch.many", "a" + (i % 20), e));
        }
        changeElsewhere(s, new CredentialId("contract.watch.many", "a0"), utf8("v1"));
        for (int i = 0; i < n; i += 20) {
            assertEquals(CredentialEvent.Kind.CHANGED, listeners.get(i).next(watchLatency().plus(Duration.ofSeconds(3)), "a change seen by "
                    + n / 20 + " subscriptions").kind());
        }
        Resources during = Resources.now();
        System.out.println("watch cost of " + n + " subscriptions on " + s.id() + ": " + (during.threads - base.threads) + " threads, "
                + (during.fds - base.fds) + " file descriptors (base " + base.threads + " threads, " + base.fds + " fds)");
        // a fixed handful (shared dispatch, a watch thread, a notification fd), never one per subscription
        assertTrue(during.within(base, 12, 12), () -> n + " subscriptions cost " + (during.threads - base.threads) + " threads and "
                + (during.fds - base.fds) + " file descriptors: more than a fixed few");
        subs.forEach(Subscription::close);
        Resources after = await(Duration.ofSeconds(20), r -> r.within(base, 0, 0) && noWatchThreads());
        assertTrue(after.within(base, 0, 0), () -> "closing every subscription left " + (after.threads - base.threads) + " threads "
                + after.newThreads(base) + " and " + (after.fds - base.fds) + " file descriptors");
        assertTrue(noWatchThreads(), "a keyring4j-watch thread outlived every subscription");
        listeners.get(0).assertQuiet(Duration.ofMillis(1), "closing");
    }

    // ---------------------------------------------------------------- properties

    private Gen<CredentialId> acceptedIds() {
        return Gens.ids().filter(this::accepts);
    }

    private Gen<byte[]> heldSecrets() {
        return Gens.secrets(Math.min(secretLimit().orElse(32 * 1024), 32 * 1024)).filter(this::holds);
    }

    @Test
    void propertySetThenGetReturnsTheSameBytes() {
        Gen<Map.Entry<CredentialId, byte[]>> gen = Gens.pairs(acceptedIds(), heldSecrets(), Map::entry, Map.Entry::getKey, Map.Entry::getValue);
        PropertyCheck.forAll("set then get returns the same bytes", propertyTries(), gen, e -> {
            try (CredentialStore s = openStoreHolding(Map.of(e.getKey(), e.getValue()))) {
                try {
                    assertHolds(s, e.getKey(), e.getValue());
                    assertTrue(listed(s.list(e.getKey().service()), e.getKey()), "list(service) names the id");
                } finally {
                    if (s.capabilities().writable()) s.delete(e.getKey().service(), e.getKey().account());
                }
            }
        });
    }

    @Test
    void propertyDeleteRemovesOnlyItsId() throws Exception {
        try (CredentialStore probe = openStore()) {
            if (!probe.capabilities().writable()) {
                assertThrows(ReadOnlyStoreException.class, () -> probe.delete("contract.prop", "x"));
                return;
            }
        }
        Gen<List<CredentialId>> gen = Gens.lists(acceptedIds(), 6).filter(l -> !l.isEmpty());
        PropertyCheck.forAll("delete makes its id absent and leaves the others", Math.max(1, propertyTries() / 2), gen, ids -> {
            try (CredentialStore s = openStore()) {
                Map<CredentialId, byte[]> model = new LinkedHashMap<>();
                try {
                    for (CredentialId id : ids) {
                        byte[] v = utf8("v" + model.size());
                        s.set(id.service(), id.account(), Secret.of(v));
                        model.keySet().removeIf(k -> !distinguishes(k, id));
                        model.put(id, v);
                    }
                    CredentialId victim = ids.get(0);
                    assertTrue(s.delete(victim.service(), victim.account()));
                    assertAbsent(s, victim);
                    model.keySet().removeIf(k -> !distinguishes(k, victim));
                    model.forEach((id, v) -> assertHolds(s, id, v));
                } finally {
                    for (CredentialId id : ids) s.delete(id.service(), id.account());
                }
            }
        });
    }

    /** One step of the model test. */
    private record Op(boolean set, CredentialId id, int value) {
        @Override
        public String toString() {
            return (set ? "set(" : "delete(") + PropertyCheck.describe(id.service()) + ", " + PropertyCheck.describe(id.account())
                    + (set ? ", v" + value : "") + ")";
        }
    }

    @Test
    void propertyStoreBehavesLikeAMap() throws Exception {
        try (CredentialStore probe = openStore()) {
            if (!probe.capabilities().writable()) {
                // a read-only store over a random map answers exactly that map
                Gen<List<CredentialId>> ids = Gens.lists(acceptedIds(), 8);
                PropertyCheck.forAll("a read-only store answers exactly what was provisioned", Math.max(1, propertyTries() / 2), ids, list -> {
                    Map<CredentialId, byte[]> m = new LinkedHashMap<>();
                    for (CredentialId id : list) {
                        m.keySet().removeIf(k -> !distinguishes(k, id));
                        m.put(id, utf8("v" + m.size()));
                    }
                    try (CredentialStore s = openStoreHolding(m)) {
                        m.forEach((id, v) -> assertHolds(s, id, v));
                        m.keySet().forEach(id -> assertTrue(listed(s.list(id.service()), id), "list(service) has " + id));
                        if (s.capabilities().listable()) {
                            List<CredentialId> all = s.list();
                            m.keySet().forEach(id -> assertTrue(listed(all, id), "list() has " + id));
                        }
                    }
                });
                return;
            }
        }
        // a small pool of ids so that sequences revisit them
        Gen<List<Op>> ops = r -> {
            List<CredentialId> pool = new ArrayList<>();
            Gen<CredentialId> ids = acceptedIds();
            for (int i = 0; i < 4; i++) pool.add(ids.next(r));
            List<Op> out = new ArrayList<>();
            int n = r.nextInt(16);
            for (int i = 0; i < n; i++) out.add(new Op(r.nextInt(3) > 0, pool.get(r.nextInt(pool.size())), i));
            return out;
        };
        Gen<List<Op>> shrinking = new Gen<>() {
            @Override
            public List<Op> next(java.util.SplittableRandom r) {
                return ops.next(r);
            }

            @Override
            public java.util.stream.Stream<List<Op>> shrink(List<Op> v) {
                return Gens.lists((Gen<Op>) r -> null, 0).shrink(v).filter(l -> l.stream().allMatch(java.util.Objects::nonNull));
            }
        };
        PropertyCheck.forAll("random set/delete sequence equals a HashMap model", Math.max(1, propertyTries() / 2), shrinking, seq -> {
            try (CredentialStore s = openStore()) {
                Map<CredentialId, String> model = new HashMap<>();
                try {
                    for (Op op : seq) {
                        if (op.set()) {
                            s.set(op.id().service(), op.id().account(), Secret.of("v" + op.value()));
                            model.keySet().removeIf(k -> !distinguishes(k, op.id()));
                            model.put(op.id(), "v" + op.value());
                        } else {
                            boolean had = model.keySet().removeIf(k -> !distinguishes(k, op.id()));
                            assertEquals(had, s.delete(op.id().service(), op.id().account()), "delete result of " + op);
                        }
                    }
                    for (Op op : seq) {
                        assertEquals(Optional.ofNullable(model.get(op.id())), s.get(op.id().service(), op.id().account()).map(Secret::asString),
                                "value of " + op.id());
                    }
                    Set<CredentialId> expected = new HashSet<>(model.keySet());
                    Set<CredentialId> listed = new HashSet<>();
                    for (Op op : seq) listed.addAll(s.list(op.id().service()));
                    assertEquals(expected, listed, "list(service) over the touched services");
                } finally {
                    for (Op op : seq) s.delete(op.id().service(), op.id().account());
                }
            }
        });
    }
}
