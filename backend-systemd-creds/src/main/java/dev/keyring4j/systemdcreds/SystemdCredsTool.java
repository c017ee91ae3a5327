package dev.keyring4j.systemdcreds;

import dev.keyring4j.BackendUnavailableException;
import dev.keyring4j.KeyringException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs the {@code systemd-creds} program: an argument list (no shell), data through stdin and
 * stdout (never a secret on the command line), stderr captured for the error message, a time
 * limit after which the process is killed, and a bound on how much output is accepted.
 */
final class SystemdCredsTool {
    static final String DEFAULT_COMMAND = "systemd-creds";
    static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(10);
    private static final int MAX_STDERR = 4096;

    private final String command;
    private final Duration timeout;

    SystemdCredsTool(String command, Duration timeout) {
        this.command = command;
        this.timeout = timeout;
    }

    /** Decrypts {@code ciphertext}, which must carry the embedded name {@code name}; at most {@code maxBytes} of plaintext. */
    byte[] decrypt(String name, byte[] ciphertext, int maxBytes, String where) {
        // --newline=no: the plaintext comes back byte for byte; input "-" is stdin, so the file was opened by us, not by path
        return run(List.of(command, "decrypt", "--newline=no", "--name=" + name, "-", "-"), ciphertext, maxBytes,
                "decrypting credential '" + name + "' from " + where);
    }

    /** Encrypts {@code plaintext} under the embedded name {@code name} with the default key (host and/or TPM2). */
    byte[] encrypt(String name, byte[] plaintext, String where) {
        return run(List.of(command, "encrypt", "--name=" + name, "-", "-"), plaintext, Integer.MAX_VALUE - 16,
                "encrypting credential '" + name + "' for " + where);
    }

    private byte[] run(List<String> args, byte[] stdin, int maxOut, String what) {
        Process p;
        try {
            p = new ProcessBuilder(args).start();
        } catch (IOException e) {
            throw new BackendUnavailableException(what + ": cannot run '" + command + "' (" + e.getMessage()
                    + "); install systemd's systemd-creds (Debian/Ubuntu: package systemd) or set systemd-creds.command", e);
        }
        WipingBuffer out = new WipingBuffer();
        WipingBuffer err = new WipingBuffer();
        Thread feeder = daemon("stdin", () -> {
            try (OutputStream in = p.getOutputStream()) {
                in.write(stdin);
            } catch (IOException e) {
                // the process exited without reading all input; its exit status and stderr say why
            }
        });
        Thread outReader = daemon("stdout", () -> drain(p.getInputStream(), out, maxOut + 1L));
        Thread errReader = daemon("stderr", () -> drain(p.getErrorStream(), err, MAX_STDERR));
        try {
            boolean finished = p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
            if (!finished) {
                kill(p);
                p.waitFor(5, TimeUnit.SECONDS);
                join(feeder, outReader, errReader);
                out.wipe();
                throw new KeyringException(what + ": " + command + " did not finish within " + timeout
                        + " and was killed; raise systemd-creds.timeout if a TPM2 is slow here" + stderrPart(err));
            }
            join(feeder, outReader, errReader);
            if (p.exitValue() != 0) {
                out.wipe();
                throw new KeyringException(what + ": " + command + " failed with exit status " + p.exitValue() + stderrPart(err));
            }
            if (out.size() > maxOut) {
                out.wipe();
                throw new KeyringException(what + ": the plaintext is larger than the limit of " + maxOut
                        + " bytes (systemd-creds.max-size)");
            }
            return out.toArrayAndWipe();
        } catch (InterruptedException e) {
            kill(p);
            out.wipe();
            Thread.currentThread().interrupt();
            throw new KeyringException(what + ": interrupted", e);
        }
    }

    /** The process and anything it started: a helper it spawned must not outlive the time limit either. */
    private static void kill(Process p) {
        p.descendants().forEach(ProcessHandle::destroyForcibly);
        p.destroyForcibly();
    }

    private static String stderrPart(WipingBuffer err) {
        String text = new String(err.toArrayAndWipe(), StandardCharsets.UTF_8).strip();
        return text.isEmpty() ? "" : "; it said: " + text.replace('\n', ' ');
    }

    private static Thread daemon(String what, Runnable body) {
        Thread t = new Thread(body, "keyring4j-systemd-creds-" + what);
        t.setDaemon(true);
        t.start();
        return t;
    }

    private static void join(Thread... threads) throws InterruptedException {
        for (Thread t : threads) t.join(TimeUnit.SECONDS.toMillis(5));
    }

    /** Keeps at most {@code limit} bytes and discards the rest, so a chatty process can neither block nor exhaust memory. */
    private static void drain(InputStream in, WipingBuffer into, long limit) {
        byte[] chunk = new byte[8192];
        try (in) {
            int n;
            while ((n = in.read(chunk)) >= 0) {
                long room = limit - into.size();
                if (room > 0) into.append(chunk, (int) Math.min(n, room));
            }
        } catch (IOException e) {
            // stream closed because the process was killed; the caller reports that
        } finally {
            Arrays.fill(chunk, (byte) 0);
        }
    }

    /** A growable byte buffer that overwrites every array it lets go of, because it may hold plaintext. */
    static final class WipingBuffer {
        private byte[] bytes = new byte[256];
        private int size;

        synchronized void append(byte[] chunk, int n) {
            if (size + n > bytes.length) {
                byte[] bigger = Arrays.copyOf(bytes, Math.max(bytes.length * 2, size + n));
                Arrays.fill(bytes, (byte) 0);
                bytes = bigger;
            }
            System.arraycopy(chunk, 0, bytes, size, n);
            size += n;
        }

        synchronized int size() {
            return size;
        }

        synchronized byte[] toArrayAndWipe() {
            byte[] copy = Arrays.copyOf(bytes, size);
            wipe();
            return copy;
        }

        synchronized void wipe() {
            Arrays.fill(bytes, (byte) 0);
            size = 0;
        }
    }
}
