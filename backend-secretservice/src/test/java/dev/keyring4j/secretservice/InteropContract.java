package dev.keyring4j.secretservice;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.keyring4j.CredentialId;
import dev.keyring4j.CredentialStore;
import dev.keyring4j.Keyring;
import dev.keyring4j.KeyringConfig;
import dev.keyring4j.Secret;
import dev.keyring4j.testkit.Prerequisites;
import dev.keyring4j.testkit.SecretServiceFixture;
import dev.keyring4j.testkit.SecretServiceFixture.Result;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Interop in real processes on one private bus, whatever provider owns it: what keyring4j writes,
 * {@code secret-tool} and Debian's Python keyring read, and the other way round, deletes included.
 * A subclass starts the provider and sets {@link #fixture} (the private bus) in its {@code @BeforeAll}.
 */
abstract class InteropContract {
    static final String PYTHON = "/usr/bin/python3";
    static final Duration CHILD_TIMEOUT = Duration.ofSeconds(30);
    /** The private bus the provider under test owns org.freedesktop.secrets on. */
    static SecretServiceFixture fixture;
    private CredentialStore store;

    /** Fails (CI) or skips unless secret-tool and Debian's Python keyring are there. */
    static void requireTools() {
        Prerequisites.requireProgram("secret-tool");
        Prerequisites.requireProgram(PYTHON);
        Result r = fixture.run(List.of(PYTHON, "-c", "import keyring.backends.SecretService, secretstorage"), null, CHILD_TIMEOUT);
        Prerequisites.require(r.exitCode() == 0, "Debian's python3-keyring and python3-secretstorage for " + PYTHON + " (" + r.stderr().strip() + ")");
    }

    @BeforeEach
    void open() {
        store = Open.store(fixture.environment(), Map.of());
    }

    @AfterEach
    void cleanUp() {
        try {
            for (CredentialId id : store.list()) store.delete(id.service(), id.account());
        } finally {
            store.close();
        }
    }

    // ------------------------------------------------------------------ the tools

    private static Result ok(Result r, String what) {
        assertEquals(0, r.exitCode(), () -> what + " failed: " + r.stderr());
        return r;
    }

    private static Optional<String> secretToolLookup(String service, String account) {
        Result r = fixture.run(List.of("secret-tool", "lookup", "service", service, "username", account), null, CHILD_TIMEOUT);
        if (r.exitCode() != 0) {
            assertTrue(r.stderr().isBlank(), () -> "secret-tool lookup failed: " + r.stderr());
            return Optional.empty();
        }
        return Optional.of(r.stdout());
    }

    private static void secretToolStore(String service, String account, String secret) {
        ok(fixture.run(List.of("secret-tool", "store", "--label=stored by secret-tool", "service", service, "username", account), secret, CHILD_TIMEOUT),
                "secret-tool store");
    }

    private static String secretToolSearch(String service) {
        Result r = fixture.run(List.of("secret-tool", "search", "--all", "--unlock", "service", service), null, CHILD_TIMEOUT);
        // secret-tool prints the item's fields on stdout and stderr; one run, both streams
        return r.stdout() + "\n" + r.stderr();
    }

    /** Runs Python keyring with the SecretService backend forced; arguments go through argv, never the shell. */
    private static String python(String code, String... args) {
        List<String> cmd = new ArrayList<>(List.of(PYTHON, "-c", "import sys, keyring\n" + code));
        cmd.addAll(List.of(args));
        Result r = fixture.run(cmd, null, CHILD_TIMEOUT, Map.of("PYTHON_KEYRING_BACKEND", "keyring.backends.SecretService.Keyring", "PYTHONIOENCODING", "utf-8"));
        return ok(r, "python keyring").stdout();
    }

    private static Optional<String> pythonGet(String service, String account) {
        String out = python("v = keyring.get_password(sys.argv[1], sys.argv[2])\nprint('NONE' if v is None else 'VALUE:' + v, end='')", service, account);
        return out.equals("NONE") ? Optional.empty() : Optional.of(out.substring("VALUE:".length()));
    }

    /**
     * Whether another client's CreateItem can replace an existing item unattended. KeePassXC 2.7.4
     * answers it with an access dialog (even without "confirm access"), so secret-tool waits.
     */
    boolean otherClientsCanReplaceItems() {
        return true;
    }

    private Optional<String> get(String service, String account) {
        return store.get(service, account).map(Secret::asString);
    }

    // ------------------------------------------------------------------ keyring4j → others

    @Test
    void secretToolReadsWhatKeyring4jWrites() {
        store.set("interop.st", "alice", Secret.of("from keyring4j ✓"));
        assertEquals(Optional.of("from keyring4j ✓"), secretToolLookup("interop.st", "alice"));
    }

    @Test
    void pythonKeyringReadsWhatKeyring4jWrites() {
        store.set("interop.py", "bob", Secret.of("pÿthön-readable 🔑"));
        assertEquals(Optional.of("pÿthön-readable 🔑"), pythonGet("interop.py", "bob"));
    }

    @Test
    void itemsCarryTheEcosystemsAttributesAndLabel() {
        store.set("interop.attrs", "carol", Secret.of("x"));
        String shown = secretToolSearch("interop.attrs");
        assertTrue(shown.contains("label = Password for 'carol' on 'interop.attrs'"), shown);
        assertTrue(shown.contains("schema = org.freedesktop.Secret.Generic"), shown);
        assertTrue(shown.contains("attribute.application = keyring4j"), shown);
        assertTrue(shown.contains("attribute.username = carol"), shown);
        assertTrue(shown.contains("attribute.service = interop.attrs"), shown);
    }

    @Test
    void deletesByKeyring4jAreSeenByTheOthers() {
        store.set("interop.del", "dave", Secret.of("short-lived"));
        assertTrue(secretToolLookup("interop.del", "dave").isPresent());
        assertTrue(store.delete("interop.del", "dave"));
        assertEquals(Optional.empty(), secretToolLookup("interop.del", "dave"));
        assertEquals(Optional.empty(), pythonGet("interop.del", "dave"));
    }

    // ------------------------------------------------------------------ others → keyring4j

    @Test
    void keyring4jReadsWhatSecretToolStores() {
        secretToolStore("interop.st2", "erin", "stored by secret-tool");
        assertEquals(Optional.of("stored by secret-tool"), get("interop.st2", "erin"));
        assertEquals(List.of(new CredentialId("interop.st2", "erin")), store.list("interop.st2"));
    }

    @Test
    void keyring4jReadsWhatPythonKeyringStores() {
        python("keyring.set_password(sys.argv[1], sys.argv[2], sys.argv[3])", "interop.py2", "frank", "set by python ∑");
        assertEquals(Optional.of("set by python ∑"), get("interop.py2", "frank"));
        assertEquals("frank", store.find("interop.py2").orElseThrow().account());
    }

    @Test
    void deletesByTheOthersAreSeenByKeyring4j() {
        store.set("interop.del2", "grace", Secret.of("a"));
        python("keyring.delete_password(sys.argv[1], sys.argv[2])", "interop.del2", "grace");
        assertEquals(Optional.empty(), get("interop.del2", "grace"));

        store.set("interop.del3", "heidi", Secret.of("b"));
        ok(fixture.run(List.of("secret-tool", "clear", "service", "interop.del3", "username", "heidi"), null, CHILD_TIMEOUT), "secret-tool clear");
        assertEquals(Optional.empty(), get("interop.del3", "heidi"));
        assertFalse(store.delete("interop.del3", "heidi"));
    }

    @Test
    void pythonOverwritesKeyring4jsItemAndKeyring4jOverwritesPythons() throws Exception {
        store.set("interop.ow", "ivan", Secret.of("first"));
        // the provider counts modification time in seconds, and KeePassXC's item paths are random: make the second write newer
        Thread.sleep(1100);
        python("keyring.set_password(sys.argv[1], sys.argv[2], sys.argv[3])", "interop.ow", "ivan", "second");
        // Python keyring's replace matches its own application attribute, so there are now two items: newest wins
        assertEquals(Optional.of("second"), get("interop.ow", "ivan"));
        store.set("interop.ow", "ivan", Secret.of("third"));
        assertEquals(Optional.of("third"), pythonGet("interop.ow", "ivan"));
        assertEquals(Optional.of("third"), secretToolLookup("interop.ow", "ivan"));
        String shown = secretToolSearch("interop.ow");
        assertEquals(1, countItems(shown), () -> "one item per id after set:\n" + shown);
    }

    @Test
    void duplicatesFromOtherToolsAreResolvedNewestFirstAndSetLeavesOne() throws Exception {
        secretToolStore("interop.dup", "judy", "older");
        // the provider counts modification time in seconds: make the second write unambiguously newer
        Thread.sleep(1100);
        python("keyring.set_password(sys.argv[1], sys.argv[2], sys.argv[3])", "interop.dup", "judy", "newer");
        assertEquals(Optional.of("newer"), get("interop.dup", "judy"));
        assertEquals(List.of(new CredentialId("interop.dup", "judy")), store.list("interop.dup"), "duplicates list as one id");
        store.set("interop.dup", "judy", Secret.of("only"));
        assertEquals(Optional.of("only"), secretToolLookup("interop.dup", "judy"));
        assertEquals(Optional.of("only"), pythonGet("interop.dup", "judy"));
        String shown = secretToolSearch("interop.dup");
        assertEquals(1, countItems(shown), () -> "one item per id after set:\n" + shown);
        assertTrue(store.delete("interop.dup", "judy"));
        assertEquals(Optional.empty(), secretToolLookup("interop.dup", "judy"));
    }

    /** A set after a set writes into the item the first left; what other tools did in between still counts. */
    @Test
    void repeatedSetsRewriteTheirItemAndStillSeeOtherToolsDuplicatesAndDeletions() {
        SecretServiceStore s = (SecretServiceStore) store;
        store.set("interop.reset", "mona", Secret.of("v1"));
        String item = StoreHooks.writtenItem(s, "interop.reset", "mona");
        assertEquals(List.of(item), StoreHooks.items(s, "interop.reset", "mona"));
        store.set("interop.reset", "mona", Secret.of("v2"));
        assertEquals(List.of(item), StoreHooks.items(s, "interop.reset", "mona"), "the same item, rewritten");
        assertEquals(Optional.of("v2"), secretToolLookup("interop.reset", "mona"));

        // a duplicate another tool creates between two sets is deleted by the next one
        python("keyring.set_password(sys.argv[1], sys.argv[2], sys.argv[3])", "interop.reset", "mona", "theirs");
        assertEquals(2, StoreHooks.items(s, "interop.reset", "mona").size(), "Python keyring added its own item");
        store.set("interop.reset", "mona", Secret.of("v3"));
        assertEquals(List.of(item), StoreHooks.items(s, "interop.reset", "mona"));
        assertEquals(Optional.of("v3"), pythonGet("interop.reset", "mona"));
        assertEquals(Optional.of("v3"), secretToolLookup("interop.reset", "mona"));

        // the remembered item deleted by another tool: the next set stores a new one
        ok(fixture.run(List.of("secret-tool", "clear", "service", "interop.reset", "username", "mona"), null, CHILD_TIMEOUT), "secret-tool clear");
        store.set("interop.reset", "mona", Secret.of("v4"));
        List<String> now = StoreHooks.items(s, "interop.reset", "mona");
        assertEquals(1, now.size(), now::toString);
        assertNotEquals(item, now.get(0));
        assertEquals(now.get(0), StoreHooks.writtenItem(s, "interop.reset", "mona"));
        assertEquals(Optional.of("v4"), secretToolLookup("interop.reset", "mona"));
        assertEquals(Optional.of("v4"), get("interop.reset", "mona"));
        String shown = secretToolSearch("interop.reset");
        assertEquals(1, countItems(shown), () -> "one item per id after set:\n" + shown);
    }

    private static int countItems(String secretToolSearchOutput) {
        int n = 0;
        for (String line : secretToolSearchOutput.split("\n")) if (line.startsWith("label = ")) n++;
        return n;
    }

    /** Repeated reads reuse the item path; changes by other processes must still show at once. */
    @Test
    void repeatedReadsSeeOtherToolsChangesAtOnce() {
        store.set("interop.warm", "lena", Secret.of("v1"));
        assertEquals(Optional.of("v1"), get("interop.warm", "lena"));
        assertEquals(Optional.of("v1"), get("interop.warm", "lena"));
        if (otherClientsCanReplaceItems()) {
            // replaced in place (same attributes as keyring4j's item, so the same item)
            ok(fixture.run(List.of("secret-tool", "store", "--label=x", "service", "interop.warm", "username", "lena", "application", "keyring4j"),
                    "v2", CHILD_TIMEOUT), "secret-tool store");
            assertEquals(Optional.of("v2"), get("interop.warm", "lena"));
        }
        // a newer duplicate from Python keyring
        python("keyring.set_password(sys.argv[1], sys.argv[2], sys.argv[3])", "interop.warm", "lena", "v3");
        assertEquals(Optional.of("v3"), get("interop.warm", "lena"));
        assertEquals(Optional.of("v3"), get("interop.warm", "lena"));
        // everything deleted by another tool
        ok(fixture.run(List.of("secret-tool", "clear", "service", "interop.warm", "username", "lena"), null, CHILD_TIMEOUT), "secret-tool clear");
        assertEquals(Optional.empty(), get("interop.warm", "lena"));
    }

    /**
     * A copy another tool writes in the same second as keyring4j's item (Modified counts seconds)
     * is the newer one: keyring4j's set deletes every copy it finds, so it cannot have come first.
     * Rounds repeat until a few same-second ties were seen, so the tie rule itself is what is tested.
     */
    @Test
    void aForeignCopyTiedWithKeyring4jsItemWins() {
        SecretServiceStore s = (SecretServiceStore) store;
        int ties = 0;
        for (int round = 0; round < 20 && ties < 3; round++) {
            store.set("interop.tie", "nina", Secret.of("ours" + round));
            String ours = StoreHooks.writtenItem(s, "interop.tie", "nina");
            python("keyring.set_password(sys.argv[1], sys.argv[2], sys.argv[3])", "interop.tie", "nina", "theirs" + round);
            List<String> items = StoreHooks.items(s, "interop.tie", "nina");
            assertEquals(2, items.size(), items::toString);
            String theirs = items.get(0).equals(ours) ? items.get(1) : items.get(0);
            if (StoreHooks.modified(s, ours) == StoreHooks.modified(s, theirs)) ties++;
            assertEquals(Optional.of("theirs" + round), get("interop.tie", "nina"), "round " + round);
        }
        assertTrue(ties > 0, "no round wrote both copies within one second: the tie rule went untested");
    }

    @Test
    void unicodeNamesTravelIntact() {
        String service = "😀 service 𝄞 e\u0301";
        String account = "עברית 中文";
        store.set(service, account, Secret.of("ünïcødé"));
        assertEquals(Optional.of("ünïcødé"), pythonGet(service, account));
        python("keyring.set_password(sys.argv[1], sys.argv[2], sys.argv[3])", service, "précomposé", "from python");
        assertEquals(Optional.of("from python"), get(service, "précomposé"));
        assertNotEquals(Optional.of("from python"), get(service, "pre\u0301compose\u0301"), "no normalisation: combining is a different name");
    }

    @Test
    void namesDBusCannotCarryAreRefusedBeforeAnythingIsWritten() {
        org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class, () -> store.set("interop.nul\0x", "a", Secret.of("x")));
        org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class, () -> store.set("interop.surrogate", "a\uD800", Secret.of("x")));
        assertTrue(store.list().isEmpty());
    }

    @Test
    void discoveryFindsTheBackendAndOpensItOnThePrivateBus() {
        KeyringConfig config = KeyringConfig.builder().backend("secret-service").environment(fixture.environment())
                .userFile(fixture.directory().resolve("none.properties")).systemFile(fixture.directory().resolve("none.properties")).build();
        try (CredentialStore s = Keyring.open(config)) {
            assertEquals("secret-service", s.id());
            s.set("interop.discovery", "kim", Secret.of("found"));
            assertEquals(Optional.of("found"), secretToolLookup("interop.discovery", "kim"));
        }
    }
}
