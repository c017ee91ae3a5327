package dev.keyring4j.env;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.keyring4j.Credential;
import dev.keyring4j.CredentialId;
import dev.keyring4j.CredentialStore;
import dev.keyring4j.KeyringException;
import dev.keyring4j.ReadOnlyStoreException;
import dev.keyring4j.Secret;
import dev.keyring4j.spi.BackendConfig;
import dev.keyring4j.testkit.Gens;
import dev.keyring4j.testkit.PropertyCheck;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EnvStoreTest {
    private static CredentialStore store(Map<String, String> env) {
        return new EnvProvider().probe(BackendConfig.of("env", Map.of(), env)).open();
    }

    private static CredentialStore store(Map<String, String> env, String prefix) {
        return new EnvProvider().probe(BackendConfig.of("env", Map.of("prefix", prefix), env)).open();
    }

    @Test
    void lowercaseSpellingWinsOverUppercase() {
        CredentialStore s = store(Map.of("keyring4j_github_com_alice", "lower", "KEYRING4J_GITHUB_COM_ALICE", "upper"));
        assertEquals("lower", s.get("github.com", "alice").orElseThrow().asString());
        CredentialStore upperOnly = store(Map.of("KEYRING4J_GITHUB_COM_ALICE", "upper"));
        assertEquals("upper", upperOnly.get("github.com", "alice").orElseThrow().asString());
        assertEquals("upper", upperOnly.get("GitHub.com", "Alice").orElseThrow().asString(), "case folds");
    }

    @Test
    void otherCharactersAreEscapedByCodePoint() {
        // was KEYRING4J_HTTPS___REG_EXAMPLE_DEV_8443_CI_BOT_EXAMPLE_COM, which every look-alike also read
        CredentialStore s = store(Map.of("KEYRING4J_HTTPS__3A___2F___2F_REG_EXAMPLE_DEV__3A_8443_CI__2D_BOT__40_EXAMPLE__2E_COM", "tok"));
        assertEquals("tok", s.get("https://reg.example.dev:8443", "ci-bot@example.com").orElseThrow().asString());
        assertEquals(List.of(new CredentialId("https://reg.example.dev:8443", "ci-bot@example.com")), s.list("https://reg.example.dev:8443"));
    }

    /** Found by EnvNamesFuzzTest: an empty or blank prefix was a ConfigurationException, not the documented IllegalArgumentException. */
    @Test
    void anEmptyPrefixIsTheDocumentedIllegalArgument() {
        assertThrows(IllegalArgumentException.class, () -> EnvVariableNames.credential("", "svc", "acct"));
        assertThrows(IllegalArgumentException.class, () -> EnvVariableNames.credential(" \t", "svc", "acct"));
        assertThrows(IllegalArgumentException.class, () -> EnvVariableNames.token("", "svc"));
    }

    /** Found by EnvNamesFuzzTest: a name holding U+0000 was read by get() but never listed (decode took it for its own cut placeholder). */
    @Test
    void aNameWithANulIsListedAsGetReadsIt() {
        CredentialId id = new CredentialId("svc", "a\0b");
        CredentialStore s = store(Map.of(EnvVariableNames.credential("KEYRING4J", id.service(), id.account()), "v"));
        assertEquals("v", s.get(id.service(), id.account()).orElseThrow().asString());
        assertEquals(List.of(id), s.list());
        assertEquals(Optional.of(id), EnvNames.decode(EnvNames.encodeService("svc") + "_" + EnvNames.encodeAccount("a\0b")).flatMap(EnvNames.Decoded::pair));
    }

    // issue 19, finding 1: one host's token must never be offered to a look-alike host

    @Test
    void aLookAlikeHostNeverReadsAnotherHostsToken() {
        String service = "git:https://git.example.com";
        Map<String, String> env = Map.of(
                EnvVariableNames.token("KEYRING4J", service), "ci-token",
                EnvVariableNames.token("KEYRING4J", service) + "_ID", "ci",
                // the variables the review used, in the old folded spelling: read by nobody now
                "KEYRING4J_GIT_HTTPS___GIT_EXAMPLE_COM", "old-fold-token",
                "KEYRING4J_GIT_HTTPS___GIT_EXAMPLE_COM_ID", "old-ci");
        CredentialStore s = store(env);
        Credential c = s.find(service).orElseThrow();
        assertEquals("ci", c.account());
        assertEquals("ci-token", c.secret().asString());
        for (String lookAlike : List.of("git:https://git-example.com", "git:https://git_example.com", "git:https://git", "git:https://git.example",
                "git:https://git.example.com.evil", "git:https://git.example.co", "git:http://git.example.com", "git:https:/git.example.com",
                "git:https://git.example.com:443", "git:https://git.example.com/x", "git-https://git.example.com", "git.https://git.example.com")) {
            assertTrue(s.find(lookAlike).isEmpty(), lookAlike);
            assertTrue(s.get(lookAlike, "ci").isEmpty(), lookAlike);
            assertTrue(s.list(lookAlike).isEmpty(), lookAlike);
        }
        // a pair whose variable would be the token's: host "git.example", user "com"
        assertTrue(s.get("git:https://git.example", "com").isEmpty());
    }

    @Test
    void noPrefixMatching() {
        CredentialStore s = store(Map.of("KEYRING4J_GIT_EXAMPLE_COM_ALICE", "alice-secret", "KEYRING4J_REGISTRY_EXAMPLE_COM", "reg",
                "KEYRING4J_REGISTRY_EXAMPLE_COM_ID", "bob"));
        assertEquals("alice-secret", s.get("git.example.com", "alice").orElseThrow().asString());
        assertEquals("alice", s.find("git.example.com").orElseThrow().account());
        for (String prefixOfIt : List.of("git", "git.example", "git.example.com.alice", "git-example.com")) {
            assertTrue(s.find(prefixOfIt).isEmpty(), prefixOfIt);
            assertTrue(s.list(prefixOfIt).isEmpty(), prefixOfIt);
        }
        assertTrue(s.find("registry-example.com").isEmpty());
        assertEquals("bob", s.find("registry.example.com").orElseThrow().account());
        assertTrue(s.get("registry.example", "com").isEmpty(), "the token's variable is not a pair of a shorter service");
    }

    @Test
    void aDottedServiceTokenNeedsItsId() {
        CredentialStore s = store(Map.of("KEYRING4J_API_EXAMPLE_COM", "t"));
        assertTrue(s.find("api.example.com").isEmpty(), "without _ID the variable is account com of api.example");
        assertEquals(List.of(new CredentialId("api.example", "com")), s.list());
    }

    @Test
    void accountsNamedIdOrFileCannotBeHeld() {
        CredentialStore s = store(Map.of("KEYRING4J_BUNNY", "t", "KEYRING4J_BUNNY_ID", "x", "KEYRING4J_BUNNY_FILE_X", "y"));
        assertTrue(s.get("bunny", "id").isEmpty());
        assertTrue(s.get("bunny", "file").isEmpty());
        assertThrows(IllegalArgumentException.class, () -> EnvVariableNames.credential("KEYRING4J", "bunny", "ID"));
    }

    // issue 19, finding 10: keyring4j's own settings are never credentials

    @Test
    void thePassphraseVariableIsNoCredential() {
        CredentialStore s = store(Map.of("KEYRING4J_PASSPHRASE", "hunter2-do-not-list", "KEYRING4J_BACKEND", "env",
                "KEYRING4J_CONFIG", "/etc/x", "keyring4j_passphrase", "lower"));
        assertTrue(s.list().isEmpty(), s.list().toString());
        assertTrue(s.get("passphrase", "default").isEmpty());
        assertTrue(s.find("passphrase").isEmpty());
        assertTrue(s.find("backend").isEmpty());
        assertTrue(new EnvProvider().probe(BackendConfig.of("env", Map.of(), Map.of("KEYRING4J_PASSPHRASE", "p"))).availability().reason().contains("0 variable"));
    }

    @Test
    void withAnotherPrefixTheSameWordsAreOrdinaryServices() {
        CredentialStore s = store(Map.of("MYAPP_PASSPHRASE", "p"), "myapp");
        assertEquals("p", s.find("passphrase").orElseThrow().secret().asString());
    }

    @Test
    void fileVariableReadsTheFileWithoutItsTrailingNewline(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("secret");
        Files.writeString(f, "from-file\n");
        CredentialStore s = store(Map.of("KEYRING4J_DB_APP_FILE", f.toString()));
        assertEquals("from-file", s.get("db", "app").orElseThrow().asString());
        assertEquals(List.of(new CredentialId("db", "app")), s.list("db"));
    }

    @Test
    void unreadableFileIsAnErrorNotAbsent(@TempDir Path dir) {
        CredentialStore s = store(Map.of("KEYRING4J_DB_APP_FILE", dir.resolve("missing").toString()));
        KeyringException e = assertThrows(KeyringException.class, () -> s.get("db", "app"));
        assertTrue(e.getMessage().contains("KEYRING4J_DB_APP_FILE"), e.getMessage());
        assertTrue(e.getMessage().contains("docs/troubleshooting.md#"), e.getMessage());
    }

    @Test
    void aFileThatIsNoRegularFileIsRefusedAtOnceAndNotListed(@TempDir Path dir) throws Exception {
        Path fifo = dir.resolve("fifo");
        assertEquals(0, new ProcessBuilder("mkfifo", fifo.toString()).inheritIO().start().waitFor());
        CredentialStore s = store(Map.of("KEYRING4J_Z_A_FILE", "/dev/zero", "KEYRING4J_Z_B_FILE", fifo.toString(), "KEYRING4J_Z_C", "c"));
        KeyringException zero = assertTimeoutPreemptively(java.time.Duration.ofSeconds(5), () -> assertThrows(KeyringException.class, () -> s.get("z", "a")));
        assertEquals("the file /dev/zero named by KEYRING4J_Z_A_FILE is a character device, not a regular file; only a regular file of at most"
                + " 1048576 bytes (1 MiB) is read; fix KEYRING4J_Z_A_FILE or the file (see docs/troubleshooting.md#store-error)", zero.getMessage());
        KeyringException pipe = assertTimeoutPreemptively(java.time.Duration.ofSeconds(5), () -> assertThrows(KeyringException.class, () -> s.get("z", "b")));
        assertTrue(pipe.getMessage().contains("is a FIFO (named pipe), not a regular file"), pipe.getMessage());
        assertEquals(List.of(new CredentialId("z", "c")), s.list("z"), "list names only what get reads");
    }

    @Test
    void bothValueAndFileSetIsAnError(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("secret");
        Files.writeString(f, "x");
        CredentialStore s = store(Map.of("KEYRING4J_DB_APP", "value-do-not-leak", "KEYRING4J_DB_APP_FILE", f.toString()));
        KeyringException e = assertThrows(KeyringException.class, () -> s.get("db", "app"));
        assertFalse(e.getMessage().contains("value-do-not-leak"));
    }

    @Test
    void findReturnsTheServiceTokenWithItsId() {
        CredentialStore s = store(Map.of("KEYRING4J_BUNNY", "token-value", "KEYRING4J_BUNNY_ID", "bunny-user"));
        Credential c = s.find("bunny").orElseThrow();
        assertEquals("bunny-user", c.account());
        assertEquals("token-value", c.secret().asString());
        assertEquals("token-value", s.get("bunny", "bunny-user").orElseThrow().asString(), "get agrees with find");
        assertEquals(List.of(new CredentialId("bunny", "bunny-user")), s.list("bunny"));
        assertTrue(s.list().contains(new CredentialId("bunny", "bunny-user")));
    }

    @Test
    void tokenWithoutIdIsKnownAsDefault() {
        CredentialStore s = store(Map.of("KEYRING4J_BUNNY", "token-value"));
        assertEquals("default", s.find("bunny").orElseThrow().account());
        assertEquals("token-value", s.get("bunny", "default").orElseThrow().asString());
    }

    @Test
    void prefixIsConfigurable() {
        CredentialStore s = store(Map.of("MYAPP_DB_APP", "p", "KEYRING4J_DB_APP", "other"), "myapp");
        assertEquals("p", s.get("db", "app").orElseThrow().asString());
    }

    @Test
    void writesAreRefusedWithHowToProvision() {
        CredentialStore s = store(Map.of());
        ReadOnlyStoreException e = assertThrows(ReadOnlyStoreException.class, () -> s.set("a", "b", Secret.of("do-not-leak")));
        assertTrue(e.getMessage().contains("KEYRING4J_<service>_<account>"), e.getMessage());
        assertTrue(e.getMessage().endsWith("(see docs/troubleshooting.md#read-only)"), e.getMessage());
        assertFalse(e.getMessage().contains("do-not-leak"));
    }

    @Test
    void otherVariablesAreNotCredentials() {
        CredentialStore s = store(Map.of("PATH", "/usr/bin", "HOME", "/root", "KEYRING4J_BACKEND", "kernel"));
        assertTrue(s.list("path").isEmpty());
        assertTrue(s.get("PATH", "x").isEmpty());
    }

    // properties of the name mapping

    @Test
    void propertyVariableNamesArePortable() {
        EnvNames names = new EnvNames("KEYRING4J");
        PropertyCheck.forAll("variable names are [A-Za-z0-9_] and start with the prefix", Gens.ids(), id -> {
            String v = names.variable(id);
            assertTrue(v.matches("KEYRING4J_[A-Za-z0-9_]+_[A-Za-z0-9_]+"), v);
        });
    }

    @Test
    void propertyEitherSpellingIsFound() {
        PropertyCheck.forAll("a credential is found under its lowercase or UPPERCASE variable", Gens.ids(), id -> {
            String v = new EnvNames("KEYRING4J").variable(id);
            for (String spelling : Set.of(v.toLowerCase(Locale.ROOT), v.toUpperCase(Locale.ROOT))) {
                CredentialStore s = store(Map.of(spelling, "value"));
                assertEquals("value", s.get(id.service(), id.account()).orElseThrow().asString(), spelling);
                assertTrue(s.list(id.service()).stream().anyMatch(l -> s.get(l.service(), l.account()).isPresent()), "list names a readable id");
            }
        });
    }

    @Test
    void propertyCaseVariantsReadTheSameVariable() {
        PropertyCheck.forAll("names differing only in ASCII case read the same variable", Gens.ids(), id -> {
            String v = new EnvNames("KEYRING4J").variable(id);
            CredentialStore s = store(Map.of(v.toUpperCase(Locale.ROOT), "value"));
            String upS = id.service().toUpperCase(Locale.ROOT);
            String upA = id.account().toLowerCase(Locale.ROOT);
            if (new EnvNames("KEYRING4J").variable(new CredentialId(upS, upA)).equalsIgnoreCase(v)) {
                assertTrue(s.get(upS, upA).isPresent());
            }
        });
    }

    @Test
    void propertyTheEncodingIsInjective() {
        PropertyCheck.forAll("a variable decodes to exactly the id it was made from", Gens.ids(), id -> {
            if (!EnvNames.holds(id)) return;
            String body = new EnvNames("KEYRING4J").variable(id).substring("KEYRING4J_".length());
            CredentialId back = EnvNames.decode(body).flatMap(EnvNames.Decoded::pair).orElseThrow(() -> new AssertionError(body));
            assertEquals(EnvNames.encodeService(id.service()), EnvNames.encodeService(back.service()), body);
            assertEquals(EnvNames.encodeAccount(id.account()), EnvNames.encodeAccount(back.account()), body);
            String tokenBody = EnvNames.encodeService(id.service());
            assertEquals(EnvNames.encodeService(id.service()),
                    EnvNames.encodeService(EnvNames.decode(tokenBody).flatMap(EnvNames.Decoded::service).orElseThrow(() -> new AssertionError(tokenBody))));
        });
    }

    @Test
    void propertyLookAlikesReadNothing() {
        PropertyCheck.forAll("a name with one character changed or added never reads the original's variable", Gens.ids(), id -> {
            if (!EnvNames.holds(id)) return;
            CredentialStore s = store(Map.of(new EnvNames("KEYRING4J").variable(id), "value"));
            String svc = id.service();
            for (String other : List.of(svc + ".", "." + svc, svc.replace('.', '-'), svc.replace('.', '_'), svc + "-x", svc.replace('.', ':'))) {
                if (EnvNames.encodeService(other).equalsIgnoreCase(EnvNames.encodeService(svc))) continue; // the same name
                assertTrue(s.get(other, id.account()).isEmpty(), other);
                assertTrue(s.find(other).isEmpty(), other);
            }
        });
    }

    @Test
    void fileSecretsMayBeRestrictedFiles(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("s");
        Files.writeString(f, "v");
        Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("r--------"));
        assertEquals("v", store(Map.of("KEYRING4J_A_B_FILE", f.toString())).get("a", "b").orElseThrow().asString());
    }
}
