package dev.keyring4j.cli;

import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The two calls that scripts and git make on every use, {@code get SERVICE ACCOUNT} and
 * {@code git-credential ACTION}, matched without picocli when their arguments take only the plain
 * forms: {@code -b}/{@code --backend} and {@code -c}/{@code --config} with a separate value or with
 * {@code --backend=}/{@code --config=}, {@code --debug}, and {@code get}'s {@code -n}/{@code --no-newline}, each at most once,
 * before or after the subcommand, option values that are neither {@code -}-prefixed nor a subcommand's name, and
 * names that do not start with {@code -}.
 *
 * <p>Why: building picocli's model of even one subcommand (annotation reflection, its converters) costs
 * about 45 ms of a 130 ms {@code keyring4j get}. Anything else (help, a clustered or repeated option,
 * {@code --}, a name starting with {@code -}, a missing or extra name) is not matched and goes to
 * picocli, which stays the reference: {@code PlainCallTest} checks that picocli parses every call
 * matched here to the same values.
 */
record PlainCall(String command, String backend, Path config, boolean debug, boolean noNewline, List<String> names) {
    static final String GET = "get";
    static final String GIT_CREDENTIAL = "git-credential";

    /** The call {@code args} make, or null when they are not in the plain forms (then picocli parses them). */
    static PlainCall match(String[] args) {
        String command = null;
        String backend = null;
        String config = null;
        boolean debug = false;
        boolean noNewline = false;
        List<String> names = new ArrayList<>(2);
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            String value = null;
            String option = a;
            if (a.startsWith("--backend=") || a.startsWith("--config=")) {
                option = a.substring(0, a.indexOf('='));
                value = a.substring(a.indexOf('=') + 1);
            }
            switch (option) {
                case "--debug" -> {
                    if (debug) return null;
                    debug = true;
                }
                case "-n", "--no-newline" -> {
                    if (!GET.equals(command) || noNewline) return null;
                    noNewline = true;
                }
                case "-b", "--backend", "-c", "--config" -> {
                    if (value == null) {
                        if (i + 1 >= args.length) return null;
                        value = args[++i];
                    }
                    // at least every value picocli would not take as one (an option's name, the subcommand's), in
                    // either form; more than that only costs the plain path (GET/GIT_CREDENTIAL: add any alias here)
                    if (value.startsWith("-") || value.equals(GET) || value.equals(GIT_CREDENTIAL)) return null;
                    boolean isBackend = option.equals("-b") || option.equals("--backend");
                    if (isBackend ? backend != null : config != null) return null;
                    if (isBackend) backend = value;
                    else config = value;
                }
                default -> {
                    if (a.startsWith("-")) return null;
                    if (command != null) names.add(a);
                    else if (a.equals(GET) || a.equals(GIT_CREDENTIAL)) command = a;
                    else return null;
                }
            }
        }
        if (command == null || names.size() != (command.equals(GET) ? 2 : 1)) return null;
        Path configPath = null;
        if (config != null) {
            try {
                configPath = Path.of(config);
            } catch (InvalidPathException e) {
                return null;
            }
        }
        return new PlainCall(command, backend, configPath, debug, noNewline, List.copyOf(names));
    }

    /** The options this call sets, as picocli would have set them. */
    Main options() {
        Main main = new Main();
        main.backend = backend;
        main.config = config;
        main.debug = debug;
        return main;
    }
}
