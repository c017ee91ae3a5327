package dev.keyring4j.cli;

import com.sun.jna.Function;
import com.sun.jna.Native;
import com.sun.jna.NativeLibrary;
import dev.keyring4j.support.NativeLibc;

/**
 * Marks this process non-dumpable with {@code prctl(PR_SET_DUMPABLE, 0)}, as ssh-agent does: other
 * processes of the same user can then neither ptrace it nor read {@code /proc/<pid>/mem}, and it
 * writes no core dump, so a secret in its memory stays in it. {@code execve} makes a new program
 * dumpable again, so the child of {@code exec} is an ordinary process.
 *
 * <p>Best effort: when it cannot be done (no JNA on the module path, no libc, a seccomp filter) the
 * command goes on; {@link #apply} says why, and the command prints that only with {@code --debug}.
 */
final class NonDumpable {
    private static final int PR_SET_DUMPABLE = 4;

    private NonDumpable() {
    }

    /** Makes the process non-dumpable; returns null when done, or why not. */
    static String apply() {
        try {
            return Call.prctlNotDumpable();
        } catch (LinkageError | RuntimeException e) {
            // JNA is absent (module path without it) or cannot load its native part
            return "cannot call prctl through JNA: " + e.getClass().getName();
        }
    }

    /** Separate so that a missing JNA shows as a LinkageError in {@link #apply}, not when this class loads. */
    private static final class Call {
        static String prctlNotDumpable() {
            Function prctl = NativeLibc.bind(() -> NativeLibrary.getInstance(NativeLibc.SONAME).getFunction("prctl"));
            int rc = prctl.invokeInt(new Object[] {PR_SET_DUMPABLE, 0L, 0L, 0L, 0L});
            return rc == 0 ? null : "prctl(PR_SET_DUMPABLE, 0) failed with errno " + Native.getLastError();
        }
    }
}
