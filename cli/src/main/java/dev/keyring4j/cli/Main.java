package dev.keyring4j.cli;

import dev.keyring4j.BackendStatus;
import dev.keyring4j.CredentialId;
import dev.keyring4j.CredentialStore;
import dev.keyring4j.Keyring;
import dev.keyring4j.KeyringConfig;
import dev.keyring4j.KeyringException;
import dev.keyring4j.Secret;
import dev.keyring4j.internal.BoundedInput;
import java.io.BufferedOutputStream;
import java.io.Console;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * The {@code keyring4j} command. Exit codes: 0 ok, 1 not found, 2 usage or bad input,
 * 3 store error or an unexpected failure. Every error is one line on stderr (a stack trace only with
 * {@code --debug}); secrets go only to stdout, and only from {@code get}. Output is UTF-8 whatever the locale.
 */
@Command(name = "keyring4j", mixinStandardHelpOptions = true, scope = CommandLine.ScopeType.INHERIT, versionProvider = BuildInfo.class,
        description = "Store and read credentials in the best store this machine offers.",
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:ok", "1:not found", "2:usage error or bad input", "3:store error (locked, unavailable, read-only, denied, damaged) or an unexpected failure (rerun with --debug)"})
public final class Main implements Runnable {
    static final int OK = 0;
    static final int NOT_FOUND = 1;
    static final int USAGE = 2;
    static final int STORE_ERROR = 3;

    /**
     * The subcommands, in the order help lists them. picocli builds a command's model (reflection over
     * its annotations) when it is added, so {@link #run} adds only the one the arguments name, and
     * every one only when they name none (help, a typo).
     */
    static final List<Class<?>> SUBCOMMANDS = List.of(Get.class, Set.class, Del.class, ListIds.class, FindCommand.class, ClearCommand.class,
            Backends.class, Diagnose.class,
            GitCredentialCommand.class, ExecCommand.class, DockerCredentialCommand.class,
            ProvisionSystemdCommand.class, RotateCommand.class, EnvNameCommand.class, ConfigReferenceCommand.class, MavenPasswordCommand.class,
            WatchCommand.class);

    /** Root options that take a value as the next argument: the value is never the subcommand's name. */
    private static final java.util.Set<String> ROOT_OPTIONS_WITH_VALUE = java.util.Set.of("-b", "--backend", "-c", "--config");

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = {"-b", "--backend"}, paramLabel = "SPEC", scope = CommandLine.ScopeType.INHERIT,
            description = "Backend id or comma list forming a chain (overrides configuration).")
    String backend;

    @Option(names = {"-c", "--config"}, paramLabel = "FILE", scope = CommandLine.ScopeType.INHERIT,
            description = "A keyring.properties file consulted above system properties, environment and files.")
    Path config;

    /** The configuration {@code --backend} and {@code --config} describe, above every other layer. */
    KeyringConfig config() {
        KeyringConfig.Builder b = KeyringConfig.builder();
        if (backend != null) b.backend(backend);
        if (config != null) b.configFile(config);
        try {
            ConsolePassphrase.register(b);
        } catch (NoClassDefFoundError absent) {
            // the encrypted-file backend is not on this module path
        }
        return b.build();
    }

    /**
     * Opens the store the options select. Unless it is the env backend, the process is first made
     * non-dumpable ({@link #protect}): a secret is about to enter it. The env backend's secrets are
     * already in this process's environment (and its parent's) or in a file its user can read, so
     * hiding this process would hide nothing, and {@code --backend env} stays free of native code.
     */
    CredentialStore open() {
        CredentialStore store = Keyring.open(config());
        if (!"env".equals(store.id())) {
            protect();
        } else if (protectProcess && debug) {
            Streams.err.println("keyring4j: debug: the process is not marked non-dumpable: the env backend's secrets are in its environment already");
        }
        return store;
    }

    /** Whether {@link #protect} calls prctl: only in the real process ({@link #main}), never in a test's JVM. */
    private boolean protectProcess;
    private boolean protectedOnce;

    /** Marks the process non-dumpable ({@link NonDumpable}) before a secret enters it; once; with --debug, says so when it cannot. */
    void protect() {
        if (!protectProcess || protectedOnce) return;
        protectedOnce = true;
        String why = NonDumpable.apply();
        if (why != null && debug) Streams.err.println("keyring4j: debug: the process is not marked non-dumpable: " + why);
    }

    @Option(names = "--debug", scope = CommandLine.ScopeType.INHERIT,
            description = "On a failure, also print the stack trace (messages of JDK and library exceptions withheld: they may quote a secret).")
    boolean debug;

    /**
     * The command as a process: stdout and stderr write UTF-8 whatever the locale, the arguments are
     * recovered byte-exact ({@link Arguments}), the process is made non-dumpable before a secret enters
     * it ({@link #protect}), and every failure, an {@link Error} included, ends as one line and an exit code ({@link Failure}).
     */
    public static void main(String[] args) {
        PrintStream out = utf8(FileDescriptor.out);
        PrintStream err = utf8(FileDescriptor.err);
        System.setOut(out);
        System.setErr(err);
        boolean debug = debugRequested(args);
        Thread.setDefaultUncaughtExceptionHandler((thread, e) -> {
            // a library thread's failure: one line, never a trace with its message
            err.println("keyring4j: in thread " + thread.getName() + ": " + Failure.line(e, debug));
            if (debug) Failure.printTrace(e, err);
        });
        int code;
        try {
            String[] exact = Arguments.recover(args);
            code = run(exact, System.in, out, err, true);
        } catch (Throwable e) {
            code = Failure.report(e, debug, err);
        }
        out.flush();
        err.flush();
        System.exit(code);
    }

    /** A stream that encodes as UTF-8: names and messages reach the terminal or pipe as UTF-8 bytes even under {@code LANG=C}. */
    private static PrintStream utf8(FileDescriptor fd) {
        return new PrintStream(new BufferedOutputStream(new FileOutputStream(fd), 8192), true, StandardCharsets.UTF_8);
    }

    /** Whether {@code --debug} is among the options, for failures before (or while) picocli parses them. */
    static boolean debugRequested(String[] args) {
        for (String a : args) {
            if (a.equals("--")) return false;
            if (a.equals("--debug")) return true;
        }
        return false;
    }

    /** Runs the command with these streams; returns the exit code. */
    static int run(String[] args, InputStream in, PrintStream out, PrintStream err) {
        return run(args, in, out, err, false);
    }

    /** As {@link #run(String[], InputStream, PrintStream, PrintStream)}; {@code protectProcess}: make this process non-dumpable before a secret enters it. */
    static int run(String[] args, InputStream in, PrintStream out, PrintStream err, boolean protectProcess) {
        boolean early = debugRequested(args);
        PlainCall plain = PlainCall.match(args);
        if (plain != null) return runPlain(plain, in, out, err, protectProcess);
        return runParsed(args, in, out, err, protectProcess, early);
    }

    /** Runs the command as picocli parses it (every call but a {@link PlainCall}; the reference the plain path is tested against). */
    static int runParsed(String[] args, InputStream in, PrintStream out, PrintStream err, boolean protectProcess, boolean early) {
        try {
            Main main = new Main();
            main.protectProcess = protectProcess;
            CommandLine cl = commandLine(main, subcommandName(args));
            // a name may start with '@': it is a name, never a file to read arguments from
            cl.setExpandAtFiles(false);
            cl.setOut(new java.io.PrintWriter(out, true));
            cl.setErr(new java.io.PrintWriter(err, true));
            cl.setParameterExceptionHandler((e, given) -> Failure.report(e, early, err));
            cl.setExecutionExceptionHandler((e, cmd, parsed) -> {
                Throwable cause = e instanceof CommandLine.ExecutionException && e.getCause() != null ? e.getCause() : e;
                return Failure.report(cause, main.debug, err);
            });
            Streams.in = in;
            Streams.out = out;
            Streams.err = err;
            return cl.execute(args);
        } catch (Throwable e) {
            // picocli failing to build the commands, or an Error it let through
            return Failure.report(e, early, err);
        }
    }

    /** Runs a call {@link PlainCall} matched, as picocli would have run it, without building picocli's model. */
    private static int runPlain(PlainCall call, InputStream in, PrintStream out, PrintStream err, boolean protectProcess) {
        Main main = call.options();
        main.protectProcess = protectProcess;
        Streams.in = in;
        Streams.out = out;
        Streams.err = err;
        try {
            return call.command().equals(PlainCall.GET)
                    ? Get.print(main, call.names().get(0), call.names().get(1), call.noNewline())
                    : GitCredentialCommand.run(main, call.names().get(0));
        } catch (Throwable e) {
            return Failure.report(e, main.debug, err);
        }
    }

    /**
     * The command with the subcommand {@code named} (or, when null, every one: help, a typo, the man page and
     * completion generated from this model by {@link BuildDocs}).
     */
    static CommandLine commandLine(Main main, String named) {
        CommandLine cl = new CommandLine(main);
        for (Class<?> c : SUBCOMMANDS) {
            if (named == null || names(c).contains(named)) cl.addSubcommand(c);
        }
        // addSubcommand copies the root's parser settings over each subcommand's own: apply the
        // subcommand's model transformer again (exec's stop-at-the-command rule)
        for (CommandLine sub : cl.getSubcommands().values()) {
            CommandLine.Model.CommandSpec spec = sub.getCommandSpec();
            if (spec.modelTransformer() != null) spec.modelTransformer().transform(spec);
        }
        return cl;
    }

    /** The subcommand the arguments name, or null when they name none that exists (then every one is added, for help and suggestions). */
    static String subcommandName(String[] args) {
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (a.equals("--")) return null;
            if (a.startsWith("-")) {
                if (ROOT_OPTIONS_WITH_VALUE.contains(a)) i++;
                continue;
            }
            for (Class<?> c : SUBCOMMANDS) {
                if (names(c).contains(a)) return a;
            }
            return null;
        }
        return null;
    }

    /** A subcommand's name and aliases, from its annotation (no model is built). */
    private static List<String> names(Class<?> command) {
        Command c = command.getAnnotation(Command.class);
        List<String> all = new java.util.ArrayList<>(List.of(c.aliases()));
        all.add(c.name());
        return all;
    }

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "name a command, e.g. keyring4j diagnose (keyring4j --help lists them)");
    }

    /** The process streams, swappable for in-process tests. */
    static final class Streams {
        static InputStream in = System.in;
        static PrintStream out = System.out;
        static PrintStream err = System.err;

        private Streams() {
        }
    }

    @Command(name = "get", description = "Print the secret (stdout). Exit 1 when there is none.")
    static final class Get implements Callable<Integer> {
        @CommandLine.ParentCommand
        Main options;
        @Parameters(index = "0", paramLabel = "SERVICE")
        String service;
        @Parameters(index = "1", paramLabel = "ACCOUNT")
        String account;
        @Option(names = {"-n", "--no-newline"}, description = "Do not print a newline after the secret.")
        boolean noNewline;

        @Override
        public Integer call() throws IOException {
            return print(options, service, account, noNewline);
        }

        /** Prints the secret of (service, account) in the store {@code options} select; {@link #NOT_FOUND} when there is none. */
        static int print(Main options, String service, String account, boolean noNewline) throws IOException {
            try (CredentialStore store = options.open()) {
                Optional<Secret> secret = store.get(service, account);
                if (secret.isEmpty()) return notFound(store, service, account, "");
                try (Secret s = secret.get()) {
                    byte[] bytes = s.asBytes();
                    Streams.out.write(bytes);
                    Arrays.fill(bytes, (byte) 0);
                }
                if (!noNewline) Streams.out.write('\n');
                Streams.out.flush();
                return OK;
            }
        }
    }

    @Command(name = "set", description = "Store a secret read from stdin (or a no-echo prompt on a terminal); never from the command line.")
    static final class Set implements Callable<Integer> {
        @CommandLine.ParentCommand
        Main options;
        @Parameters(index = "0", paramLabel = "SERVICE")
        String service;
        @Parameters(index = "1", paramLabel = "ACCOUNT")
        String account;
        @Option(names = "--ttl", paramLabel = "DURATION", description = "Expire after this long (ISO-8601 like PT1H, or 90s, 15m, 2h, 1d).")
        String ttl;

        @Override
        public Integer call() throws IOException {
            Duration expiry = ttl == null ? null : parseDuration(ttl);
            try (Secret secret = readSecret(options); CredentialStore store = options.open()) {
                if (expiry == null) {
                    store.set(service, account, secret);
                    if (!store.capabilities().persistent()) {
                        Streams.err.println("keyring4j: warning: stored in " + store.id()
                                + ", which does not survive a reboot; configure a persistent backend (keyring4j diagnose)");
                    }
                } else {
                    store.set(service, account, secret, expiry);
                }
                return OK;
            }
        }

        /** The secret from the terminal (no echo) or stdin; the process is made non-dumpable first. */
        static Secret readSecret(Main options) throws IOException {
            options.protect();
            Console console = System.console();
            if (console != null && Streams.in == System.in) {
                char[] typed = console.readPassword("Secret for %s: ", "the credential");
                if (typed == null) throw new IllegalArgumentException("no secret was entered");
                try {
                    return Secret.of(typed);
                } finally {
                    Arrays.fill(typed, '\0');
                }
            }
            // 1 MiB, the largest secret the bounded backends hold; /dev/zero on stdin ends here at once
            byte[] all = BoundedInput.readStream(Streams.in, "the secret on stdin", BoundedInput.MAX_SECRET_BYTES);
            int end = all.length;
            // `echo secret | keyring4j set …` adds one newline that is not part of the secret
            if (end > 0 && all[end - 1] == '\n') end--;
            if (end > 0 && all[end - 1] == '\r') end--;
            Secret s = Secret.of(Arrays.copyOf(all, end));
            Arrays.fill(all, (byte) 0);
            return s;
        }
    }

    /** Says on stderr that {@code store} has no such credential (names only, never a secret) and returns {@link #NOT_FOUND}. */
    static int notFound(CredentialStore store, String service, String account, String consequence) {
        Streams.err.println("keyring4j: no credential for service '" + service + "' account '" + account + "' in " + store.id() + consequence);
        return NOT_FOUND;
    }

    static Duration parseDuration(String text) {
        String t = text.trim().toLowerCase(Locale.ROOT);
        try {
            if (t.startsWith("p")) return Duration.parse(t.toUpperCase(Locale.ROOT));
            long n = Long.parseLong(t.substring(0, t.length() - 1));
            return switch (t.charAt(t.length() - 1)) {
                case 's' -> Duration.ofSeconds(n);
                case 'm' -> Duration.ofMinutes(n);
                case 'h' -> Duration.ofHours(n);
                case 'd' -> Duration.ofDays(n);
                default -> throw new IllegalArgumentException();
            };
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("--ttl " + text + " is not a duration: use PT1H, 90s, 15m, 2h or 1d");
        }
    }

    @Command(name = "del", aliases = "delete", description = "Delete a credential from every writable store. Exit 1 when there was none.")
    static final class Del implements Callable<Integer> {
        @CommandLine.ParentCommand
        Main options;
        @Parameters(index = "0", paramLabel = "SERVICE")
        String service;
        @Parameters(index = "1", paramLabel = "ACCOUNT")
        String account;

        @Override
        public Integer call() {
            try (CredentialStore store = options.open()) {
                return store.delete(service, account) ? OK : notFound(store, service, account, "");
            }
        }
    }

    @Command(name = "list", description = {"List ids (service<TAB>account), of one service or of all.", "Exit 1 when SERVICE has none. --json: {\"store\":ID,\"ids\":[{\"service\":S,\"account\":A},...]} (docs/cli.md)."})
    static final class ListIds implements Callable<Integer> {
        @CommandLine.ParentCommand
        Main options;
        @Parameters(index = "0", arity = "0..1", paramLabel = "SERVICE")
        String service;
        @Option(names = "--json", description = "One JSON object on stdout (schema: docs/cli.md).")
        boolean json;

        @Override
        public Integer call() {
            try (CredentialStore store = options.open()) {
                List<CredentialId> ids = service == null ? store.list() : store.list(service);
                if (json) {
                    List<Object> rows = new java.util.ArrayList<>();
                    ids.forEach(id -> rows.add(JsonOutput.id(id)));
                    Streams.out.println(Json.value(JsonOutput.object("store", store.id(), "ids", rows)));
                } else {
                    ids.forEach(id -> Streams.out.println(id.service() + "\t" + id.account()));
                }
                return ids.isEmpty() && service != null ? NOT_FOUND : OK;
            }
        }
    }

    @Command(name = "backends", description = "Every discovered backend: id, priority, available, reason.")
    static final class Backends implements Callable<Integer> {
        @CommandLine.ParentCommand
        Main options;
        @Option(names = "--json", description = "One JSON object on stdout: {\"backends\":[...]} (schema: docs/cli.md).")
        boolean json;

        @Override
        public Integer call() {
            List<BackendStatus> all = Keyring.backends(options.config());
            if (json) {
                Streams.out.println(Json.value(JsonOutput.object("backends", JsonOutput.backends(all))));
                return OK;
            }
            Streams.out.printf(Locale.ROOT, "%-16s %8s  %-9s  %s%n", "ID", "PRIORITY", "AVAILABLE", "REASON");
            for (BackendStatus s : all) {
                Streams.out.printf(Locale.ROOT, "%-16s %8s  %-9s  %s%n", s.id(), s.available() ? Integer.toString(s.priority()) : "-",
                        s.available() ? "yes" : s.indeterminate() ? "unsure" : "no", s.reason()); // unsure: the probe gave no definite answer
            }
            return OK;
        }
    }

    @Command(name = "diagnose", description = "Which backend Keyring.open() returns here, and why.")
    static final class Diagnose implements Callable<Integer> {
        @CommandLine.ParentCommand
        Main options;

        @Option(names = "--json", description = "The report as one JSON object on stdout (schema: docs/cli.md).")
        boolean json;

        @Override
        public Integer call() {
            dev.keyring4j.Diagnosis diagnosis = Keyring.diagnosis(options.config());
            Streams.out.print(json ? Json.value(JsonOutput.diagnosis(diagnosis)) + "\n" : diagnosis.report());
            // a script can tell from the status that open() fails here; the report on stdout says why
            if (!diagnosis.openFails()) return OK;
            Streams.err.println("keyring4j: Keyring.open() fails under this configuration; the report above says why");
            return STORE_ERROR;
        }
    }
}
