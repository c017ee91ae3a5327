package dev.keyring4j.etcd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.keyring4j.BackendUnavailableException;
import dev.keyring4j.CredentialEvent;
import dev.keyring4j.CredentialId;
import dev.keyring4j.KeyringException;
import dev.keyring4j.Secret;
import dev.keyring4j.Subscription;
import dev.keyring4j.testkit.EtcdFixture;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A 3-member cluster under faults, one store throughout (never reopened): SIGKILL one member while
 * 4 threads write (no acknowledged write lost, writes go on), kill a second (every call fails with
 * the no-quorum error within a bound, nothing hangs), restart both (the same store works again);
 * and a watch that resumes without a gap after its member was killed.
 */
class ClusterFaultTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(2);
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
    void killOneThenTwoThenRestart() throws Exception {
        try (EtcdStore s = Stores.open(etcd, home, Stores.freshPrefix(), "timeout", TIMEOUT.toString())) {
            s.set("warm", "up", Secret.of("x"));
            Map<String, String> acknowledged = new ConcurrentHashMap<>();
            AtomicBoolean stop = new AtomicBoolean();
            AtomicBoolean killed = new AtomicBoolean();
            AtomicInteger afterKill = new AtomicInteger();
            AtomicInteger failures = new AtomicInteger();
            List<Thread> writers = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                int thread = t;
                Thread w = new Thread(() -> {
                    for (int i = 0; !stop.get(); i++) {
                        String account = "t" + thread + "-" + (i % 20);
                        String value = "v" + i;
                        try {
                            s.set("fault", account, Secret.of(value));
                            acknowledged.put(account, value); // only what set() returned for
                            if (killed.get()) afterKill.incrementAndGet();
                        } catch (KeyringException e) {
                            failures.incrementAndGet(); // during the election: an error, never a silent loss
                            acknowledged.remove(account); // its outcome is unknown: not checked
                        }
                    }
                }, "writer-" + t);
                writers.add(w);
                w.start();
            }
            Thread.sleep(1500);
            etcd.kill(0);
            killed.set(true);
            Thread.sleep(3000);
            stop.set(true);
            for (Thread w : writers) w.join(30_000);
            System.err.println("writes acknowledged after the kill: " + afterKill.get() + ", failed calls: " + failures.get());
            assertTrue(afterKill.get() > 0, "writes go on with 2 of 3 members");
            for (Map.Entry<String, String> e : acknowledged.entrySet()) {
                assertEquals(e.getValue(), s.get("fault", e.getKey()).orElseThrow(() -> new AssertionError("lost " + e.getKey())).asString(),
                        "acknowledged write of " + e.getKey());
            }

            etcd.kill(1);
            assertTimeoutPreemptively(Duration.ofSeconds(30), () -> {
                for (Runnable op : List.<Runnable>of(() -> s.get("fault", "t0-0"), () -> s.set("fault", "t0-0", Secret.of("no")), s::list,
                        () -> s.delete("fault", "t0-1"))) {
                    long t0 = System.nanoTime();
                    try {
                        op.run();
                        fail("an operation succeeded without quorum");
                    } catch (BackendUnavailableException e) {
                        long ms = (System.nanoTime() - t0) / 1_000_000;
                        System.err.println("without quorum, failed after " + ms + " ms: " + e.getMessage());
                        assertTrue(e.getMessage().contains("quorum") && e.getMessage().contains(etcd.clientUrl(2)), e.getMessage());
                    }
                }
            }, "nothing hangs without quorum");

            etcd.restart(0);
            etcd.restart(1);
            Stores.setRetrying(s, "fault", "back", "again");
            assertEquals("again", s.get("fault", "back").orElseThrow().asString(), "the same store works again");
            String some = acknowledged.keySet().iterator().next();
            assertEquals(acknowledged.get(some), s.get("fault", some).orElseThrow().asString());
        }
    }

    /**
     * The etcd watch across a member's death: the watching store talks to member 0 only, the writer to
     * members 1 and 2. While member 0 is down (SIGKILL) the writer changes the credential; when member 0
     * is back the watch resumes from the revision after the last one it received, so the change made
     * meanwhile is reported (no gap, no RESYNC needed) and watching goes on.
     */
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
                Stores.setRetrying(writer, id.service(), id.account(), "three");
                Stores.setRetrying(writer, "db.example.com", "someone-else", "x");
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
}
