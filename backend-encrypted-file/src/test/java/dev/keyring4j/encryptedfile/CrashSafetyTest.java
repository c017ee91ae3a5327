package dev.keyring4j.encryptedfile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.keyring4j.Secret;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.io.TempDir;

/**
 * A child JVM writing in a loop is killed with SIGKILL ({@code destroyForcibly}) at random moments,
 * 100 times while it appends to the journal, and 100 times while it also compacts after every
 * second set (rewrites of the file and of the journal). After each kill the store opens and holds
 * every write the child reported as done (or a later one of the same key).
 */
class CrashSafetyTest {
    private static final int KILLS = 100;
    @TempDir
    Path tmp;

    @ParameterizedTest
    @ValueSource(strings = {"append", "compact"})
    void sigkilledWritersNeverLoseAReportedWriteNorDamageTheFile(String mode) throws Exception {
        long seed = Long.getLong("keyring4j.seed", System.nanoTime());
        SplittableRandom random = new SplittableRandom(seed);
        Map<String, Long> reported = new HashMap<>();
        int totalReports = 0;
        int killedMidWrite = 0;
        int tornTails = 0;
        int staleJournals = 0;
        for (int round = 0; round < KILLS; round++) {
            long start = round * 1_000_000_000L;
            Process p = Fixtures.childJvm(CrashWriter.class, tmp.toString(), "keyfile", Long.toString(start), mode)
                    .redirectError(ProcessBuilder.Redirect.INHERIT).start();
            List<Long> done = new CopyOnWriteArrayList<>();
            Object first = new Object();
            Thread reader = new Thread(() -> {
                try (BufferedReader in = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                    for (String line; (line = in.readLine()) != null; ) {
                        if (line.matches("done \\d+")) {
                            done.add(Long.parseLong(line.substring(5)));
                            synchronized (first) {
                                first.notifyAll();
                            }
                        }
                    }
                } catch (java.io.IOException e) {
                    // the child died
                }
            });
            reader.start();
            synchronized (first) {
                while (done.isEmpty() && p.isAlive()) first.wait(100);
            }
            assertTrue(!done.isEmpty(), "round " + round + ": the child reported no write (seed " + seed + ")");
            Thread.sleep(random.nextInt(60)); // a random moment among its next few writes
            p.destroyForcibly(); // SIGKILL on Linux
            assertTrue(p.waitFor(60, TimeUnit.SECONDS));
            reader.join();
            for (long i : done) reported.merge("k" + (i % 16), i, Math::max);
            totalReports += done.size();

            try (var files = Files.list(Fixtures.storeFile(tmp).getParent())) {
                if (files.anyMatch(f -> f.getFileName().toString().endsWith(dev.keyring4j.support.PrivateFile.TEMP_SUFFIX))) killedMidWrite++;
            }
            Path journal = Fixtures.storeFile(tmp).resolveSibling("credentials.k4j.journal");
            if (Files.exists(journal)) {
                byte[] j = Files.readAllBytes(journal);
                Journal.Frames f = Journal.parse(j);
                if (f.validLength() < j.length) tornTails++; // killed inside an append
                if (f.baseGeneration() < StoreFile.parse(Files.readAllBytes(Fixtures.storeFile(tmp))).generation()) staleJournals++; // between a rewrite and its new journal
            }
            try (EncryptedFileStore s = Fixtures.open(tmp, "keyfile")) {
                for (Map.Entry<String, Long> e : reported.entrySet()) {
                    long stored = Long.parseLong(s.get("crash", e.getKey()).orElseThrow(
                            () -> new AssertionError("lost " + e.getKey() + " (seed " + seed + ")")).asString());
                    assertTrue(stored >= e.getValue(), "round " + round + ": " + e.getKey() + " holds " + stored
                            + " but the child reported " + e.getValue() + " as done (seed " + seed + ")");
                }
                assertTrue(s.list().size() <= 16);
            }
        }
        assertTrue(totalReports >= KILLS);
        // the next writer removes what killed writers left behind
        try (EncryptedFileStore s = Fixtures.open(tmp, "keyfile")) {
            s.set("crash", "after", Secret.of("ok"));
        }
        try (var files = Files.list(Fixtures.storeFile(tmp).getParent())) {
            assertEquals(0, files.filter(f -> f.getFileName().toString().endsWith(dev.keyring4j.support.PrivateFile.TEMP_SUFFIX)).count());
        }
        System.out.println("crash test (" + mode + "): " + KILLS + " kills, " + totalReports + " reported writes, " + killedMidWrite
                + " kills left a temp file (killed between creating and renaming it), " + tornTails + " a torn journal tail (killed inside an append), "
                + staleJournals + " a stale journal (killed between a rewrite and its new journal), seed " + seed);
    }
}
