package dev.keyring4j.systemdcreds;

import dev.keyring4j.BackendUnavailableException;
import dev.keyring4j.KeyringException;
import dev.keyring4j.support.BoundedProcess;
import java.time.Duration;
import java.util.List;

/**
 * Runs the {@code systemd-creds} program through {@link BoundedProcess}: an argument list (no
 * shell), data through stdin and stdout (never a secret on the command line), stderr captured for
 * the error message, a time limit after which the process is killed, and a bound on how much
 * output is accepted.
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
        BoundedProcess.Result r;
        try {
            r = BoundedProcess.of(args).withTimeout(timeout).withMaxStdout(maxOut).withMaxStderr(MAX_STDERR).run(stdin);
        } catch (BoundedProcess.Failure e) {
            switch (e.kind()) {
                case NOT_STARTED:
                    throw new BackendUnavailableException(what + ": cannot run '" + command + "' (" + e.getCause().getMessage()
                            + "); install systemd's systemd-creds (Debian/Ubuntu: package systemd) or set systemd-creds.command", e);
                case TIMED_OUT:
                    throw new KeyringException(what + ": " + command + " did not finish within " + timeout
                            + " and was killed; raise systemd-creds.timeout if a TPM2 is slow here" + stderrPart(e.stderr()));
                case OUTPUT_TOO_LARGE:
                    throw new KeyringException(what + ": the plaintext is larger than the limit of " + maxOut
                            + " bytes (systemd-creds.max-size)");
                default:
                    throw new KeyringException(what + ": interrupted", e);
            }
        }
        if (r.exitCode() != 0) {
            throw new KeyringException(what + ": " + command + " failed with exit status " + r.exitCode() + stderrPart(r.stderr()));
        }
        return r.stdout();
    }

    private static String stderrPart(String stderr) {
        return stderr.isEmpty() ? "" : "; it said: " + stderr;
    }
}
