package dev.keyring4j.support;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Runs an external program for a backend, within bounds. Immutable: configure with the
 * {@code with...} methods (each returns a new instance), then {@link #run(byte[])} as often as needed.
 *
 * <p>What {@link #run} guarantees:
 * <ul>
 *   <li>The command is an argument list, started without a shell.
 *   <li>{@code stdin} is written on its own thread and then closed ({@code null}: stdin is
 *       {@code /dev/null}), so a program that does not read it cannot block the caller.
 *   <li>stdout and stderr are read on their own threads. At most {@code maxStdout} / {@code maxStderr}
 *       bytes are kept; the rest is read and discarded, so a chatty program can neither block nor
 *       exhaust memory.
 *   <li>The call returns within about the timeout plus a few seconds: when the program has not
 *       exited by then, it and its descendants (those alive at that moment) are killed and
 *       {@link Failure.Kind#TIMED_OUT} is thrown.
 *   <li>Every intermediate buffer that held stdout is overwritten with zeros; only the array in
 *       {@link Result#stdout()} remains, and the caller owns (and should wipe) it.
 *   <li>stdout never appears in a message, an exception or a {@code toString}. stderr does (as one
 *       line): programs report errors there, and they are expected not to print secrets on it.
 *   <li>A non-zero exit status is not a failure: it comes back in the {@link Result}, for the caller
 *       to report in its own terms. stdout longer than {@code maxStdout} is a failure
 *       ({@link Failure.Kind#OUTPUT_TOO_LARGE}) only when the program exited 0; after a non-zero exit
 *       the result's stdout is then empty.
 * </ul>
 */
public final class BoundedProcess {
    private final List<String> command;
    private final Map<String, String> environment;
    private final Duration timeout;
    private final int maxStdout;
    private final int maxStderr;

    private BoundedProcess(List<String> command, Map<String, String> environment, Duration timeout, int maxStdout, int maxStderr) {
        this.command = command;
        this.environment = environment;
        this.timeout = timeout;
        this.maxStdout = maxStdout;
        this.maxStderr = maxStderr;
    }

    /** The program and its arguments; inherits this JVM's environment, 10 s timeout, 1 MiB of stdout, 4 KiB of stderr. */
    public static BoundedProcess of(List<String> command) {
        if (command.isEmpty()) throw new IllegalArgumentException("empty command");
        return new BoundedProcess(List.copyOf(command), null, Duration.ofSeconds(10), 1 << 20, 4096);
    }

    /**
     * Runs the program with exactly this environment instead of this JVM's. A program that must not
     * see keyring4j's own variables (the passphrase, the env backend's secrets) gets
     * {@link ChildEnvironment#apply} of the environment here.
     */
    public BoundedProcess withEnvironment(Map<String, String> env) {
        return new BoundedProcess(command, Map.copyOf(env), timeout, maxStdout, maxStderr);
    }

    public BoundedProcess withTimeout(Duration limit) {
        if (limit.isNegative() || limit.isZero()) throw new IllegalArgumentException("timeout must be positive: " + limit);
        return new BoundedProcess(command, environment, limit, maxStdout, maxStderr);
    }

    public BoundedProcess withMaxStdout(int bytes) {
        if (bytes < 0) throw new IllegalArgumentException("negative limit");
        return new BoundedProcess(command, environment, timeout, bytes, maxStderr);
    }

    public BoundedProcess withMaxStderr(int bytes) {
        if (bytes < 0) throw new IllegalArgumentException("negative limit");
        return new BoundedProcess(command, environment, timeout, maxStdout, bytes);
    }

    public Duration timeout() {
        return timeout;
    }

    /** The program (first element of the command), for messages. */
    public String program() {
        return command.get(0);
    }

    @Override
    public String toString() {
        return "BoundedProcess" + command;
    }

    /**
     * How a program ended: its exit status, stdout (owned by the caller, who should wipe it when it
     * may be secret) and stderr as one line ({@code ""} when it printed nothing).
     */
    public record Result(int exitCode, byte[] stdout, String stderr) {
        @Override
        public String toString() {
            return "Result[exitCode=" + exitCode + ", stdout=" + stdout.length + " bytes, stderr=" + stderr + "]";
        }
    }

    /** The program could not be run to its end within the bounds. Its message never contains stdout. */
    public static final class Failure extends Exception {
        /** Why. */
        public enum Kind { NOT_STARTED, TIMED_OUT, OUTPUT_TOO_LARGE, INTERRUPTED }

        private final Kind kind;
        private final String stderr;

        Failure(Kind kind, String message, String stderr, Throwable cause) {
            super(message, cause);
            this.kind = kind;
            this.stderr = stderr;
        }

        public Kind kind() {
            return kind;
        }

        /** What the program printed on stderr, as one line; {@code ""} when nothing (or not started). */
        public String stderr() {
            return stderr;
        }
    }

    /**
     * Runs the program, feeding it {@code stdin} ({@code null}: {@code /dev/null}), and waits for it
     * within the timeout. See the class comment for the guarantees.
     */
    public Result run(byte[] stdin) throws Failure {
        ProcessBuilder pb = new ProcessBuilder(command);
        if (environment != null) {
            pb.environment().clear();
            pb.environment().putAll(environment);
        }
        if (stdin == null) pb.redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
        Process p;
        try {
            p = pb.start();
        } catch (IOException e) {
            throw new Failure(Failure.Kind.NOT_STARTED, "cannot run " + program() + ": " + e.getMessage(), "", e);
        }
        Buffer out = new Buffer(maxStdout);
        Buffer err = new Buffer(maxStderr);
        Thread feeder = stdin == null ? null : daemon("stdin", () -> {
            try (OutputStream in = p.getOutputStream()) {
                in.write(stdin);
            } catch (IOException e) {
                // the program exited without reading all of it; its exit status says why
            }
        });
        Thread outReader = daemon("stdout", () -> out.drain(p.getInputStream()));
        Thread errReader = daemon("stderr", () -> err.drain(p.getErrorStream()));
        try {
            if (!p.waitFor(TimeUnit.NANOSECONDS.convert(timeout), TimeUnit.NANOSECONDS)) {
                kill(p);
                p.waitFor(5, TimeUnit.SECONDS);
                join(feeder, outReader, errReader);
                out.close();
                throw new Failure(Failure.Kind.TIMED_OUT, program() + " did not finish within " + timeout + " and was killed",
                        err.line(), null);
            }
            // a descendant that outlives the program may hold the pipes open: wait for the readers only a little
            join(feeder, outReader, errReader);
        } catch (InterruptedException e) {
            kill(p);
            out.close();
            err.close();
            Thread.currentThread().interrupt();
            throw new Failure(Failure.Kind.INTERRUPTED, "interrupted while running " + program(), "", e);
        }
        int exit = p.exitValue();
        String text = err.line();
        if (out.overflowed) {
            out.close();
            if (exit == 0) {
                throw new Failure(Failure.Kind.OUTPUT_TOO_LARGE, program() + " printed more than " + maxStdout + " bytes on stdout",
                        text, null);
            }
            return new Result(exit, new byte[0], text);
        }
        return new Result(exit, out.toArrayAndClose(), text);
    }

    /** The process and, first, its descendants: a helper it spawned must not outlive the time limit either. */
    private static void kill(Process p) {
        p.descendants().forEach(ProcessHandle::destroyForcibly);
        p.destroyForcibly();
        p.descendants().forEach(ProcessHandle::destroyForcibly); // any started meanwhile
    }

    private static Thread daemon(String what, Runnable body) {
        Thread t = new Thread(body, "keyring4j-process-" + what);
        t.setDaemon(true);
        t.start();
        return t;
    }

    private static void join(Thread... threads) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(2);
        for (Thread t : threads) {
            if (t != null) t.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime())));
        }
    }

    /**
     * Keeps at most {@code limit} bytes of a stream, overwriting every array it lets go of. Once
     * closed it is wiped and keeps nothing more (a reader may still be running).
     */
    private static final class Buffer {
        private final int limit;
        private byte[] bytes = new byte[0];
        private int size;
        private boolean closed;
        volatile boolean overflowed;

        Buffer(int limit) {
            this.limit = limit;
        }

        void drain(InputStream in) {
            byte[] chunk = new byte[8192];
            try (in) {
                int n;
                while ((n = in.read(chunk)) >= 0) append(chunk, n);
            } catch (IOException e) {
                // the stream closed because the process was killed; the caller reports that
            } finally {
                Arrays.fill(chunk, (byte) 0);
            }
        }

        private synchronized void append(byte[] chunk, int n) {
            if (closed) return;
            int keep = Math.min(n, limit - size);
            if (keep < n) overflowed = true;
            if (keep <= 0) return;
            if (size + keep > bytes.length) {
                int grown = (int) Math.min(limit, Math.max(256L, Math.max(2L * bytes.length, (long) size + keep)));
                byte[] bigger = Arrays.copyOf(bytes, grown);
                Arrays.fill(bytes, (byte) 0);
                bytes = bigger;
            }
            System.arraycopy(chunk, 0, bytes, size, keep);
            size += keep;
        }

        synchronized byte[] toArrayAndClose() {
            byte[] copy = Arrays.copyOf(bytes, size);
            close();
            return copy;
        }

        synchronized void close() {
            Arrays.fill(bytes, (byte) 0);
            size = 0;
            closed = true;
        }

        /** The text as one line: surrounding whitespace removed, line breaks as " | ", " …" when cut. */
        String line() {
            byte[] b = toArrayAndClose();
            String text = new String(b, StandardCharsets.UTF_8).strip().replaceAll("\\s*\\R\\s*", " | ");
            return text.isEmpty() || !overflowed ? text : text + " …";
        }
    }
}
