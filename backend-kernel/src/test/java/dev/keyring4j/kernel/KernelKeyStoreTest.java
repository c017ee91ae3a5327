package dev.keyring4j.kernel;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.keyring4j.AccessDeniedException;
import dev.keyring4j.CredentialId;
import dev.keyring4j.KeyringException;
import dev.keyring4j.Secret;
import dev.keyring4j.spi.BackendConfig;
import dev.keyring4j.testkit.Prerequisites;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The kernel backend's own behaviour: layout, permissions, interop with keyctl, processes, expiry, limits, errors. */
class KernelKeyStoreTest {
    private String namespace;
    private KernelKeyStore store;

    @BeforeAll
    static void requireKernelKeyring() {
        KernelFixture.requireKeyring();
    }

    @BeforeEach
    void openStore() {
        namespace = "keyring4j-test-" + UUID.randomUUID();
        store = KernelFixture.open(namespace);
    }

    @AfterEach
    void removeNamespace() {
        KernelFixture.removeNamespace(namespace);
        store.close();
    }

    private static String keyctl(String... args) {
        return KernelFixture.keyctl(args);
    }

    private int nsId() {
        return Integer.parseInt(keyctl("search", "@u", "keyring", namespace));
    }

    private int serviceId(String service) {
        return Integer.parseInt(keyctl("search", Integer.toString(nsId()), "keyring", service));
    }

    private int keyId(String service, String account) {
        return Integer.parseInt(keyctl("search", Integer.toString(serviceId(service)), "user", account));
    }

    // ------------------------------------------------------------------ names equal to the keyring searched

    /**
     * The kernel's search also matches the keyring it starts from: a service named like the
     * namespace, or an account named like its service, must still find (only) its own key.
     */
    @Test
    void aServiceNamedLikeTheNamespaceIsStoredReadListedAndDeleted() {
        store.set(namespace, "alice", Secret.of("v1"));
        store.set(namespace, "alice", Secret.of("v2"));
        assertEquals("v2", store.get(namespace, "alice").orElseThrow().asString());
        assertEquals(List.of(new CredentialId(namespace, "alice")), store.list(namespace));
        assertTrue(store.delete(namespace, "alice"));
        assertEquals(Optional.empty(), store.get(namespace, "alice"));
    }

    @Test
    void anAccountNamedLikeItsServiceIsAbsentUntilWrittenEvenEmpty() {
        store.set("svc", "other", Secret.of("x"));
        assertEquals(Optional.empty(), store.get("svc", "svc"), "no phantom empty secret from the service keyring itself");
        assertFalse(store.delete("svc", "svc"));
        assertEquals(List.of(new CredentialId("svc", "other")), store.list("svc"));
        store.set("svc", "svc", Secret.of(new byte[0]));
        assertEquals(0, store.get("svc", "svc").orElseThrow().length());
        store.set("svc", "svc", Secret.of("now-filled"));
        assertEquals("now-filled", store.get("svc", "svc").orElseThrow().asString());
        assertEquals("x", store.get("svc", "other").orElseThrow().asString());
        assertTrue(store.delete("svc", "svc"));
        assertEquals(Optional.empty(), store.get("svc", "svc"));
        assertEquals("x", store.get("svc", "other").orElseThrow().asString(), "the service keyring survives its namesake's delete");
    }

    // ------------------------------------------------------------------ layout and interop

    @Test
    void layoutIsVisibleWithKeyctlShow() {
        store.set("github.com", "alice", Secret.of("token-1"));
        store.set("github.com", "bob", Secret.of("token-2"));
        String show = keyctl("show", Integer.toString(nsId()));
        assertTrue(show.contains("keyring: " + namespace), show);
        assertTrue(show.contains("keyring: github.com"), show);
        assertTrue(show.contains("user: alice"), show);
        assertTrue(show.contains("user: bob"), show);
        assertTrue(keyctl("show", "@u").contains("keyring: " + namespace), "the namespace keyring hangs from @u");
    }

    @Test
    void keyctlPrintsWhatKeyring4jStored() {
        byte[] binary = {0, 1, 2, (byte) 0xff, '\n', 'x'};
        store.set("interop.print", "carol", Secret.of("plain text value"));
        store.set("interop.print", "binary", Secret.of(binary));
        assertEquals("plain text value", keyctl("print", Integer.toString(keyId("interop.print", "carol"))));
        assertArrayEquals("plain text value".getBytes(StandardCharsets.UTF_8),
                KernelFixture.runBytes(List.of(KernelFixture.keyctl(), "pipe", Integer.toString(keyId("interop.print", "carol")))));
        assertArrayEquals(binary, KernelFixture.runBytes(List.of(KernelFixture.keyctl(), "pipe", Integer.toString(keyId("interop.print", "binary")))));
    }

    @Test
    void keyring4jReadsWhatKeyctlAdded() {
        store.set("interop.add", "placeholder", Secret.of("x"));
        String svc = Integer.toString(serviceId("interop.add"));
        keyctl("add", "user", "dave", "added by keyctl", svc);
        KernelFixture.run(List.of(KernelFixture.keyctl(), "padd", "user", "erin", svc), "piped ü".getBytes(StandardCharsets.UTF_8)).ok();
        assertEquals("added by keyctl", store.get("interop.add", "dave").orElseThrow().asString());
        assertEquals("piped ü", store.get("interop.add", "erin").orElseThrow().asString());
        assertEquals(List.of("dave", "erin", "placeholder"), store.list("interop.add").stream().map(CredentialId::account).sorted().toList());
    }

    @Test
    void everythingCreatedHasExplicitPermissions() {
        store.set("perm.svc", "frank", Secret.of("v"));
        for (int id : new int[] {nsId(), serviceId("perm.svc"), keyId("perm.svc", "frank")}) {
            String[] d = keyctl("rdescribe", Integer.toString(id)).split(";", 5);
            assertEquals("003f0000", d[3], "permissions of " + Arrays.toString(d));
        }
    }

    @Test
    void anEmptySecretIsAnEmptyKeyringNamedAfterTheAccount() {
        // the user key type refuses a zero-length payload (EINVAL), so an empty secret is held as an empty keyring
        store.set("empty.secret", "nina", Secret.of("not yet empty"));
        store.set("empty.secret", "nina", Secret.of(new byte[0]));
        assertEquals(0, store.get("empty.secret", "nina").orElseThrow().length());
        String show = keyctl("show", Integer.toString(serviceId("empty.secret")));
        assertTrue(show.contains("keyring: nina"), show);
        assertFalse(show.contains("user: nina"), "the earlier user key is gone: " + show);
        assertEquals(List.of(new CredentialId("empty.secret", "nina")), store.list("empty.secret"));
        store.set("empty.secret", "nina", Secret.of("full again"));
        assertEquals("full again", store.get("empty.secret", "nina").orElseThrow().asString());
        assertFalse(keyctl("show", Integer.toString(serviceId("empty.secret"))).contains("keyring: nina"));
        store.set("empty.secret", "nina", Secret.of(new byte[0]));
        assertTrue(store.delete("empty.secret", "nina"));
        assertTrue(store.get("empty.secret", "nina").isEmpty());
    }

    @Test
    void namesStartingWithADotAreEscapedInKeyringDescriptions() {
        // add_key refuses keyring descriptions starting with '.', which the kernel reserves
        store.set(".hidden", ".acct", Secret.of("dot"));
        store.set("\\lead", "b", Secret.of("backslash"));
        store.set(".hidden", ".empty", Secret.of(new byte[0]));
        assertEquals("dot", store.get(".hidden", ".acct").orElseThrow().asString());
        assertEquals("backslash", store.get("\\lead", "b").orElseThrow().asString());
        assertEquals(0, store.get(".hidden", ".empty").orElseThrow().length());
        String show = keyctl("show", Integer.toString(nsId()));
        assertTrue(show.contains("keyring: \\.hidden"), show);
        assertTrue(show.contains("user: .acct"), "account names of user keys stay verbatim: " + show);
        assertTrue(show.contains("keyring: \\\\lead"), show);
        assertEquals(java.util.Set.of(new CredentialId(".hidden", ".acct"), new CredentialId(".hidden", ".empty"), new CredentialId("\\lead", "b")),
                new java.util.HashSet<>(store.list()));
    }

    // ------------------------------------------------------------------ the write paths

    private static String perm(int id) {
        return keyctl("rdescribe", Integer.toString(id)).split(";", 5)[3];
    }

    /** The expiry column of the key's line in /proc/keys: {@code perm} when it has none. */
    private static String expiryOf(int id) throws IOException {
        String prefix = String.format("%08x ", id);
        return Files.readAllLines(Path.of("/proc/keys")).stream().filter(l -> l.startsWith(prefix)).findFirst()
                .map(l -> l.trim().split("\\s+")[3]).orElseThrow(() -> new AssertionError("key " + id + " is not in /proc/keys"));
    }

    @Test
    void overwritingAPlainSecretUpdatesTheSameKeyInPlace() throws IOException {
        store.set("inplace.svc", "amy", Secret.of("first"));
        int key = keyId("inplace.svc", "amy");
        store.set("inplace.svc", "amy", Secret.of("second, longer than the first"));
        assertEquals(key, keyId("inplace.svc", "amy"), "the same key, its payload replaced");
        assertEquals("003f0000", perm(key));
        assertEquals("perm", expiryOf(key));
        assertEquals("second, longer than the first", keyctl("print", Integer.toString(key)));

        keyctl("timeout", Integer.toString(key), "100"); // another tool gives the key an expiry
        assertNotEquals("perm", expiryOf(key));
        store.set("inplace.svc", "amy", Secret.of("third"));
        assertEquals(key, keyId("inplace.svc", "amy"));
        assertEquals("perm", expiryOf(key), "a set without ttl leaves no expiry");

        // a ttl is given to a new key before it becomes visible: staged, never an update
        store.set("inplace.svc", "amy", Secret.of("fourth"), Duration.ofHours(1));
        int expiring = keyId("inplace.svc", "amy");
        assertNotEquals(key, expiring);
        assertNotEquals("perm", expiryOf(expiring));
        assertEquals("003f0000", perm(expiring));
        store.set("inplace.svc", "amy", Secret.of("fifth"));
        int plain = keyId("inplace.svc", "amy");
        assertNotEquals(expiring, plain, "a key written with a ttl is replaced, not updated");
        assertEquals("perm", expiryOf(plain));
        store.set("inplace.svc", "amy", Secret.of("sixth"));
        assertEquals(plain, keyId("inplace.svc", "amy"));
        assertEquals("sixth", store.get("inplace.svc", "amy").orElseThrow().asString());
        try (KernelKeyStore other = KernelFixture.open(namespace)) {
            assertEquals("sixth", other.get("inplace.svc", "amy").orElseThrow().asString());
        }
    }

    @Test
    void aKeyReplacedByAnotherToolIsReplacedAgainNeverUpdated() {
        store.set("replaced.svc", "bea", Secret.of("mine"));
        int mine = keyId("replaced.svc", "bea");
        String svc = Integer.toString(serviceId("replaced.svc"));
        String holder = keyctl("newring", "keyring4j-holder-" + UUID.randomUUID(), "@u");
        try {
            // keep the old key alive elsewhere, so the store's update of it succeeds, then replace it
            keyctl("link", Integer.toString(mine), holder);
            keyctl("unlink", Integer.toString(mine), svc);
            int foreign = Integer.parseInt(keyctl("add", "user", "bea", "theirs", svc));
            assertEquals("3f010000", perm(foreign), "the kernel's default mask");

            store.set("replaced.svc", "bea", Secret.of("mine again"));
            int now = keyId("replaced.svc", "bea");
            assertNotEquals(foreign, now, "the foreign key was replaced by a staged one");
            assertNotEquals(mine, now);
            assertEquals("003f0000", perm(now));
            assertEquals("mine again", keyctl("print", Integer.toString(now)));
            KeyctlSyscalls.Read old = KeyctlSyscalls.read(foreign);
            assertTrue(!old.ok() || new String(old.bytes(), StandardCharsets.UTF_8).equals("theirs"),
                    "the secret never went into the key with the default mask");
            store.set("replaced.svc", "bea", Secret.of("in place again"));
            assertEquals(now, keyId("replaced.svc", "bea"));
            assertEquals("in place again", store.get("replaced.svc", "bea").orElseThrow().asString());
        } finally {
            keyctl("unlink", holder, "@u");
        }
    }

    @Test
    void withoutKeyctlMoveKeysAreLinkedWithTheirPermissionsAndExpiryAlreadySet() throws IOException {
        store.withoutMove(); // the path of kernels before 5.3, taken here on a kernel that has KEYCTL_MOVE
        store.set("nomove.svc", "cy", Secret.of("one"));
        int first = keyId("nomove.svc", "cy");
        assertEquals("003f0000", perm(first));
        store.set("nomove.svc", "cy", Secret.of("two"), Duration.ofHours(1));
        int second = keyId("nomove.svc", "cy");
        assertNotEquals(first, second);
        assertEquals("003f0000", perm(second));
        assertNotEquals("perm", expiryOf(second));
        assertEquals("two", store.get("nomove.svc", "cy").orElseThrow().asString());
        store.set("nomove.svc", "cy", Secret.of(new byte[0]));
        assertEquals(0, store.get("nomove.svc", "cy").orElseThrow().length());
        store.set("nomove.svc", "cy", Secret.of("three"));
        assertEquals("three", store.get("nomove.svc", "cy").orElseThrow().asString());
        assertEquals(List.of(new CredentialId("nomove.svc", "cy")), store.list("nomove.svc"));
        KeyctlSyscalls.Read staging = KeyctlSyscalls.readKeyring(KeyctlSyscalls.THREAD_KEYRING);
        assertTrue(!staging.ok() || staging.bytes().length == 0, "nothing is left in the thread keyring");
    }

    @Test
    void concurrentReadersNeverSeeAnAccountAbsentWhileItIsRewritten() throws Exception {
        boolean bigKey = EntryKind.bigKeyTypeExists();
        byte[] big = new byte[EntryKind.USER_MAX + 1000];
        Arrays.fill(big, (byte) 'B');
        store.set("rewrite.svc", "dan", Secret.of("v-initial"));
        java.util.concurrent.atomic.AtomicBoolean writing = new java.util.concurrent.atomic.AtomicBoolean(true);
        java.util.concurrent.atomic.AtomicReference<String> bad = new java.util.concurrent.atomic.AtomicReference<>();
        java.util.concurrent.atomic.AtomicLong reads = new java.util.concurrent.atomic.AtomicLong();
        List<Thread> readers = new ArrayList<>();
        try (KernelKeyStore reader = KernelFixture.open(namespace)) {
            for (int t = 0; t < 2; t++) {
                Thread r = new Thread(() -> {
                    while (writing.get() && bad.get() == null) {
                        Optional<Secret> got = reader.get("rewrite.svc", "dan");
                        reads.incrementAndGet();
                        if (got.isEmpty()) bad.set("absent after " + reads.get() + " reads");
                        else if (got.get().length() != big.length && !got.get().asString().startsWith("v-")) bad.set("a value never written");
                    }
                });
                r.start();
                readers.add(r);
            }
            // in place (plain), staged and moved (ttl), and a change of kind (big_key) when the kernel has it
            for (int i = 0; i < 3000 && bad.get() == null; i++) {
                switch (i % 4) {
                    case 0, 1 -> store.set("rewrite.svc", "dan", Secret.of("v-plain-" + i));
                    case 2 -> store.set("rewrite.svc", "dan", Secret.of("v-ttl-" + i), Duration.ofHours(1));
                    default -> store.set("rewrite.svc", "dan", bigKey ? Secret.of(big) : Secret.of("v-again-" + i));
                }
            }
        } finally {
            writing.set(false);
            for (Thread r : readers) r.join();
        }
        assertEquals(null, bad.get());
        assertTrue(reads.get() > 0, "the readers ran");
    }

    // ------------------------------------------------------------------ another process

    @Test
    void aSecondProcessInANewSessionReadsWithoutPossessing() {
        store.set("session.svc", "grace", Secret.of("visible to my other processes"));
        int key = keyId("session.svc", "grace");
        // a key with the kernel's default permissions (user: view only) as the control
        int control = Integer.parseInt(keyctl("add", "user", "default-perms", "hidden", Integer.toString(serviceId("session.svc"))));
        assertEquals("3f010000", keyctl("rdescribe", Integer.toString(control)).split(";", 5)[3]);

        List<String> cmd = new ArrayList<>(List.of(KernelFixture.keyctl(), "session", "-"));
        cmd.addAll(KernelFixture.childJava(System.getProperty("java.class.path"),
                "read", namespace, "session.svc", "grace", Integer.toString(key), Integer.toString(control)));
        String out = KernelFixture.run(cmd).ok().out();
        String hex = HexFormat.of().formatHex("visible to my other processes".getBytes(StandardCharsets.UTF_8));
        assertTrue(out.contains("direct=" + hex), "read by id without possession: " + out);
        assertTrue(out.contains("control=errno:" + KeyctlSyscalls.EACCES), "the child does not possess keys: " + out);
        assertTrue(out.contains("store=" + hex), "read through the store: " + out);
        assertTrue(out.contains("storeControl=AccessDeniedException"), out);
    }

    /**
     * Runs {@code script} with sh in a fresh session keyring that links this user's {@code @u}, as
     * pam_keyinit sessions do; {@code $U} is that user keyring's id and {@code nobody CMD…} runs CMD
     * as uid/gid 65534, which keeps the session and so possesses everything reachable from it.
     */
    private static String inASessionLinkingMyUserKeyring(String script, String... args) {
        Path setpriv = Prerequisites.requireProgram("setpriv");
        Prerequisites.require(ErrnoMapper.currentUid() == 0, "root, to start processes as the unprivileged uid 65534 (tests run as root in CI)");
        String prelude = "keyctl link @u @s >/dev/null || exit 3\n"
                + "U=$(keyctl id @u)\n"
                + "nobody() { '" + setpriv + "' --reuid=65534 --regid=65534 --clear-groups \"$@\"; }\n";
        List<String> cmd = new ArrayList<>(List.of(KernelFixture.keyctl(), "session", "-", "sh", "-c", prelude + script, "sh"));
        cmd.addAll(List.of(args));
        return KernelFixture.run(cmd).ok().out();
    }

    /** The line {@code name=…} of a script's output. */
    private static String line(String out, String name) {
        return out.lines().filter(l -> l.startsWith(name + "=")).findFirst()
                .orElseThrow(() -> new AssertionError("no " + name + "= in: " + out)).substring(name.length() + 1);
    }

    @Test
    void aProcessOfAnotherUidThatPossessesTheKeysCanNeitherReadNorChangeThem() {
        store.set("possess.svc", "olga", Secret.of("root only 7f3a"));
        int key = keyId("possess.svc", "olga");
        String out = inASessionLinkingMyUserKeyring("""
                echo "control=$(nobody keyctl rdescribe "$U" 2>&1)"
                echo "print=$(nobody keyctl print "$1" 2>&1)"
                echo "searchSession=$(nobody keyctl search @s user olga 2>&1)"
                echo "searchService=$(nobody keyctl search "$2" user olga 2>&1)"
                echo "describe=$(nobody keyctl rdescribe "$1" 2>&1)"
                echo "update=$(nobody keyctl update "$1" planted 2>&1)"
                echo "link=$(nobody keyctl link "$1" @s 2>&1)"
                echo "timeout=$(nobody keyctl timeout "$1" 1 2>&1)"
                echo "listService=$(nobody keyctl rlist "$2" 2>&1)"
                echo "addToService=$(nobody keyctl add user intruder planted "$2" 2>&1)"
                echo "listNamespace=$(nobody keyctl rlist "$3" 2>&1)"
                echo "linkService=$(nobody keyctl link "$2" @s 2>&1)"
                echo "timeoutService=$(nobody keyctl timeout "$2" 1 2>&1)"
                """, Integer.toString(key), Integer.toString(serviceId("possess.svc")), Integer.toString(nsId()));
        // the setup is the finding's: uid 65534 possesses root's user keyring through the session
        assertTrue(line(out, "control").startsWith("keyring;0;"), "uid 65534 possesses @u of uid 0: " + out);
        assertFalse(out.contains("root only 7f3a"), out);
        for (String refused : List.of("print", "searchService", "describe", "update", "link", "timeout",
                "listService", "addToService", "listNamespace", "linkService", "timeoutService")) {
            assertTrue(line(out, refused).endsWith("Permission denied"), refused + " is refused with EACCES: " + out);
        }
        // a recursive search skips keyrings it may not search: nothing found
        assertTrue(line(out, "searchSession").endsWith("Required key not available"), out);
        assertEquals("root only 7f3a", store.get("possess.svc", "olga").orElseThrow().asString());
        assertEquals(List.of(new CredentialId("possess.svc", "olga")), store.list());
    }

    @Test
    void aNamespaceKeyringPlantedByAnotherUidIsRefused() {
        store.set("plant.svc", "olga", Secret.of("genuine"));
        // uid 65534 may write to root's @u it possesses: it swaps the namespace keyring for its own
        String out = inASessionLinkingMyUserKeyring("""
                nobody keyctl unlink "$1" "$U" >/dev/null 2>&1
                ns=$(nobody keyctl newring "$2" "$U") && svc=$(nobody keyctl newring plant.svc "$ns") \
                  && nobody keyctl add user olga planted "$svc" >/dev/null && nobody keyctl setperm "$ns" 0x3f3f3f3f \
                  && nobody keyctl setperm "$svc" 0x3f3f3f3f
                echo "planted=$ns"
                """, Integer.toString(nsId()), namespace);
        int planted = Integer.parseInt(line(out, "planted"));
        try (KernelKeyStore fresh = KernelFixture.open(namespace)) {
            assertEquals(planted, nsId(), "the other uid's keyring now has the namespace's name: " + out);
            AccessDeniedException e = assertThrows(AccessDeniedException.class, () -> fresh.get("plant.svc", "olga"));
            assertTrue(e.getMessage().contains("uid 65534") && e.getMessage().contains("keyctl unlink " + planted), e.getMessage());
            assertTrue(e.getMessage().endsWith("(see docs/troubleshooting.md#access-denied)"), e.getMessage());
            assertThrows(AccessDeniedException.class, () -> fresh.set("plant.svc", "olga", Secret.of("for the intruder")));
            assertThrows(AccessDeniedException.class, fresh::list);
            assertFalse(keyctl("show", Integer.toString(planted)).contains("for the intruder"));
            keyctl("unlink", Integer.toString(planted), "@u");
            fresh.set("plant.svc", "olga", Secret.of("again mine"));
            assertEquals("again mine", fresh.get("plant.svc", "olga").orElseThrow().asString());
            KernelFixture.removeNamespace(namespace);
        } finally {
            KernelFixture.run(List.of(KernelFixture.keyctl(), "unlink", Integer.toString(planted), "@u")); // gone already when the test passed
        }
    }

    @Test
    void keyringsLeftWithTheEarlierMaskAreTightened() {
        store.set("legacy.svc", "olga", Secret.of("written by 0.x"));
        int key = keyId("legacy.svc", "olga");
        for (int id : new int[] {nsId(), serviceId("legacy.svc"), key}) keyctl("setperm", Integer.toString(id), "0x3f3f0000");
        try (KernelKeyStore upgraded = KernelFixture.open(namespace)) {
            assertEquals("written by 0.x", upgraded.get("legacy.svc", "olga").orElseThrow().asString());
        }
        for (int id : new int[] {nsId(), serviceId("legacy.svc")}) {
            assertEquals("003f0000", keyctl("rdescribe", Integer.toString(id)).split(";", 5)[3]);
        }
        // the key keeps its mask, but a possessor of another uid can no longer reach it
        String out = inASessionLinkingMyUserKeyring("echo \"print=$(nobody keyctl print \"$1\" 2>&1)\"\n", Integer.toString(key));
        assertTrue(line(out, "print").endsWith("Permission denied"), out);
    }

    @Test
    void twoProcessesRacingToCreateServicesEndWithOneKeyringEach() throws Exception {
        Path dir = Files.createTempDirectory("kernel-race");
        Path start = dir.resolve("start");
        int rounds = 30;
        List<Process> children = new ArrayList<>();
        try {
            for (String tag : List.of("p1", "p2")) {
                children.add(new ProcessBuilder(KernelFixture.childJava(System.getProperty("java.class.path"),
                        "race", namespace, start.toString(), tag, Integer.toString(rounds)))
                        .redirectErrorStream(true).redirectOutput(dir.resolve(tag + ".out").toFile()).start());
            }
            Thread.sleep(1500); // let both JVMs start and spin on the start file; correctness does not depend on it
            Files.writeString(start, "go");
            for (Process p : children) {
                assertTrue(p.waitFor(2, TimeUnit.MINUTES), "child finished");
                assertEquals(0, p.exitValue());
            }
            for (String tag : List.of("p1", "p2")) {
                String out = Files.readString(dir.resolve(tag + ".out"));
                assertTrue(out.contains("done=" + tag), out);
            }
            int[] ids = KeyctlSyscalls.ids(KeyctlSyscalls.readKeyring(nsId()).bytes());
            assertEquals(rounds, ids.length, "one keyring per service in the namespace");
            for (int i = 0; i < rounds; i++) {
                assertEquals("p1" + i, store.get("race" + i, "p1").orElseThrow().asString());
                assertEquals("p2" + i, store.get("race" + i, "p2").orElseThrow().asString());
            }
        } finally {
            children.forEach(Process::destroyForcibly);
            try (var files = Files.list(dir)) {
                for (Path p : files.toList()) Files.delete(p);
            }
            Files.delete(dir);
        }
    }

    // ------------------------------------------------------------------ expiry

    /**
     * The kernel drops a key when its expiry second starts: a 1 s timeout set just before a second
     * boundary would be gone a few milliseconds later. Written at x.990 s and read just past the
     * boundary, the key must still be there (it failed the contract's ttl rule in CI that way).
     */
    @Test
    void aTtlIsNeverCutShortAtASecondBoundary() throws Exception {
        for (int i = 0; i < 3; i++) {
            Thread.sleep((1990 - System.currentTimeMillis() % 1000) % 1000);
            store.set("ttl.svc", "edge", Secret.of("still here"), Duration.ofSeconds(1));
            Thread.sleep(30);
            assertEquals("still here", store.get("ttl.svc", "edge").map(Secret::asString).orElse("<gone>"), "round " + i);
        }
        store.delete("ttl.svc", "edge");
    }

    @Test
    void aKeyWithATtlExpiresAndThenReadsAsAbsent() throws Exception {
        store.set("ttl.svc", "short", Secret.of("soon gone"), Duration.ofMillis(1200));
        store.set("ttl.svc", "long", Secret.of("stays"));
        assertEquals("soon gone", store.get("ttl.svc", "short").orElseThrow().asString());
        String[] timeout = keyctl("rdescribe", Integer.toString(keyId("ttl.svc", "short"))).split(";");
        assertEquals("user", timeout[0]);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (store.get("ttl.svc", "short").isPresent()) {
            assertTrue(System.nanoTime() < deadline, "the key never expired");
            Thread.sleep(100);
        }
        assertTrue(store.get("ttl.svc", "short").isEmpty());
        assertFalse(store.list("ttl.svc").contains(new CredentialId("ttl.svc", "short")), "an expired key is not listed");
        assertEquals("stays", store.get("ttl.svc", "long").orElseThrow().asString());
        assertFalse(store.delete("ttl.svc", "short"), "deleting an expired key finds nothing");
    }

    @Test
    void aSetWithoutTtlClearsAnEarlierExpiry() throws Exception {
        store.set("ttl.clear", "k", Secret.of("first"), Duration.ofSeconds(1));
        store.set("ttl.clear", "k", Secret.of("second"));
        Thread.sleep(2500); // past the first expiry; the second set removed it
        assertEquals("second", store.get("ttl.clear", "k").orElseThrow().asString());
    }

    @Test
    void ttlMustBePositive() {
        assertThrows(IllegalArgumentException.class, () -> store.set("ttl.bad", "k", Secret.of("v"), Duration.ZERO));
        assertThrows(IllegalArgumentException.class, () -> store.set("ttl.bad", "k", Secret.of("v"), Duration.ofSeconds(-1)));
        assertTrue(store.list("ttl.bad").isEmpty());
    }

    // ------------------------------------------------------------------ limits and names

    @Test
    void secretsUpToTheKernelLimit() {
        byte[] max = new byte[EntryKind.USER_MAX];
        Arrays.fill(max, (byte) 7);
        store.set("size.svc", "max", Secret.of(max));
        assertArrayEquals(max, store.get("size.svc", "max").orElseThrow().asBytes());
        byte[] over = new byte[32 * 1024 + 1];
        if (KernelFixture.maxSecretBytes() == EntryKind.USER_MAX) {
            // no big_key here (add_key gives ENODEV): refused with the limit, nothing written
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> store.set("size.svc", "over", Secret.of(over)));
            assertTrue(e.getMessage().contains("32767"), e.getMessage());
            assertTrue(e.getMessage().contains("big_key"), e.getMessage());
            assertTrue(store.get("size.svc", "over").isEmpty());
            assertTrue(store.list().stream().noneMatch(id -> id.account().equals("over")));
        } else {
            store.set("size.svc", "over", Secret.of(over));
            assertArrayEquals(over, store.get("size.svc", "over").orElseThrow().asBytes());
            assertTrue(keyctl("show", Integer.toString(serviceId("size.svc"))).contains("big_key: over"));
            // shrinking back to a user key leaves no big_key behind
            store.set("size.svc", "over", Secret.of("small"));
            assertEquals(List.of("max", "over"), store.list("size.svc").stream().map(CredentialId::account).sorted().toList());
        }
    }

    @Test
    void namesTheKernelCannotHoldAreRefusedBeforeWriting() {
        String longest = "n".repeat(NameCodec.NAME_MAX);
        store.set(longest, "é".repeat(NameCodec.NAME_MAX / 2), Secret.of("fits"));
        assertEquals("fits", store.get(longest, "é".repeat(NameCodec.NAME_MAX / 2)).orElseThrow().asString());
        List<CredentialId> before = store.list();
        String tooLong = "n".repeat(NameCodec.NAME_MAX + 1);
        String tooLongUtf8 = "é".repeat(NameCodec.NAME_MAX / 2 + 1); // 4097 bytes in 2049 chars
        for (String[] bad : new String[][] {
                {"nul\0service", "a"}, {"svc", "nul\0account"}, {tooLong, "a"}, {"svc", tooLongUtf8},
                {"svc", "unpaired \uD800 surrogate"}, {"", "a"}, {"svc", ""}}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> store.set(bad[0], bad[1], Secret.of("x")));
            assertFalse(e.getMessage().contains("\0"));
            assertThrows(IllegalArgumentException.class, () -> store.get(bad[0], bad[1]));
            assertThrows(IllegalArgumentException.class, () -> store.delete(bad[0], bad[1]));
        }
        assertEquals(before, store.list(), "nothing was written");
        assertEquals(1, KeyctlSyscalls.ids(KeyctlSyscalls.readKeyring(nsId()).bytes()).length, "no service keyring was created");
    }

    // ------------------------------------------------------------------ errno mapping

    @Test
    void aRevokedKeyReadsAsAbsent() {
        store.set("revoke.svc", "heidi", Secret.of("revoke me"));
        store.set("revoke.svc", "ivan", Secret.of("keep me"));
        keyctl("revoke", Integer.toString(keyId("revoke.svc", "heidi")));
        assertTrue(store.get("revoke.svc", "heidi").isEmpty());
        assertEquals(List.of("ivan"), store.list("revoke.svc").stream().map(CredentialId::account).toList());
        store.set("revoke.svc", "heidi", Secret.of("again"));
        assertEquals("again", store.get("revoke.svc", "heidi").orElseThrow().asString());
    }

    @Test
    void aKeyThatMayNotBeReadIsAccessDeniedNeverAbsent() {
        store.set("deny.svc", "judy", Secret.of("not for you"));
        int key = keyId("deny.svc", "judy");
        // possessor: view only; user: nothing (a possessed key that is searchable stays readable, so search goes too)
        keyctl("setperm", Integer.toString(key), "0x01000000");
        AccessDeniedException e = assertThrows(AccessDeniedException.class, () -> store.get("deny.svc", "judy"));
        assertTrue(e.getMessage().contains("EACCES"), e.getMessage());
        assertTrue(e.getMessage().endsWith("(see docs/troubleshooting.md#access-denied)"), e.getMessage());
        assertFalse(e.getMessage().contains("not for you"));
    }

    @Test
    void quotaExhaustionIsQuotaExceededAndKeepsEarlierKeys() throws IOException {
        Path setpriv = Prerequisites.requireProgram("setpriv");
        Prerequisites.require(ErrnoMapper.currentUid() == 0, "root, to start a child as the unprivileged uid 65534 (tests run as root in CI)");
        // the unprivileged child cannot read /root: give it a world-readable copy of the class path
        Path copy = Files.createTempDirectory("kernel-quota-cp");
        try {
            List<String> entries = new ArrayList<>();
            int i = 0;
            for (String e : System.getProperty("java.class.path").split(java.io.File.pathSeparator)) {
                Path src = Path.of(e);
                if (!Files.exists(src)) continue;
                Path dst = copy.resolve((i++) + "-" + src.getFileName());
                copyTree(src, dst);
                entries.add(dst.toString());
            }
            Path jnaTmp = Files.createDirectory(copy.resolve("jna-tmp"));
            makeReadable(copy);
            jnaTmp.toFile().setWritable(true, false);
            List<String> cmd = new ArrayList<>(List.of(setpriv.toString(), "--reuid=65534", "--regid=65534", "--clear-groups"));
            List<String> javaCmd = KernelFixture.childJava(String.join(java.io.File.pathSeparator, entries), "quota", namespace);
            cmd.addAll(javaCmd.subList(0, 1));
            cmd.add("-Djna.tmpdir=" + jnaTmp);
            cmd.add("-Duser.home=" + jnaTmp);
            cmd.addAll(javaCmd.subList(1, javaCmd.size()));
            String out = KernelFixture.run(cmd).ok().out();
            assertTrue(out.contains("exception=QuotaExceededException"), out);
            assertTrue(out.matches("(?s).*stored=[1-9][0-9]*.*"), "some keys fit before the quota ran out: " + out);
            String maxbytes = Files.readAllLines(Path.of("/proc/sys/kernel/keys/maxbytes")).get(0).trim();
            String maxkeys = Files.readAllLines(Path.of("/proc/sys/kernel/keys/maxkeys")).get(0).trim();
            assertTrue(out.contains("/proc/sys/kernel/keys/maxbytes = " + maxbytes), "the message names the quota and its value: " + out);
            assertTrue(out.contains("/proc/sys/kernel/keys/maxkeys = " + maxkeys), out);
            assertTrue(out.contains("EDQUOT") && out.contains("#quota"), out);
            assertTrue(out.contains("overwrite=QuotaExceededException"), out);
            assertTrue(out.contains("intact=true"), "earlier keys intact: " + out);
        } finally {
            deleteTree(copy);
        }
    }

    @Test
    void theCacheRecoversWhenKeyringsAreRemovedBehindItsBack() {
        store.set("cache.svc", "kate", Secret.of("one"));
        int oldService = serviceId("cache.svc");
        keyctl("unlink", Integer.toString(oldService), Integer.toString(nsId()));
        awaitGarbageCollected(oldService);
        assertTrue(store.get("cache.svc", "kate").isEmpty(), "the removed keyring's key is gone");
        store.set("cache.svc", "kate", Secret.of("two"));
        assertNotEquals(oldService, serviceId("cache.svc"), "a new service keyring");
        assertEquals("two", store.get("cache.svc", "kate").orElseThrow().asString());

        // the namespace keyring itself, too
        int oldNamespace = nsId();
        int secondService = serviceId("cache.svc");
        keyctl("unlink", Integer.toString(oldNamespace), "@u");
        awaitGarbageCollected(oldNamespace);
        awaitGarbageCollected(secondService); // destroyed with its namespace, one collector pass later
        assertTrue(store.get("cache.svc", "kate").isEmpty());
        assertTrue(store.list().isEmpty());
        store.set("cache.svc", "kate", Secret.of("three"));
        assertEquals("three", store.get("cache.svc", "kate").orElseThrow().asString());
        try (KernelKeyStore other = KernelFixture.open(namespace)) {
            assertEquals("three", other.get("cache.svc", "kate").orElseThrow().asString());
        }
    }

    /** An unlinked keyring lives until the kernel's garbage collector (a work item, normally at once) destroys it. */
    private static void awaitGarbageCollected(int id) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (KeyctlSyscalls.describe(id).ok()) {
            assertTrue(System.nanoTime() < deadline, "keyring " + id + " was never garbage-collected");
            Thread.onSpinWait();
        }
    }

    @Test
    void deletingTheLastAccountRemovesTheServiceKeyring() {
        store.set("empty.svc", "a", Secret.of("1"));
        store.set("empty.svc", "b", Secret.of("2"));
        assertTrue(store.delete("empty.svc", "a"));
        assertEquals(1, KeyctlSyscalls.ids(KeyctlSyscalls.readKeyring(nsId()).bytes()).length);
        assertTrue(store.delete("empty.svc", "b"));
        assertEquals(0, KeyctlSyscalls.ids(KeyctlSyscalls.readKeyring(nsId()).bytes()).length, "the empty service keyring is gone");
        store.set("empty.svc", "c", Secret.of("3"));
        assertEquals("3", store.get("empty.svc", "c").orElseThrow().asString());
    }

    // ------------------------------------------------------------------ targets and provider

    @Test
    void everyTargetKeyringRoundTrips() {
        for (String target : List.of("process", "session", "user", "persistent")) {
            String ns = "keyring4j-target-" + UUID.randomUUID();
            try (KernelKeyStore s = KernelFixture.open(ns, target)) {
                try {
                    s.set("target.svc", "acct", Secret.of("in " + target));
                    assertEquals("in " + target, s.get("target.svc", "acct").orElseThrow().asString(), target);
                    assertEquals(List.of(new CredentialId("target.svc", "acct")), s.list(), target);
                    assertTrue(s.delete("target.svc", "acct"), target);
                } finally {
                    KernelFixture.removeNamespace(ns, target);
                }
            }
        }
    }

    @Test
    void thePersistentKeyringHoldsTheNamespace() {
        String ns = "keyring4j-persistent-" + UUID.randomUUID();
        try (KernelKeyStore s = KernelFixture.open(ns, "persistent")) {
            try {
                s.set("persist.svc", "acct", Secret.of("survives logout"));
                // one keyctl session, so that get_persistent links the keyring where the next command possesses it
                String show = keyctl("session", "-", "sh", "-c", "keyctl show $(keyctl get_persistent @s)");
                assertTrue(show.contains("keyring: _persistent."), show);
                assertTrue(show.contains("keyring: " + ns), "the namespace hangs from _persistent.<uid>: " + show);
                assertTrue(show.contains("user: acct"), show);
            } finally {
                KernelFixture.removeNamespace(ns, "persistent");
            }
        }
    }

    @Test
    void providerDescribesItself() {
        KernelKeyringProvider p = new KernelKeyringProvider();
        assertEquals("kernel", p.id());
        BackendConfig config = BackendConfig.of("kernel", Map.of(), Map.of());
        var caps = p.capabilities();
        assertTrue(caps.writable() && caps.expiry() && caps.listable());
        assertFalse(caps.persistent() || caps.encryptedAtRest());
        assertEquals(caps, store.capabilities());
        var candidate = p.probe(config);
        assertEquals(caps, candidate.capabilities());
        var a = candidate.availability();
        assertTrue(a.isAvailable(), a.reason());
        assertEquals(5, a.priority());
        assertEquals(5, p.priority());
        assertEquals(java.util.Set.of("keyring", "namespace", "watch-interval"),
                p.settings().stream().map(dev.keyring4j.spi.Setting::key).collect(java.util.stream.Collectors.toSet()));
        KeyringException bad = assertThrows(dev.keyring4j.ConfigurationException.class,
                () -> p.probe(BackendConfig.of("kernel", Map.of("keyring", "thread"), Map.of())));
        assertTrue(bad.getMessage().contains("kernel.keyring"), bad.getMessage());
        KeyringException badNamespace = assertThrows(dev.keyring4j.ConfigurationException.class,
                () -> p.probe(BackendConfig.of("kernel", Map.of("namespace", "nul\0namespace"), Map.of())));
        assertTrue(badNamespace.getMessage().contains("kernel.namespace"), badNamespace.getMessage());
        assertTrue(dev.keyring4j.Keyring.backends().stream().anyMatch(b -> b.id().equals("kernel") && b.available()),
                "discovered through ServiceLoader");
    }

    @Test
    void secretsStayOutOfMessagesAndToString() {
        store.set("tostring.svc", "leo", Secret.of("hunter2"));
        assertFalse(store.toString().contains("hunter2"));
        assertFalse(store.get("tostring.svc", "leo").orElseThrow().toString().contains("hunter2"));
    }

    @Test
    void valuesWrittenByOneStoreAreReadByAnother() {
        store.set("shared.svc", "mia", Secret.of("shared"));
        try (KernelKeyStore other = KernelFixture.open(namespace)) {
            assertEquals(Optional.of("shared"), other.get("shared.svc", "mia").map(Secret::asString));
            assertTrue(other.delete("shared.svc", "mia"));
        }
        assertTrue(store.get("shared.svc", "mia").isEmpty(), "the first store sees the other's delete");
    }

    // ------------------------------------------------------------------ files

    private static void copyTree(Path src, Path dst) throws IOException {
        if (Files.isDirectory(src)) {
            try (var walk = Files.walk(src)) {
                for (Path p : walk.toList()) {
                    Path t = dst.resolve(src.relativize(p).toString());
                    if (Files.isDirectory(p)) Files.createDirectories(t);
                    else Files.copy(p, t);
                }
            }
        } else {
            Files.copy(src, dst);
        }
    }

    private static void makeReadable(Path root) throws IOException {
        try (var walk = Files.walk(root)) {
            for (Path p : walk.toList()) {
                p.toFile().setReadable(true, false);
                if (Files.isDirectory(p)) p.toFile().setExecutable(true, false);
            }
        }
    }

    private static void deleteTree(Path root) throws IOException {
        try (var walk = Files.walk(root)) {
            for (Path p : walk.sorted(java.util.Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
        }
    }
}
