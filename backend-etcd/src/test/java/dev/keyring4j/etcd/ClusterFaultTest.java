package dev.keyring4j.etcd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.keyring4j.BackendUnavailableException;
import dev.keyring4j.KeyringException;
import dev.keyring4j.Secret;
import dev.keyring4j.testkit.EtcdFixture;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A 3-member cluster under faults, one store throughout (never reopened): SIGKILL one member while
 * 4 threads write (no acknowledged write lost, writes go on), kill a second (every call fails with
 * the no-quorum error within a bound, nothing hangs), restart both (the same store works again).
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
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (true) {
                try {
                    s.set("fault", "back", Secret.of("again"));
                    break;
                } catch (BackendUnavailableException e) {
                    if (System.nanoTime() > deadline) throw e;
                    Thread.sleep(200);
                }
            }
            assertEquals("again", s.get("fault", "back").orElseThrow().asString(), "the same store works again");
            String some = acknowledged.keySet().iterator().next();
            assertEquals(acknowledged.get(some), s.get("fault", some).orElseThrow().asString());
        }
    }
}
