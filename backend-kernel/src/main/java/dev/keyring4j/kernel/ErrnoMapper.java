package dev.keyring4j.kernel;

import static dev.keyring4j.kernel.KeyctlSyscalls.EACCES;
import static dev.keyring4j.kernel.KeyctlSyscalls.EDQUOT;
import static dev.keyring4j.kernel.KeyctlSyscalls.EKEYEXPIRED;
import static dev.keyring4j.kernel.KeyctlSyscalls.EKEYREVOKED;
import static dev.keyring4j.kernel.KeyctlSyscalls.ENOKEY;
import static dev.keyring4j.kernel.KeyctlSyscalls.ENOSYS;
import static dev.keyring4j.kernel.KeyctlSyscalls.EOPNOTSUPP;
import static dev.keyring4j.kernel.KeyctlSyscalls.EPERM;

import dev.keyring4j.AccessDeniedException;
import dev.keyring4j.BackendUnavailableException;
import dev.keyring4j.KeyringException;
import dev.keyring4j.QuotaExceededException;
import dev.keyring4j.support.ProcessUser;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * What a kernel errno means to a caller.
 *
 * <p>Guarantees: {@code EACCES}/{@code EPERM} are {@link AccessDeniedException} (never "absent"),
 * {@code EDQUOT} is {@link QuotaExceededException} with the quota files' values and this user's
 * usage from {@code /proc}, {@code ENOSYS}/{@code EOPNOTSUPP} are
 * {@link BackendUnavailableException}, anything else a {@link KeyringException}; every message
 * names the operation and the target keyring, and never a secret. {@link #absent} is the one
 * definition of "the key is not there".
 */
final class ErrnoMapper {
    private final KernelTarget target;

    ErrnoMapper(KernelTarget target) {
        this.target = target;
    }

    /** ENOKEY, EKEYEXPIRED, EKEYREVOKED: the key is not there (any more). */
    static boolean absent(int errno) {
        return errno == ENOKEY || errno == EKEYEXPIRED || errno == EKEYREVOKED;
    }

    /** The exception for an errno; the message names the operation and never a secret. */
    KeyringException failure(String what, int errno) {
        String name = KeyctlSyscalls.errnoName(errno);
        return switch (errno) {
            case EACCES, EPERM -> new AccessDeniedException(what + " was refused by the kernel (" + name + "): the key or keyring"
                    + " belongs to another user or lacks the permission; inspect it with `keyctl show " + target.shortName
                    + "` or `keyctl describe <id>`");
            case EDQUOT -> new QuotaExceededException(what + " failed: the kernel key quota is exhausted (EDQUOT). " + quotaReport()
                    + ". Delete unused keys (keyctl show) or raise the quota, e.g. sysctl kernel.keys.maxbytes=…");
            case ENOSYS, EOPNOTSUPP -> new BackendUnavailableException(what + " failed: the kernel refused the keyctl system call ("
                    + name + "); keyring syscalls are disabled or filtered here (a seccomp profile, e.g. a container's default)");
            default -> new KeyringException(what + " failed: " + name);
        };
    }

    /** The quota files with their current values and this user's usage from /proc/key-users. */
    private static String quotaReport() {
        StringBuilder b = new StringBuilder();
        long uid = currentUid();
        String prefix = uid == 0 ? "root_" : "";
        for (String f : new String[] {"maxkeys", "maxbytes"}) {
            Path p = Path.of("/proc/sys/kernel/keys", prefix + f);
            if (b.length() > 0) b.append(", ");
            b.append(p).append(" = ").append(readTrimmed(p));
        }
        if (uid == 0) b.append(" (root's quota; other users: /proc/sys/kernel/keys/maxkeys = ")
                .append(readTrimmed(Path.of("/proc/sys/kernel/keys/maxkeys"))).append(", /proc/sys/kernel/keys/maxbytes = ")
                .append(readTrimmed(Path.of("/proc/sys/kernel/keys/maxbytes"))).append(")");
        try {
            for (String line : Files.readAllLines(Path.of("/proc/key-users"))) {
                String t = line.trim();
                if (t.startsWith(uid + ":")) b.append("; usage of uid ").append(uid).append(" in /proc/key-users: ").append(t);
            }
        } catch (IOException | RuntimeException e) {
            // the report is a courtesy; the files may be hidden in a container
        }
        return b.toString();
    }

    private static String readTrimmed(Path p) {
        try {
            try (var in = Files.newInputStream(p)) { // procfs reports size 0: read to the end, not by the size
                return new String(in.readAllBytes(), StandardCharsets.US_ASCII).trim();
            }
        } catch (IOException | RuntimeException e) {
            return "unreadable";
        }
    }

    /** This process's uid, whose quota {@code EDQUOT} exhausted; -1 when /proc cannot tell. */
    static long currentUid() {
        try {
            return ProcessUser.uid();
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }
}
