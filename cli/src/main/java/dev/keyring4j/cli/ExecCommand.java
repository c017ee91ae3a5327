package dev.keyring4j.cli;

import dev.keyring4j.CredentialStore;
import dev.keyring4j.Secret;
import dev.keyring4j.support.ChildEnvironment;
import java.io.IOException;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.regex.Pattern;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code keyring4j exec --env NAME=SERVICE/ACCOUNT … -- COMMAND ARGS…}: runs a command with
 * credentials in its environment. Secrets go only into the child's environment: never onto a
 * command line, never into a message. Every credential is read before the child starts; a missing
 * one fails with exit 1 and the child never runs.
 *
 * <p>The child gets this process's environment minus keyring4j's own variables (every
 * {@code KEYRING4J_*} in any letter case, the passphrase and the env backend's secrets among them;
 * see {@link ChildEnvironment}), plus the {@code --env} variables. {@code --pass-env NAME} lets one
 * of keyring4j's own variables through by name.
 *
 * <p>The child inherits stdin, stdout and stderr. SIGTERM, SIGINT and SIGHUP sent to keyring4j are
 * forwarded to the child (keyring4j keeps running until the child exits); other signals are not.
 * The exit status is the child's, or 128+N when the child died from signal N.
 *
 * <p>The child gets the secrets' bytes and its arguments' UTF-8 bytes unchanged whatever the locale,
 * or does not start: a secret holding a NUL byte, or bytes the locale's charset cannot carry (under
 * {@code LANG=C}, anything beyond ASCII), is refused with exit 2, naming the variable, never the
 * value. The child is dumpable again although keyring4j is not: {@code execve} resets the flag.
 */
@Command(name = "exec", description = {"Run COMMAND with credentials from the store in its environment.",
        "Example: keyring4j exec --env GITHUB_TOKEN=github.com/alice -- gh repo list"},
        modelTransformer = ExecCommand.StopAtCommand.class)
final class ExecCommand implements Callable<Integer> {
    private static final Pattern NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");

    @CommandLine.ParentCommand
    Main options;

    @Option(names = {"-e", "--env"}, paramLabel = "NAME=SERVICE/ACCOUNT", required = true,
            description = "Set the variable NAME to the secret of SERVICE/ACCOUNT (split at the last '/'). Repeatable.")
    List<String> env = new ArrayList<>();

    @Option(names = "--pass-env", paramLabel = "NAME",
            description = "Pass keyring4j's own variable NAME (e.g. KEYRING4J_CONFIG) to the command; every KEYRING4J_* variable"
                    + " is removed from its environment otherwise. Repeatable.")
    List<String> passEnv = new ArrayList<>();

    @Parameters(index = "0..*", arity = "1..*", paramLabel = "COMMAND", description = "The command and its arguments (after --).")
    List<String> command = new ArrayList<>();

    /** Everything from the first positional on is the command's, options included ({@code exec -e X=a/b ls -l}). */
    static final class StopAtCommand implements CommandLine.IModelTransformer {
        @Override
        public CommandLine.Model.CommandSpec transform(CommandLine.Model.CommandSpec spec) {
            spec.parser().stopAtPositional(true);
            return spec;
        }
    }

    record Binding(String name, String service, String account) {
    }

    static Binding parse(String spec) {
        int eq = spec.indexOf('=');
        if (eq <= 0) throw new IllegalArgumentException("--env " + spec + ": expected NAME=SERVICE/ACCOUNT");
        String name = spec.substring(0, eq);
        if (!NAME.matcher(name).matches()) throw new IllegalArgumentException("--env " + name + "=…: not a variable name");
        String ref = spec.substring(eq + 1);
        int slash = ref.lastIndexOf('/');
        if (slash <= 0 || slash == ref.length() - 1) {
            throw new IllegalArgumentException("--env " + name + "=" + ref + ": expected SERVICE/ACCOUNT");
        }
        return new Binding(name, ref.substring(0, slash), ref.substring(slash + 1));
    }

    private static Optional<String> envPrefix(CredentialStore store) {
        try {
            return dev.keyring4j.env.EnvVariableNames.prefixIn(store);
        } catch (NoClassDefFoundError absent) {
            return Optional.empty(); // the env backend is not on this module path: nothing reads the environment
        }
    }

    /**
     * The secret as the string the JDK turns back into exactly its bytes in the child's environment
     * (it encodes with the locale's charset), or a refusal that names the variable and says why,
     * never the value: a NUL byte cannot be in an environment variable, and a byte the locale's
     * charset cannot carry would reach the child altered.
     */
    static String environmentValue(Binding b, Secret s) {
        byte[] bytes = s.asBytes();
        try {
            for (byte x : bytes) {
                if (x == 0) {
                    throw new IllegalArgumentException("--env " + b.name() + ": the secret of " + b.service() + "/" + b.account()
                            + " holds a NUL byte, which an environment variable cannot carry; the command was not started");
                }
            }
            Charset jvm = Charset.defaultCharset();
            return forChild(bytes, jvm).orElseThrow(() -> new IllegalArgumentException("--env " + b.name() + ": the secret of "
                    + b.service() + "/" + b.account() + " holds bytes that cannot be passed unchanged under this locale (" + jvm.name()
                    + "); run keyring4j with a UTF-8 locale (e.g. LC_ALL=C.UTF-8); the command was not started"));
        } finally {
            Arrays.fill(bytes, (byte) 0);
        }
    }

    /** The string that {@code charset} encodes as exactly {@code bytes}, if there is one (the JDK encodes a child's arguments and environment so). */
    static Optional<String> forChild(byte[] bytes, Charset charset) {
        String s = new String(bytes, charset);
        byte[] back = s.getBytes(charset);
        boolean exact = Arrays.equals(back, bytes);
        Arrays.fill(back, (byte) 0);
        return exact ? Optional.of(s) : Optional.empty();
    }

    @Override
    public Integer call() throws IOException, InterruptedException {
        List<Binding> bindings = new ArrayList<>();
        for (String spec : env) bindings.add(parse(spec));
        for (String name : passEnv) {
            if (!ChildEnvironment.isVariableName(name)) throw new IllegalArgumentException("--pass-env " + name + ": not a variable name");
        }
        ChildEnvironment childEnvironment = ChildEnvironment.standard().passing(passEnv);
        Map<String, String> values = new LinkedHashMap<>();
        try (CredentialStore store = options.open()) {
            // the variables an env backend with another prefix reads are secrets too
            Optional<String> prefix = envPrefix(store);
            if (prefix.isPresent()) childEnvironment = childEnvironment.alsoScrubbing(prefix.get());
            for (Binding b : bindings) {
                Optional<Secret> secret = store.get(b.service(), b.account());
                if (secret.isEmpty()) {
                    return Main.notFound(store, b.service(), b.account(), " (for " + b.name() + "); the command was not started");
                }
                try (Secret s = secret.get()) {
                    values.put(b.name(), environmentValue(b, s));
                }
            }
        }
        Charset jvm = Charset.defaultCharset();
        List<String> argv = new ArrayList<>();
        for (int i = 0; i < command.size(); i++) {
            String arg = command.get(i);
            argv.add(forChild(arg.getBytes(StandardCharsets.UTF_8), jvm).orElseThrow(() -> new IllegalArgumentException(
                    "the command's argument '" + arg + "' cannot be passed byte-exact under this locale (" + jvm.name()
                            + "); run keyring4j with a UTF-8 locale (e.g. LC_ALL=C.UTF-8); the command was not started")));
        }
        ProcessBuilder pb = new ProcessBuilder(argv).inheritIO();
        Map<String, String> inherited = childEnvironment.apply(pb.environment());
        // remove rather than clear and refill: the variables kept keep their original bytes, whatever the locale
        pb.environment().keySet().retainAll(inherited.keySet());
        pb.environment().putAll(values);
        values.clear();
        SignalForwarding.install();
        try {
            Process child;
            try {
                child = pb.start();
            } catch (IOException e) {
                Main.Streams.err.println("keyring4j: cannot start " + command.get(0) + ": " + e.getMessage());
                return 127;
            } finally {
                pb.environment().clear();
            }
            SignalForwarding.forwardTo(child);
            return child.waitFor();
        } finally {
            SignalForwarding.uninstall();
        }
    }
}
