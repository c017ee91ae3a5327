package dev.keyring4j.testkit;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;

/**
 * What a test needs from the machine (a program, a kernel feature). Under {@code CI=true} a
 * missing prerequisite fails the test; elsewhere the test is skipped with a loud reason on stderr.
 * A skip is never a pass.
 */
public final class Prerequisites {
    private Prerequisites() {
    }

    /** Fails (CI) or skips (elsewhere) unless {@code condition} holds. */
    public static void require(boolean condition, String what) {
        if (condition) return;
        String message = "missing test prerequisite: " + what;
        if ("true".equalsIgnoreCase(System.getenv("CI"))) {
            Assertions.fail(message + " (CI=true: a missing prerequisite fails the build; .ci/run installs it)");
        }
        System.err.println("!!! SKIPPED: " + message + " (install it, or run under CI=true to make this fatal)");
        Assumptions.abort(message);
    }

    /** Requires an executable on PATH (or at an absolute path) and returns its path. */
    public static Path requireProgram(String name) {
        Path found = findProgram(name);
        require(found != null, "the program '" + name + "' (see .ci/run for the Debian package)");
        return found;
    }

    /** The executable {@code name} on PATH, or null. */
    public static Path findProgram(String name) {
        if (name.contains("/")) {
            Path p = Path.of(name);
            return Files.isExecutable(p) ? p : null;
        }
        String path = System.getenv().getOrDefault("PATH", "/usr/local/bin:/usr/bin:/bin");
        for (String dir : path.split(":")) {
            if (dir.isEmpty()) continue;
            Path p = Path.of(dir, name);
            if (Files.isExecutable(p)) return p;
        }
        return null;
    }
}
