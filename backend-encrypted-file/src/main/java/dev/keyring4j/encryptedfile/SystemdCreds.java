package dev.keyring4j.encryptedfile;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * Runs {@code systemd-creds encrypt|decrypt} with an argument list (no shell), the data on stdin and
 * stdout (never in arguments), and a timeout after which the process is killed.
 */
final class SystemdCreds {
    private static final Map<Path, String> USABLE = new ConcurrentHashMap<>();
    private static final String HOST_KEY = "/var/lib/systemd/credential.secret";

    private SystemdCreds() {
    }

    /** The failure of a run, with systemd-creds' own message (it never echoes the data). */
    static final class Failure extends Exception {
        Failure(String message) {
            super(message, null, false, false);
        }
    }

    /** {@code systemd-creds} on the PATH of {@code env}, or null. */
    static Path find(Map<String, String> env) {
        String path = env.getOrDefault("PATH", "/usr/local/bin:/usr/bin:/bin");
        for (String dir : (path + ":/usr/bin:/bin").split(":")) {
            if (dir.isEmpty()) continue;
            Path p = Path.of(dir, "systemd-creds");
            if (Files.isExecutable(p)) return p;
        }
        return null;
    }

    /**
     * Why systemd-creds cannot seal for this user, or null when it can. Cheap (no process): the
     * program exists and this user can use the host key (root, or the key is readable) or a TPM2.
     * Cached per program path.
     */
    static String unusableReason(Path program) {
        if (program == null) return "systemd-creds is not installed";
        return USABLE.computeIfAbsent(program, p -> {
            try {
                int uid = (Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid");
                if (uid == 0) return "";
                if (Files.isReadable(Path.of(HOST_KEY))) return "";
                Path tpm = Path.of("/dev/tpmrm0");
                if (Files.isReadable(tpm) && Files.isWritable(tpm)) return "";
                return "this user can read neither the host key " + HOST_KEY + " nor a TPM2 (/dev/tpmrm0)";
            } catch (IOException | RuntimeException e) {
                return "cannot tell whether this user can use systemd-creds: " + e.getMessage();
            }
        }).transform(s -> s.isEmpty() ? null : s);
    }

    static byte[] encrypt(Path program, String name, byte[] plaintext, Duration timeout) throws Failure {
        return run(List.of(program.toString(), "encrypt", "--name=" + name, "-", "-"), plaintext, timeout);
    }

    static byte[] decrypt(Path program, String name, byte[] sealed, Duration timeout) throws Failure {
        return run(List.of(program.toString(), "decrypt", "--name=" + name, "-", "-"), sealed, timeout);
    }

    private static byte[] run(List<String> command, byte[] input, Duration timeout) throws Failure {
        Process p;
        try {
            p = new ProcessBuilder(command).start();
        } catch (IOException e) {
            throw new Failure("cannot run " + command.get(0) + ": " + e.getMessage());
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        Thread outReader = drain(p.getInputStream(), out);
        Thread errReader = drain(p.getErrorStream(), err);
        try {
            try (OutputStream in = p.getOutputStream()) {
                in.write(input);
            } catch (IOException e) {
                // the process ended early; its exit status says why
            }
            if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                p.destroyForcibly();
                throw new Failure(command.get(0) + " " + command.get(1) + " did not finish within " + timeout.toMillis() + " ms");
            }
            outReader.join(timeout.toMillis());
            errReader.join(timeout.toMillis());
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new Failure("interrupted while running " + command.get(0));
        }
        if (p.exitValue() != 0) {
            String msg = err.toString(StandardCharsets.UTF_8).strip().replaceAll("\\s+", " ");
            if (msg.length() > 300) msg = msg.substring(0, 300) + "…";
            throw new Failure(command.get(0) + " " + command.get(1) + " failed (exit " + p.exitValue() + ")" + (msg.isEmpty() ? "" : ": " + msg));
        }
        return out.toByteArray();
    }

    private static Thread drain(InputStream in, ByteArrayOutputStream to) {
        Thread t = new Thread(() -> {
            try (in) {
                in.transferTo(to);
            } catch (IOException e) {
                // the process died; the exit status tells
            }
        }, "systemd-creds-io");
        t.setDaemon(true);
        t.start();
        return t;
    }
}
