package dev.keyring4j.support;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** Real processes ({@code /bin/sh}, {@code cat}, {@code sleep}); no timing asserts beyond generous upper bounds. */
class BoundedProcessTest {
    private static final Duration GENEROUS = Duration.ofSeconds(30);

    private static BoundedProcess sh(String script) {
        return BoundedProcess.of(List.of("/bin/sh", "-c", script));
    }

    private static String text(byte[] b) {
        return new String(b, StandardCharsets.UTF_8);
    }

    @Test
    void stdinComesBackThroughCatByteForByte() throws Exception {
        byte[] data = new byte[300_000]; // more than a pipe buffer, in both directions
        new Random(7).nextBytes(data);
        BoundedProcess.Result r = BoundedProcess.of(List.of("cat")).run(data);
        assertEquals(0, r.exitCode());
        assertArrayEquals(data, r.stdout());
        assertEquals("", r.stderr());
    }

    @Test
    void nullStdinIsDevNull() throws Exception {
        BoundedProcess.Result r = assertTimeoutPreemptively(GENEROUS, () -> BoundedProcess.of(List.of("cat")).run(null));
        assertEquals(0, r.exitCode());
        assertEquals(0, r.stdout().length);
    }

    @Test
    void aProgramThatIgnoresItsInputDoesNotBlockTheCaller() throws Exception {
        BoundedProcess.Result r = assertTimeoutPreemptively(GENEROUS, () -> sh("exit 0").run(new byte[2_000_000]));
        assertEquals(0, r.exitCode());
    }

    @Test
    void aNonZeroExitIsAResultWithStderrAsOneLine() throws Exception {
        BoundedProcess.Result r = sh("printf out; echo '  bad thing' >&2; echo 'second line  ' >&2; exit 3").run(new byte[0]);
        assertEquals(3, r.exitCode());
        assertEquals("out", text(r.stdout()));
        assertEquals("bad thing | second line", r.stderr());
    }

    @Test
    void stderrIsCutAtItsLimitAndSaysSo() throws Exception {
        BoundedProcess.Result r = sh("head -c 10000 /dev/zero | tr '\\0' x >&2").withMaxStderr(100).run(null);
        assertEquals(0, r.exitCode());
        assertEquals("x".repeat(100) + " …", r.stderr());
    }

    @Test
    void theEnvironmentCanBeReplacedWhole() throws Exception {
        assertTrue(System.getenv().containsKey("PATH"));
        BoundedProcess.Result r = sh("printf '%s:%s' \"$FOO\" \"${PATH:-unset}\"").withEnvironment(Map.of("FOO", "bar")).run(null);
        assertEquals("bar:unset", text(r.stdout()).replaceAll(":/.*", ":unset")); // dash may set a default PATH
    }

    @Test
    void outputUpToTheLimitIsKeptAndBeyondItIsAFailureThatNeverShowsStdout() throws Exception {
        BoundedProcess.Result exact = sh("printf 'secret-%04d' 7").withMaxStdout(11).run(null);
        assertEquals("secret-0007", text(exact.stdout()));
        assertFalse(exact.toString().contains("secret"), exact.toString());

        BoundedProcess.Failure f = assertThrows(BoundedProcess.Failure.class,
                () -> sh("printf 'secret-%04d' 7; echo complaint >&2").withMaxStdout(10).run(null));
        assertEquals(BoundedProcess.Failure.Kind.OUTPUT_TOO_LARGE, f.kind());
        assertTrue(f.getMessage().contains("more than 10 bytes"), f.getMessage());
        assertFalse(f.getMessage().contains("secret"), f.getMessage());
        assertEquals("complaint", f.stderr());

        // a flood is read to its end (the program is not blocked on a full pipe) and refused
        BoundedProcess.Failure flood = assertTimeoutPreemptively(GENEROUS, () -> assertThrows(BoundedProcess.Failure.class,
                () -> sh("head -c 5000000 /dev/zero").withMaxStdout(1000).run(null)));
        assertEquals(BoundedProcess.Failure.Kind.OUTPUT_TOO_LARGE, flood.kind());
    }

    @Test
    void aFailingProgramWithTooMuchOutputReportsItsExitStatusAndNoStdout() throws Exception {
        BoundedProcess.Result r = sh("printf 'secret-0007'; exit 2").withMaxStdout(5).run(null);
        assertEquals(2, r.exitCode());
        assertEquals(0, r.stdout().length);
    }

    @Test
    void aMissingProgramDoesNotStart() {
        BoundedProcess.Failure f = assertThrows(BoundedProcess.Failure.class,
                () -> BoundedProcess.of(List.of("/nonexistent/keyring4j-no-such-program", "x")).run(new byte[0]));
        assertEquals(BoundedProcess.Failure.Kind.NOT_STARTED, f.kind());
        assertTrue(f.getMessage().contains("/nonexistent/keyring4j-no-such-program"), f.getMessage());
        assertEquals("", f.stderr());
    }

    @Test
    void aTimeoutKillsTheProgramAndTheChildItForked() throws Exception {
        BoundedProcess p = sh("echo $$ >&2; sleep 60 & echo $! >&2; echo about to hang >&2; wait").withTimeout(Duration.ofMillis(500));
        BoundedProcess.Failure f = assertTimeoutPreemptively(GENEROUS, () -> assertThrows(BoundedProcess.Failure.class, () -> p.run(null)));
        assertEquals(BoundedProcess.Failure.Kind.TIMED_OUT, f.kind());
        assertTrue(f.getMessage().contains("did not finish within PT0.5S and was killed"), f.getMessage());
        assertTrue(f.stderr().endsWith("about to hang"), f.stderr());

        List<Long> pids = new ArrayList<>();
        for (String part : f.stderr().split(" \\| ")) {
            if (part.matches("\\d+")) pids.add(Long.parseLong(part));
        }
        assertEquals(2, pids.size(), f.stderr());
        long deadline = System.nanoTime() + GENEROUS.toNanos();
        for (long pid : pids) {
            while (ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false) && System.nanoTime() < deadline) Thread.sleep(50);
            assertFalse(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false), "process " + pid + " survived the timeout");
        }
    }

    @Test
    void aBackgroundChildHoldingStdoutOpenDoesNotHoldTheCaller() throws Exception {
        BoundedProcess.Result r = assertTimeoutPreemptively(GENEROUS, () -> sh("printf tok; sleep 8 &").run(null));
        assertEquals(0, r.exitCode());
        assertEquals("tok", text(r.stdout()));
    }

    @Test
    void anInterruptKillsTheProgramAndKeepsTheFlag() throws Exception {
        AtomicReference<Object> outcome = new AtomicReference<>();
        Thread t = new Thread(() -> {
            try {
                outcome.set(BoundedProcess.of(List.of("sleep", "60")).withTimeout(Duration.ofSeconds(60)).run(null));
            } catch (BoundedProcess.Failure f) {
                outcome.set(List.of(f.kind(), Thread.currentThread().isInterrupted()));
            }
        });
        t.start();
        Thread.sleep(300);
        t.interrupt();
        t.join(GENEROUS.toMillis());
        assertFalse(t.isAlive());
        assertEquals(List.of(BoundedProcess.Failure.Kind.INTERRUPTED, true), outcome.get());
    }

    @Test
    void itIsImmutable() {
        BoundedProcess base = BoundedProcess.of(List.of("true"));
        BoundedProcess longer = base.withTimeout(Duration.ofMinutes(1));
        assertEquals(Duration.ofSeconds(10), base.timeout());
        assertEquals(Duration.ofMinutes(1), longer.timeout());
        assertThrows(IllegalArgumentException.class, () -> base.withTimeout(Duration.ZERO));
        assertThrows(IllegalArgumentException.class, () -> BoundedProcess.of(List.of()));
    }
}
