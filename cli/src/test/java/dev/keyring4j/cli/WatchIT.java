package dev.keyring4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code keyring4j watch} as a process, while other {@code keyring4j} processes change and delete the credential. */
class WatchIT {
    @TempDir
    Path home;

    private Map<String, String> env() {
        return Map.of("HOME", home.toString(), "XDG_CONFIG_HOME", home.resolve("config").toString(),
                "XDG_DATA_HOME", home.resolve("data").toString(), "XDG_STATE_HOME", home.resolve("state").toString(),
                "PATH", "/usr/bin:/bin");
    }

    private List<String> k4j(String... args) throws Exception {
        Path cfg = home.resolve("k.properties");
        if (!Files.exists(cfg)) Files.writeString(cfg, "backend = encrypted-file\nencrypted-file.protection = keyfile\n");
        List<String> cmd = new java.util.ArrayList<>(List.of("--config", cfg.toString()));
        cmd.addAll(List.of(args));
        return Processes.jar(cmd.toArray(String[]::new));
    }

    private void run(String stdin, String... args) throws Exception {
        Processes.Result r = Processes.run(k4j(args), env(), stdin);
        assertEquals(0, r.exit(), r.err());
    }

    private static String next(LinkedBlockingQueue<String> lines, String what) throws InterruptedException {
        String l = lines.poll(10, TimeUnit.SECONDS);
        assertNotNull(l, "keyring4j watch printed nothing after " + what);
        return l;
    }

    @Test
    void printsOneLinePerEventAndNeverTheSecret() throws Exception {
        run("v4lue-one\n", "set", "db.example.com", "app");
        ProcessBuilder pb = new ProcessBuilder(k4j("watch", "db.example.com", "app"));
        pb.environment().keySet().removeIf(k -> k.startsWith("KEYRING4J"));
        pb.environment().putAll(env());
        Process watch = pb.start();
        try {
            LinkedBlockingQueue<String> out = new LinkedBlockingQueue<>();
            LinkedBlockingQueue<String> err = new LinkedBlockingQueue<>();
            pump(watch.getInputStream(), out);
            pump(watch.getErrorStream(), err);
            String ready = err.poll(60, TimeUnit.SECONDS);
            assertNotNull(ready, "keyring4j watch did not start");
            assertTrue(ready.contains("watching db.example.com/app in encrypted-file"), ready);

            run("v4lue-two\n", "set", "db.example.com", "other"); // another credential: no line
            run("v4lue-two\n", "set", "db.example.com", "app");
            String changed = next(out, "set");
            String[] f = changed.split("\t");
            assertEquals(4, f.length, changed);
            Instant.parse(f[0]); // ISO-8601
            assertEquals(List.of("db.example.com", "app", "CHANGED"), List.of(f[1], f[2], f[3]));
            run(null, "del", "db.example.com", "app");
            assertTrue(next(out, "del").endsWith("\tdb.example.com\tapp\tDELETED"));
            assertEquals(null, out.poll(500, TimeUnit.MILLISECONDS), "one line per event");
            watch.destroy(); // SIGTERM, as an interrupt: the shutdown hook closes the watch
            assertTrue(watch.waitFor(30, TimeUnit.SECONDS), "keyring4j watch did not stop");
            String all = changed + "\n" + String.join("\n", out) + String.join("\n", err);
            assertFalse(all.contains("v4lue"), "a secret was printed: " + all);
        } finally {
            watch.destroyForcibly();
        }
    }

    private static void pump(java.io.InputStream in, LinkedBlockingQueue<String> lines) {
        Thread t = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
                for (String l; (l = r.readLine()) != null; ) lines.add(l);
            } catch (java.io.IOException ignored) {
                // the process ended
            }
        });
        t.setDaemon(true);
        t.start();
    }
}
