package dev.keyring4j.cli;

import dev.keyring4j.CredentialStore;
import dev.keyring4j.Secret;
import dev.keyring4j.support.ChildEnvironment;
import java.io.IOException;
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
                    values.put(b.name(), s.asString());
                }
            }
        }
        ProcessBuilder pb = new ProcessBuilder(command).inheritIO();
        Map<String, String> inherited = childEnvironment.apply(pb.environment());
        pb.environment().clear();
        pb.environment().putAll(inherited);
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
