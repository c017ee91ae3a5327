package dev.keyring4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.keyring4j.Capabilities;
import dev.keyring4j.Secret;
import dev.keyring4j.testkit.InMemoryCredentialStore;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** git's credential protocol, in-process against an in-memory store. */
class GitCredentialHelperTest {
    private final Instant now = Instant.parse("2026-06-01T12:00:00Z");
    private final Clock clock = Clock.fixed(now, ZoneOffset.UTC);
    private final InMemoryCredentialStore store = new InMemoryCredentialStore("mem", Capabilities.of(Capabilities.Flag.values()), clock);
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    private String run(String action, String input) throws Exception {
        Map<String, String> request = GitCredentialHelper.read(new ByteArrayInputStream(input.getBytes(StandardCharsets.UTF_8)));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int rc = new GitCredentialHelper(store, clock, new PrintStream(err, true, StandardCharsets.UTF_8))
                .handle(action, request, new PrintStream(out, true, StandardCharsets.UTF_8));
        assertEquals(0, rc, err.toString(StandardCharsets.UTF_8));
        return out.toString(StandardCharsets.UTF_8);
    }

    @Test
    void storeThenGetThenErase() throws Exception {
        run("store", "protocol=https\nhost=git.example.test\nusername=alice\npassword=pa55\n\n");
        assertEquals("pa55", store.get("git:https://git.example.test", "alice").orElseThrow().asString());
        assertEquals("username=alice\npassword=pa55\n", run("get", "protocol=https\nhost=git.example.test\n\n"));
        assertEquals("username=alice\npassword=pa55\n", run("get", "protocol=https\nhost=git.example.test\nusername=alice\n\n"));
        assertEquals("", run("get", "protocol=https\nhost=git.example.test\nusername=bob\n\n"));
        run("erase", "protocol=https\nhost=git.example.test\nusername=alice\n\n");
        assertEquals("", run("get", "protocol=https\nhost=git.example.test\n\n"));
    }

    @Test
    void unknownKeysAreIgnoredAndInputEndsAtTheBlankLine() throws Exception {
        run("store", "capability[]=authtype\nprotocol=https\nhost=h.test\nwwwauth[]=Basic realm=\"x\"\nusername=u\npassword=p=with=equals\n\nprotocol=ftp\n");
        assertEquals("p=with=equals", store.get("git:https://h.test", "u").orElseThrow().asString());
    }

    @Test
    void pathIsPartOfTheServiceWhenGitSendsIt() throws Exception {
        run("store", "protocol=https\nhost=h.test\npath=org/repo.git\nusername=u\npassword=p1\n\n");
        assertTrue(store.get("git:https://h.test/org/repo.git", "u").isPresent());
        assertEquals("", run("get", "protocol=https\nhost=h.test\n\n"));
        assertEquals("username=u\npassword=p1\n", run("get", "protocol=https\nhost=h.test\npath=org/repo.git\n\n"));
    }

    @Test
    void passwordExpiryBecomesTheTtl() throws Exception {
        Instant[] t = {now};
        Clock moving = new Clock() {
            public java.time.ZoneId getZone() {
                return ZoneOffset.UTC;
            }

            public Clock withZone(java.time.ZoneId z) {
                return this;
            }

            public Instant instant() {
                return t[0];
            }
        };
        InMemoryCredentialStore expiring = new InMemoryCredentialStore("exp", Capabilities.of(Capabilities.Flag.WRITABLE, Capabilities.Flag.EXPIRY, Capabilities.Flag.LISTABLE), moving);
        GitCredentialHelper helper = new GitCredentialHelper(expiring, moving, new PrintStream(err, true, StandardCharsets.UTF_8));
        long expiry = now.plus(Duration.ofMinutes(10)).getEpochSecond();
        helper.handle("store", Map.of("protocol", "https", "host", "h.test", "username", "u", "password", "short-lived",
                "password_expiry_utc", Long.toString(expiry)), new PrintStream(new ByteArrayOutputStream()));
        assertTrue(expiring.get("git:https://h.test", "u").isPresent());
        t[0] = now.plus(Duration.ofMinutes(11));
        assertTrue(expiring.get("git:https://h.test", "u").isEmpty(), "expired with git's password_expiry_utc");
        // an already expired password is not stored at all
        run("store", "protocol=https\nhost=h2.test\nusername=u\npassword=stale\npassword_expiry_utc=" + (now.getEpochSecond() - 5) + "\n\n");
        assertTrue(store.get("git:https://h2.test", "u").isEmpty());
    }

    @Test
    void anExpiringPasswordIsNotStoredWhereItCouldNotExpire() throws Exception {
        InMemoryCredentialStore noExpiry = new InMemoryCredentialStore("plain", Capabilities.of(Capabilities.Flag.WRITABLE, Capabilities.Flag.PERSISTENT, Capabilities.Flag.ENCRYPTED_AT_REST, Capabilities.Flag.LISTABLE), clock);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        new GitCredentialHelper(noExpiry, clock, new PrintStream(err, true, StandardCharsets.UTF_8)).handle("store",
                Map.of("protocol", "https", "host", "h.test", "username", "u", "password", "oauth-token",
                        "password_expiry_utc", Long.toString(now.getEpochSecond() + 600)), new PrintStream(out));
        assertTrue(noExpiry.list().isEmpty());
        assertTrue(err.toString(StandardCharsets.UTF_8).contains("cannot expire"), err.toString(StandardCharsets.UTF_8));
        assertTrue(!err.toString(StandardCharsets.UTF_8).contains("oauth-token"));
    }

    @Test
    void eraseWithARejectedPasswordKeepsACredentialThatWasReplaced() throws Exception {
        store.set("git:https://h.test", "u", Secret.of("new-password"));
        run("erase", "protocol=https\nhost=h.test\nusername=u\npassword=old-password\n\n");
        assertTrue(store.get("git:https://h.test", "u").isPresent());
        run("erase", "protocol=https\nhost=h.test\nusername=u\npassword=new-password\n\n");
        assertTrue(store.get("git:https://h.test", "u").isEmpty());
    }

    @Test
    void eraseWithoutUsernameRemovesEveryAccountOfTheService() throws Exception {
        store.set("git:https://h.test", "a", Secret.of("1"));
        store.set("git:https://h.test", "b", Secret.of("2"));
        store.set("git:https://other.test", "a", Secret.of("3"));
        run("erase", "protocol=https\nhost=h.test\n\n");
        assertTrue(store.list("git:https://h.test").isEmpty());
        assertEquals(1, store.list().size());
    }

    @Test
    void withoutProtocolOrHostNothingHappens() throws Exception {
        assertEquals("", run("get", "username=u\n\n"));
        run("store", "host=h.test\nusername=u\npassword=p\n\n");
        assertTrue(store.list().isEmpty());
    }

    /** Found by GitCredentialFuzzTest: an expiry beyond Instant's range was a DateTimeException (a stack trace from the CLI). */
    @Test
    void anExpiryBeyondTheRangeOfTimeIsMalformedNotACrash() throws Exception {
        Map<String, String> request = GitCredentialHelper.read(new ByteArrayInputStream(
                "protocol=https\nhost=h.test\nusername=u\npassword=p\npassword_expiry_utc=9223372036854775807\n\n".getBytes(StandardCharsets.UTF_8)));
        int rc = new GitCredentialHelper(store, clock, new PrintStream(err, true, StandardCharsets.UTF_8))
                .handle("store", request, new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8));
        assertEquals(Main.USAGE, rc);
        assertTrue(store.get("git:https://h.test", "u").isEmpty());
        assertTrue(err.toString(StandardCharsets.UTF_8).contains("malformed password_expiry_utc"));
    }
}
