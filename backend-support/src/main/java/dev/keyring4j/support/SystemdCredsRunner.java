package dev.keyring4j.support;

import dev.keyring4j.BackendUnavailableException;
import dev.keyring4j.KeyringException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The one runner of the {@code systemd-creds} program, for every backend that seals or unseals with
 * it. Through {@link BoundedProcess}: an argument list (no shell); the data on stdin and stdout, never
 * on the command line; {@code --newline=no}, so a plaintext comes back byte for byte; a time limit
 * after which the program and its descendants are killed; stdout bounded (and every buffer that held
 * it wiped; the caller owns and wipes the result) and stderr cut to {@value #MAX_STDERR} bytes for
 * the message. Failures are {@link KeyringException}s that say what was being done, what went wrong,
 * systemd-creds' own complaint, and which configuration key to change ({@link Hints}); never the data.
 */
public final class SystemdCredsRunner {
    /** The program's name. */
    public static final String PROGRAM = "systemd-creds";
    /** How long a run may take unless configured: a TPM2 can take seconds. */
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(10);
    /** As much of systemd-creds' complaint as goes into a message. */
    static final int MAX_STDERR = 300;
    /**
     * What {@code encrypt} may print: systemd-creds seals at most 1 MiB of plaintext (plus 128 KiB
     * of overhead), printed as Base64.
     */
    static final int MAX_SEALED = 2 << 20;
    private static final String HOST_KEY = "/var/lib/systemd/credential.secret";
    private static final Map<Path, String> USABLE = new ConcurrentHashMap<>();

    /**
     * The configuration keys a failure message names, each null when the backend has none:
     * the program ({@code systemd-creds.command}), the time limit, the plaintext size limit.
     */
    public record Hints(String commandKey, String timeoutKey, String maxSizeKey) {
        /** The keys of the {@code systemd-creds} backend. */
        public static final Hints SYSTEMD_CREDS = new Hints("systemd-creds.command", "systemd-creds.timeout", "systemd-creds.max-size");
    }

    private final String command;
    private final Duration timeout;
    private final Hints hints;

    /**
     * @param command the program: a name looked up on {@code PATH} or a path
     * @param timeout how long one run may take
     * @param hints   which configuration keys the messages name
     */
    public SystemdCredsRunner(String command, Duration timeout, Hints hints) {
        this.command = Objects.requireNonNull(command, "command");
        this.timeout = Objects.requireNonNull(timeout, "timeout");
        this.hints = Objects.requireNonNull(hints, "hints");
    }

    /** {@code systemd-creds} on the {@code PATH} of {@code env} (else {@code /usr/bin}, {@code /bin}), or null. */
    public static Path find(Map<String, String> env) {
        String path = env.getOrDefault("PATH", "/usr/local/bin:/usr/bin:/bin");
        for (String dir : (path + ":/usr/bin:/bin").split(":")) {
            if (dir.isEmpty()) continue;
            Path p = Path.of(dir, PROGRAM);
            if (Files.isExecutable(p)) return p;
        }
        return null;
    }

    /**
     * Why {@code program} cannot seal for this user, or null when it can. Cheap (no process): the
     * program exists and this user can use the host key (root, or the key is readable) or a TPM2.
     * Cached per program path.
     */
    public static String unusableReason(Path program) {
        if (program == null) return "systemd-creds is not installed";
        return USABLE.computeIfAbsent(program, p -> {
            try {
                int uid = ProcessUser.uid();
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

    /**
     * Decrypts {@code sealed}, which must carry the embedded name {@code name}; at most
     * {@code maxBytes} of plaintext, which the caller wipes. {@code where} names the source for messages.
     *
     * @throws BackendUnavailableException when the program cannot be started
     * @throws KeyringException            when it fails, times out or prints too much
     */
    public byte[] decrypt(String name, byte[] sealed, int maxBytes, String where) {
        // input "-" is stdin: the caller opened the file, systemd-creds never opens a path
        return run(List.of(command, "decrypt", "--newline=no", "--name=" + name, "-", "-"), sealed, maxBytes,
                "decrypting credential '" + name + "' from " + where, "the plaintext");
    }

    /** Encrypts {@code plaintext} under the embedded name {@code name} with the default key (host and/or TPM2). */
    public byte[] encrypt(String name, byte[] plaintext, String where) {
        return run(List.of(command, "encrypt", "--name=" + name, "-", "-"), plaintext, MAX_SEALED,
                "encrypting credential '" + name + "' for " + where, "the encrypted credential");
    }

    private byte[] run(List<String> args, byte[] stdin, int maxOut, String what, String output) {
        BoundedProcess.Result r;
        try {
            r = BoundedProcess.of(args).withTimeout(timeout).withMaxStdout(maxOut).withMaxStderr(MAX_STDERR).run(stdin);
        } catch (BoundedProcess.Failure e) {
            throw switch (e.kind()) {
                case NOT_STARTED -> new BackendUnavailableException(what + ": cannot run '" + command + "' (" + e.getCause().getMessage()
                        + "); install systemd's systemd-creds (Debian/Ubuntu: package systemd)"
                        + (hints.commandKey() == null ? "" : " or set " + hints.commandKey()), e);
                case TIMED_OUT -> new KeyringException(what + ": " + command + " did not finish within " + timeout + " and was killed"
                        + (hints.timeoutKey() == null ? "" : "; raise " + hints.timeoutKey() + " if a TPM2 is slow here") + stderrPart(e.stderr()));
                case OUTPUT_TOO_LARGE -> new KeyringException(what + ": " + output + " is larger than the limit of " + maxOut + " bytes"
                        + (hints.maxSizeKey() == null || maxOut == MAX_SEALED ? "" : " (" + hints.maxSizeKey() + ")"));
                case INTERRUPTED -> new KeyringException(what + ": interrupted", e);
            };
        }
        if (r.exitCode() != 0) {
            throw new KeyringException(what + ": " + command + " failed with exit status " + r.exitCode() + stderrPart(r.stderr()));
        }
        return r.stdout();
    }

    private static String stderrPart(String stderr) {
        return stderr.isEmpty() ? "" : "; it said: " + stderr;
    }

    @Override
    public String toString() {
        return "SystemdCredsRunner[" + command + ", " + timeout + "]";
    }
}
