package dev.keyring4j.encryptedfile;

import dev.keyring4j.support.BoundedProcess;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Runs {@code systemd-creds encrypt|decrypt} through {@link BoundedProcess}: an argument list (no
 * shell), the data on stdin and stdout (never in arguments), bounded output, and a timeout after
 * which the process (and its descendants) is killed.
 */
final class SystemdCreds {
    /** What is sealed or unsealed here is a 32-byte key and its sealed form of a few KiB. */
    private static final int MAX_OUTPUT = 1 << 20;
    /** As much of systemd-creds' complaint as goes into a message. */
    private static final int MAX_STDERR = 300;
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
        String what = command.get(0) + " " + command.get(1);
        BoundedProcess.Result r;
        try {
            r = BoundedProcess.of(command).withTimeout(timeout).withMaxStdout(MAX_OUTPUT).withMaxStderr(MAX_STDERR).run(input);
        } catch (BoundedProcess.Failure e) {
            switch (e.kind()) {
                case NOT_STARTED:
                    throw new Failure(e.getMessage());
                case TIMED_OUT:
                    throw new Failure(what + " did not finish within " + timeout.toMillis() + " ms and was killed" + stderrPart(e.stderr()));
                case OUTPUT_TOO_LARGE:
                    throw new Failure(what + " printed more than " + MAX_OUTPUT + " bytes");
                default:
                    throw new Failure("interrupted while running " + command.get(0));
            }
        }
        if (r.exitCode() != 0) {
            throw new Failure(what + " failed (exit " + r.exitCode() + ")" + stderrPart(r.stderr()));
        }
        return r.stdout();
    }

    private static String stderrPart(String stderr) {
        return stderr.isEmpty() ? "" : ": " + stderr;
    }
}
