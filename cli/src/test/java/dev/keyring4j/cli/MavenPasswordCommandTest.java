package dev.keyring4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.keyring4j.CredentialStore;
import dev.keyring4j.Keyring;
import dev.keyring4j.Secret;
import dev.keyring4j.testkit.Prerequisites;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** {@code keyring4j maven-password}: the exact line to paste, only for a credential that exists, in the extension's escape. */
class MavenPasswordCommandTest {
    private record Result(int code, String out, String err) {
    }

    private static Result run(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = Main.run(args, new ByteArrayInputStream(new byte[0]), new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8), false);
        return new Result(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    private static CredentialStore kernel() {
        try {
            return Keyring.open("kernel");
        } catch (RuntimeException e) {
            Prerequisites.require(false, "the kernel keyring: " + e.getMessage());
            throw e;
        }
    }

    @Test
    void printsTheLineForEachMavenVersionOnlyAfterCheckingTheCredential() {
        String service = "k4j-mvnpw-" + UUID.randomUUID();
        try (CredentialStore store = kernel()) {
            Result absent = run("--backend", "kernel", "maven-password", service, "private-repo");
            assertEquals(1, absent.code());
            assertEquals("", absent.out(), "no line for a credential that does not exist");
            assertTrue(absent.err().contains("no credential for service '" + service + "' account 'private-repo'"), absent.err());

            store.set(service, "private-repo", Secret.of("s3cr3t-" + UUID.randomUUID()));
            try {
                Result m3 = run("--backend", "kernel", "maven-password", service, "private-repo");
                assertEquals(0, m3.code(), m3.err());
                assertEquals("<password>{[type=keyring4j]" + service + "/private-repo}</password>\n", m3.out());
                Result m4 = run("--backend", "kernel", "maven-password", "--maven", "4", service, "private-repo");
                assertEquals(0, m4.code(), m4.err());
                assertEquals("<password>{[name=keyring4j,version=4.0]" + service + "/private-repo}</password>\n", m4.out());
                assertEquals(2, run("--backend", "kernel", "maven-password", "--maven", "5", service, "private-repo").code());
            } finally {
                store.delete(service, "private-repo");
            }
        }
    }

    @Test
    void namesAreWrittenWithTheExtensionsEscape() {
        // the same vectors as maven-extension's ReferenceTest, which decodes them
        assertEquals("https:%2F%2Frepo.example.dev:8443/ci%20bot", MavenPasswordCommand.payload("https://repo.example.dev:8443", "ci bot"));
        assertEquals("100%25%7Bx%7D/%5Ba%5D%3Db%2Cc%24", MavenPasswordCommand.payload("100%{x}", "[a]=b,c$"));
        assertEquals("ünï/cødé%09", MavenPasswordCommand.payload("ünï", "cødé\t"));
        // XML's own characters and a trailing backslash: the printed line stays well-formed, and plexus still sees the closing brace
        assertEquals("a%26b%3Cc%3E/%22q%27%5C", MavenPasswordCommand.payload("a&b<c>", "\"q'\\"));
    }
}
