package dev.keyring4j.cli;

import java.io.IOException;
import java.lang.ProcessBuilder.Redirect;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * Real CPU load, as during a build: {@code n} busy processes ({@code yes > /dev/null}), started by
 * the test and killed (and reaped) by {@link #close()}, or by a shutdown hook if the test JVM dies first.
 */
final class CpuLoad implements AutoCloseable {
    /** Issue 18's busy machine: six CPU-bound processes. */
    static final int ISSUE_18_PROCESSES = 6;

    private static final Set<Process> LIVE = ConcurrentHashMap.newKeySet();

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> LIVE.forEach(Process::destroyForcibly), "cpu-load-reaper"));
    }

    private final List<Process> busy = new ArrayList<>();

    private CpuLoad() {
    }

    /** Starts {@code n} {@code yes > /dev/null}; if one cannot start, the ones started are killed. */
    static CpuLoad start(int n) throws IOException {
        CpuLoad load = new CpuLoad();
        try {
            for (int i = 0; i < n; i++) {
                Process p = new ProcessBuilder("yes").redirectOutput(Redirect.DISCARD).redirectError(Redirect.DISCARD).start();
                LIVE.add(p);
                load.busy.add(p);
                p.getOutputStream().close();
            }
        } catch (IOException | RuntimeException e) {
            load.close();
            throw e;
        }
        return load;
    }

    /** Whether every busy process is still running. */
    boolean running() {
        return !busy.isEmpty() && busy.stream().allMatch(Process::isAlive);
    }

    /** Kills every busy process and waits until each is reaped. Idempotent. */
    @Override
    public void close() {
        for (Process p : busy) p.destroyForcibly();
        for (Process p : busy) {
            try {
                if (!p.waitFor(30, TimeUnit.SECONDS)) throw new IllegalStateException("yes (pid " + p.pid() + ") did not die");
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            } finally {
                if (!p.isAlive()) LIVE.remove(p);
            }
        }
        busy.clear();
    }
}
