package dev.keyring4j.etcd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.keyring4j.BackendUnavailableException;
import dev.keyring4j.CredentialEvent;
import dev.keyring4j.CredentialId;
import dev.keyring4j.Secret;
import dev.keyring4j.Subscription;
import dev.keyring4j.testkit.EtcdFixture;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The etcd watch across a member's death, on a real 3-member cluster: the watching store talks to
 * member 0 only, the writer to members 1 and 2. While member 0 is down (SIGKILL) the writer changes
 * the credential; when member 0 is back the watch resumes from the revision after the last one it
 * received, so the change made meanwhile is reported (no gap, no RESYNC needed) and watching goes on.
 */
class WatchResumeTest {
    private static EtcdFixture etcd;

    @TempDir
    Path home;

    @BeforeAll
    static void start() {
        etcd = EtcdFixture.cluster();
    }

    @AfterAll
    static void stop() {
        if (etcd != null) etcd.close();
    }

    @Test
    void aChangeMadeWhileTheWatchedMemberIsDownIsReportedWhenItIsBack() throws Exception {
        String prefix = Stores.freshPrefix();
        CredentialId id = new CredentialId("db.example.com", "app");
        LinkedBlockingQueue<CredentialEvent> events = new LinkedBlockingQueue<>();
        try (EtcdStore writer = Stores.open(etcd, home, prefix, "endpoints", etcd.clientUrl(1) + "," + etcd.clientUrl(2));
             EtcdStore watching = Stores.open(etcd, home, prefix, "endpoints", etcd.clientUrl(0))) {
            writer.set(id.service(), id.account(), Secret.of("one"));
            try (Subscription sub = watching.watch(id.service(), id.account(), events::add)) {
                writer.set(id.service(), id.account(), Secret.of("two"));
                assertEquals(new CredentialEvent(id, CredentialEvent.Kind.CHANGED), events.poll(2, TimeUnit.SECONDS), "a change, member 0 up");

                etcd.kill(0);
                // quorum of 2; if member 0 led, the first attempts wait for the election and may time out
                setRetrying(writer, id, "three");
                setRetrying(writer, new CredentialId("db.example.com", "someone-else"), "x");
                assertNull(events.poll(1, TimeUnit.SECONDS), "nothing can arrive through a dead member");
                etcd.restart(0);
                // the member catches up from the leader, and the resumed watch replays the revisions it missed
                CredentialEvent e = events.poll(15, TimeUnit.SECONDS);
                assertNotNull(e, "the change made while member 0 was down is reported once it is back");
                assertEquals(new CredentialEvent(id, CredentialEvent.Kind.CHANGED), e);
                assertEquals("three", watching.get(id.service(), id.account()).orElseThrow().asString());

                writer.delete(id.service(), id.account());
                assertEquals(new CredentialEvent(id, CredentialEvent.Kind.DELETED), events.poll(2, TimeUnit.SECONDS), "watching goes on");
                assertNull(events.poll(500, TimeUnit.MILLISECONDS), "one event per change: " + events);
            }
            writer.set(id.service(), id.account(), Secret.of("after close"));
            assertNull(events.poll(1, TimeUnit.SECONDS), "a closed subscription gets nothing");
        } finally {
            etcd.restart(0);
        }
        assertTrue(etcd.running(0));
    }

    private static void setRetrying(EtcdStore s, CredentialId id, String value) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (true) {
            try {
                s.set(id.service(), id.account(), Secret.of(value));
                return;
            } catch (BackendUnavailableException e) {
                if (System.nanoTime() > deadline) throw e;
                Thread.sleep(200);
            }
        }
    }
}
