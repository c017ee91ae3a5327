package dev.keyring4j.systemdcreds;

import dev.keyring4j.spi.BackendConfig;
import dev.keyring4j.spi.Setting;
import dev.keyring4j.support.SystemdCredsRunner;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The backend's settings, declared once, and its configuration read once by the probe: which
 * directories to read, in order, and what stops them from being used. The store is built from
 * the same instance, so probe and store never disagree.
 *
 * <p>Order: {@code $CREDENTIALS_DIRECTORY}; the {@code dirs}; with {@code credstore = true},
 * each credstore root followed by its {@code .encrypted} twin.
 */
final class CredentialSources {
    static final String ENV_CREDENTIALS_DIRECTORY = "CREDENTIALS_DIRECTORY";
    static final int PRIORITY_WITH_CREDENTIALS_DIRECTORY = 20;

    static final Setting<List<Path>> DIRS = absolutePaths(Setting.list("dirs", "",
            "extra secret directories read after $CREDENTIALS_DIRECTORY, in order (e.g. /run/secrets)"));
    static final Setting<Boolean> CREDSTORE = Setting.bool("credstore", false,
            "true also reads the system credstores (credstore-dirs), each followed by its .encrypted twin");
    static final Setting<List<Path>> CREDSTORE_DIRS = absolutePaths(Setting.list("credstore-dirs",
            "/etc/credstore,/run/credstore,/usr/lib/credstore", "the credstore roots read with credstore = true"));
    static final Setting<Integer> MAX_SIZE = Setting.integer("max-size", 1 << 20,
            "the largest credential read, in bytes; a larger one is refused").map("integer", n -> {
                if (n <= 0) throw new Setting.Invalid("a positive number of bytes");
                return n;
            });
    static final Setting<Integer> PRIORITY_WITHOUT = Setting.integer("priority-without-credentials-directory", 15,
            "the priority when $CREDENTIALS_DIRECTORY is not set but other directories are configured");
    static final Setting<Duration> TIMEOUT = Setting.duration("timeout", SystemdCredsRunner.DEFAULT_TIMEOUT.toString(),
            "how long systemd-creds may take to decrypt one credential").map("duration", d -> {
                if (d.isNegative() || d.isZero()) throw new Setting.Invalid("a positive duration");
                return d;
            });
    static final Setting<String> COMMAND = Setting.text("command", SystemdCredsRunner.PROGRAM,
            "the systemd-creds program that decrypts encrypted credentials").map("text", c -> {
                if (c.isEmpty()) throw new Setting.Invalid("a program name or path");
                return c;
            });
    static final List<Setting<?>> SETTINGS = List.of(DIRS, CREDSTORE, CREDSTORE_DIRS, MAX_SIZE, PRIORITY_WITHOUT, TIMEOUT, COMMAND);

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

    /**
     * Reads the configuration, then inspects every directory (no file inside is opened). Malformed
     * values throw. The probe clock starts at the inspection: that is where the backend is asked.
     */
    static CredentialSources resolve(BackendConfig config) {
        int maxSize = config.get(MAX_SIZE);
        int priorityWithout = config.get(PRIORITY_WITHOUT);
        Duration timeout = config.get(TIMEOUT);
        String command = config.get(COMMAND);
        List<Path> dirs = config.get(DIRS);
        boolean credstore = config.get(CREDSTORE);
        // read only when used, as before: a credstore-dirs value is not checked while credstore = false
        List<Path> credstores = credstore ? config.get(CREDSTORE_DIRS) : List.of();
        config.startProbeClock();

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

    private static Setting<List<Path>> absolutePaths(Setting<List<String>> list) {
        return list.map("comma list of absolute paths", entries -> {
            List<Path> out = new ArrayList<>();
            for (String entry : entries) {
                Path p = Path.of(entry);
                if (!p.isAbsolute()) throw new Setting.Invalid("a comma-separated list of absolute directory paths");
                out.add(p.normalize());
            }
            return List.copyOf(out);
        });
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
