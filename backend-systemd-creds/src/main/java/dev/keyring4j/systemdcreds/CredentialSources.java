package dev.keyring4j.systemdcreds;

import dev.keyring4j.spi.BackendConfig;
import dev.keyring4j.support.SystemdCredsRunner;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The backend's configuration read once: which directories to read, in order, and what stops
 * them from being used. Shared by {@code probe} and {@code open}, so both say the same thing.
 *
 * <p>Order: {@code $CREDENTIALS_DIRECTORY}; the {@code dirs}; with {@code credstore = true},
 * each credstore root followed by its {@code .encrypted} twin.
 */
final class CredentialSources {
    static final String ENV_CREDENTIALS_DIRECTORY = "CREDENTIALS_DIRECTORY";
    static final String DIRS = "dirs";
    static final String CREDSTORE = "credstore";
    static final String CREDSTORE_DIRS = "credstore-dirs";
    static final String MAX_SIZE = "max-size";
    static final String PRIORITY_WITHOUT = "priority-without-credentials-directory";
    static final String TIMEOUT = "timeout";
    static final String COMMAND = "command";
    static final Set<String> KEYS = Set.of(DIRS, CREDSTORE, CREDSTORE_DIRS, MAX_SIZE, PRIORITY_WITHOUT, TIMEOUT, COMMAND);

    static final List<String> DEFAULT_CREDSTORES = List.of("/etc/credstore", "/run/credstore", "/usr/lib/credstore");
    static final int DEFAULT_MAX_SIZE = 1 << 20;
    static final int PRIORITY_WITH_CREDENTIALS_DIRECTORY = 20;
    static final int DEFAULT_PRIORITY_WITHOUT = 15;

    final List<CredentialDirectory> directories;
    /** The real {@code $CREDENTIALS_DIRECTORY}, when it is set and usable. */
    final Optional<CredentialDirectory> credentialsDirectory;
    /** Configured directories that do not exist (not an error: a credstore or a secret mount may be absent). */
    final List<String> absent;
    /** Why the backend must not be used, or null. */
    final String problem;
    /** Whether anything besides {@code $CREDENTIALS_DIRECTORY} is configured. */
    final boolean extraConfigured;
    final int maxSize;
    final int priorityWithout;
    final SystemdCredsRunner tool;

    private CredentialSources(List<CredentialDirectory> directories, Optional<CredentialDirectory> credentialsDirectory,
                              List<String> absent, String problem, boolean extraConfigured, int maxSize, int priorityWithout,
                              SystemdCredsRunner tool) {
        this.directories = List.copyOf(directories);
        this.credentialsDirectory = credentialsDirectory;
        this.absent = List.copyOf(absent);
        this.problem = problem;
        this.extraConfigured = extraConfigured;
        this.maxSize = maxSize;
        this.priorityWithout = priorityWithout;
        this.tool = tool;
    }

    /** Reads the configuration and inspects every directory (no file inside is opened). Malformed values throw. */
    static CredentialSources resolve(BackendConfig config) {
        int maxSize = config.getInt(MAX_SIZE, DEFAULT_MAX_SIZE);
        if (maxSize <= 0) throw config.invalid(MAX_SIZE, "a positive number of bytes");
        int priorityWithout = config.getInt(PRIORITY_WITHOUT, DEFAULT_PRIORITY_WITHOUT);
        Duration timeout = config.getDuration(TIMEOUT, SystemdCredsRunner.DEFAULT_TIMEOUT);
        if (timeout.isNegative() || timeout.isZero()) throw config.invalid(TIMEOUT, "a positive duration");
        String command = config.get(COMMAND, SystemdCredsRunner.PROGRAM).trim();
        if (command.isEmpty()) throw config.invalid(COMMAND, "a program name or path");
        List<Path> dirs = absolutePaths(config, DIRS, "");
        boolean credstore = config.getBoolean(CREDSTORE, false);
        List<Path> credstores = credstore ? absolutePaths(config, CREDSTORE_DIRS, String.join(",", DEFAULT_CREDSTORES)) : List.of();

        List<CredentialDirectory> found = new ArrayList<>();
        List<String> absent = new ArrayList<>();
        List<String> problems = new ArrayList<>();
        Optional<CredentialDirectory> credentialsDirectory = Optional.empty();

        Optional<String> cd = config.env(ENV_CREDENTIALS_DIRECTORY).filter(s -> !s.isBlank());
        if (cd.isPresent()) {
            Path p = Path.of(cd.get());
            String origin = "$" + ENV_CREDENTIALS_DIRECTORY;
            if (!p.isAbsolute()) {
                problems.add(origin + "=" + cd.get() + " is not an absolute path");
            } else {
                int before = problems.size();
                credentialsDirectory = inspect(p, origin, true, false, found, new ArrayList<>(), problems);
                if (credentialsDirectory.isEmpty() && problems.size() == before) {
                    // systemd sets it only when it made the directory: its absence is an error, not "no credentials"
                    problems.add(origin + "=" + p + " does not exist");
                }
            }
        }
        for (Path p : dirs) inspect(p, "systemd-creds.dirs", false, false, found, absent, problems);
        for (Path root : credstores) {
            inspect(root, "credstore", false, false, found, absent, problems);
            inspect(Path.of(root + ".encrypted"), "credstore", false, true, found, absent, problems);
        }
        return new CredentialSources(found, credentialsDirectory, absent, problems.isEmpty() ? null : String.join("; ", problems),
                !dirs.isEmpty() || !credstores.isEmpty(), maxSize, priorityWithout, new SystemdCredsRunner(command, timeout, SystemdCredsRunner.Hints.SYSTEMD_CREDS));
    }

    private static Optional<CredentialDirectory> inspect(Path p, String origin, boolean trusted, boolean encrypted,
                                                         List<CredentialDirectory> found, List<String> absent, List<String> problems) {
        try {
            Optional<CredentialDirectory> d = CredentialDirectory.open(p, origin, trusted, encrypted);
            d.ifPresentOrElse(found::add, () -> absent.add(p.toString()));
            return d;
        } catch (CredentialDirectory.Unsafe e) {
            problems.add(e.getMessage());
            return Optional.empty();
        }
    }

    private static List<Path> absolutePaths(BackendConfig config, String key, String fallback) {
        List<Path> out = new ArrayList<>();
        for (String raw : config.get(key, fallback).split(",")) {
            String s = raw.trim();
            if (s.isEmpty()) continue;
            Path p = Path.of(s);
            if (!p.isAbsolute()) throw config.invalid(key, "a comma-separated list of absolute directory paths");
            out.add(p.normalize());
        }
        return out;
    }

    /** One line for probe and diagnose: what is read, in order. */
    String describe() {
        StringBuilder b = new StringBuilder("read-only; reads ");
        List<String> names = new ArrayList<>();
        directories.forEach(d -> names.add(d.describe()));
        b.append(names.isEmpty() ? "nothing" : String.join(", then ", names));
        if (!absent.isEmpty()) b.append("; absent: ").append(String.join(", ", absent));
        return b.toString();
    }
}
