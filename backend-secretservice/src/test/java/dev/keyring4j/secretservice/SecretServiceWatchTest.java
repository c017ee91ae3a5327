package dev.keyring4j.secretservice;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.keyring4j.CredentialEvent;
import dev.keyring4j.CredentialId;
import dev.keyring4j.Secret;
import dev.keyring4j.Subscription;
import dev.keyring4j.testkit.Prerequisites;
import dev.keyring4j.testkit.SecretServiceFixture;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Watching items that secret-tool, another process, changes; and a provider that restarts under the watch. */
class SecretServiceWatchTest {
    private static final Duration CHILD_TIMEOUT = Duration.ofSeconds(30);
    private SecretServiceFixture fixture;

    @BeforeEach
    void start() {
        fixture = SecretServiceFixture.start();
    }

    @AfterEach
    void stop() {
        if (fixture != null) fixture.close();
    }

    private void secretTool(String stdin, String... args) {
        List<String> cmd = new java.util.ArrayList<>(List.of("secret-tool"));
        cmd.addAll(List.of(args));
        SecretServiceFixture.Result r = fixture.run(cmd, stdin, CHILD_TIMEOUT);
        assertEquals(0, r.exitCode(), () -> "secret-tool " + String.join(" ", args) + " failed: " + r.stderr());
    }

    private static CredentialEvent next(LinkedBlockingQueue<CredentialEvent> q, Duration within, String what) throws InterruptedException {
        CredentialEvent e = q.poll(within.toMillis(), TimeUnit.MILLISECONDS);
        assertNotNull(e, "no event within " + within + " after " + what);
        return e;
    }

    @Test
    void secretToolChangesAndClearsTheItem() throws Exception {
        Prerequisites.requireProgram("secret-tool");
        CredentialId id = new CredentialId("watch.example.com", "alice");
        try (SecretServiceStore s = Open.store(fixture.environment(), Map.of())) {
            s.set(id.service(), id.account(), Secret.of("before"));
            s.set(id.service(), "bob", Secret.of("bob's"));
            LinkedBlockingQueue<CredentialEvent> q = new LinkedBlockingQueue<>();
            try (Subscription sub = s.watch(id.service(), id.account(), q::add)) {
                secretTool("bob changed", "store", "--label=bob", "service", id.service(), "username", "bob");
                secretTool("after", "store", "--label=alice", "service", id.service(), "username", id.account());
                assertEquals(new CredentialEvent(id, CredentialEvent.Kind.CHANGED), next(q, Duration.ofSeconds(2), "secret-tool store"));
                assertEquals("after", s.get(id.service(), id.account()).orElseThrow().asString());
                secretTool(null, "clear", "service", id.service(), "username", id.account());
                assertEquals(new CredentialEvent(id, CredentialEvent.Kind.DELETED), next(q, Duration.ofSeconds(2), "secret-tool clear"));
                assertNull(q.poll(500, TimeUnit.MILLISECONDS), "bob's change fired nothing here");
            }
        }
    }

    @Test
    void aProviderRestartGivesResyncAndWatchingContinues() throws Exception {
        Prerequisites.requireProgram("secret-tool");
        CredentialId id = new CredentialId("watch.restart", "carol");
        try (SecretServiceStore s = Open.store(fixture.environment(), Map.of())) {
            s.set(id.service(), id.account(), Secret.of("one"));
            LinkedBlockingQueue<CredentialEvent> q = new LinkedBlockingQueue<>();
            try (Subscription sub = s.watch(id.service(), id.account(), q::add)) {
                fixture.restartProvider();
                assertEquals(new CredentialEvent(id, CredentialEvent.Kind.RESYNC), next(q, Duration.ofSeconds(10), "the provider restarted"));
                assertEquals("one", s.get(id.service(), id.account()).orElseThrow().asString(), "what RESYNC asks the listener to re-read");
                secretTool("two", "store", "--label=carol", "service", id.service(), "username", id.account());
                assertEquals(new CredentialEvent(id, CredentialEvent.Kind.CHANGED), next(q, Duration.ofSeconds(2), "secret-tool store after the restart"));
            }
        }
    }
}
