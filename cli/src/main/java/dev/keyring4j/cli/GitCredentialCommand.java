package dev.keyring4j.cli;

import dev.keyring4j.CredentialId;
import dev.keyring4j.CredentialStore;
import dev.keyring4j.Secret;
import dev.keyring4j.internal.BoundedInput;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/**
 * {@code keyring4j git-credential get|store|erase}: a git credential helper. Configure it with
 * {@code git config --global credential.helper '!keyring4j git-credential'}.
 *
 * <p>Speaks git's credential protocol: {@code key=value} lines on stdin up to a blank line or the
 * end, answers on stdout. The service is {@code git:<protocol>://<host>[/<path>]} ({@code path}
 * only when git sends it, i.e. with {@code credential.useHttpPath}), the account is the username.
 * Unknown keys are ignored. {@code password_expiry_utc} becomes the ttl of the stored credential.
 */
@Command(name = "git-credential", description = {"A git credential helper: get, store or erase (git's protocol on stdin/stdout).",
        "Use: git config --global credential.helper '!keyring4j git-credential'"})
final class GitCredentialCommand implements Callable<Integer> {
    /** The most read from stdin: a 1 MiB password plus 64 KiB for the other lines (protocol, host, path, username, wwwauth[]…). */
    static final int MAX_INPUT = BoundedInput.MAX_SECRET_BYTES + (64 << 10);

    @CommandLine.ParentCommand
    Main options;

    @Parameters(index = "0", paramLabel = "ACTION", description = "get, store or erase (others are ignored, as git asks of helpers)")
    String action;

    @Override
    public Integer call() throws IOException {
        return run(options, action);
    }

    /** Answers git's request on stdin for {@code action} from the store {@code options} select. */
    static int run(Main options, String action) throws IOException {
        // store's stdin carries the password
        if (action.equals("store")) options.protect();
        Map<String, String> request = GitCredentialHelper.read(BoundedInput.limit(Main.Streams.in, "git-credential's stdin", MAX_INPUT));
        if (!GitCredentialHelper.ACTIONS.contains(action)) return Main.OK;
        try (CredentialStore store = options.open()) {
            return new GitCredentialHelper(store, Clock.systemUTC(), Main.Streams.err).handle(action, request, Main.Streams.out);
        }
    }
}
