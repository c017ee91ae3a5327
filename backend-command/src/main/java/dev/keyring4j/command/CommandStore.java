package dev.keyring4j.command;

import dev.keyring4j.Capabilities;
import dev.keyring4j.CredentialEvent;
import dev.keyring4j.Subscription;
import dev.keyring4j.internal.CredentialWatcher;
import java.util.function.Consumer;
import dev.keyring4j.Credential;
import dev.keyring4j.CredentialId;
import dev.keyring4j.CredentialStore;
import dev.keyring4j.KeyringException;
import dev.keyring4j.ReadOnlyStoreException;
import dev.keyring4j.Secret;
import dev.keyring4j.support.BoundedProcess;
import dev.keyring4j.support.ChildEnvironment;
import java.time.Clock;
import java.time.Instant;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Answers services whose scheme, host and port match a rule (see {@link Endpoint}: https on port
 * 443 unless the rule names another) by running the rule's command and returning what it prints on
 * stdout (surrounding whitespace removed). The command runs with the backend's environment minus
 * keyring4j's own variables ({@link ChildEnvironment}), except those the rule's {@code pass-env} names. The token is cached in memory per rule for
 * the rule's ttl; concurrent callers of a rule whose token is missing or stale wait for one run.
 * A failing command (non-zero exit, timeout, nothing printed) is a {@link KeyringException},
 * never "absent", and is not cached: the next call runs the command again.
 *
 * <p>{@link #watch} reports {@code CHANGED} when a cached token is renewed with another value:
 * while a subscription is open, a token whose ttl has run out is renewed within a second (the
 * command runs then, not at the next read), and a renewal any read causes fires too. A rule with a
 * ttl of zero caches nothing and is renewed only by reads. A token never disappears or appears
 * (a failing command is an error, not an absence), so there is no {@code CREATED} or {@code DELETED}.
 */
final class CommandStore implements CredentialStore {
    private static final int MAX_STDOUT = 1 << 20;
    private static final int MAX_STDERR = 2048;

    private final Map<String, State> rules = new LinkedHashMap<>();
    private final Clock clock;
    private final CredentialWatcher watcher = new CredentialWatcher("command", CredentialWatcher.secretsOf(this),
            w -> CredentialWatcher.every(RENEWAL_CHECK, this::renewExpired));
    private static final java.time.Duration RENEWAL_CHECK = java.time.Duration.ofSeconds(1);

    /** A rule's cached token and the lock that makes concurrent refreshes one run. */
    private static final class State {
        final Rule rule;
        /** The command's environment: the backend's, minus keyring4j's own variables except the rule's pass-env. */
        final Map<String, String> env;
        final ReentrantLock lock = new ReentrantLock();
        volatile byte[] token;
        volatile Instant expires = Instant.MIN;
        volatile long runs;

        State(Rule rule, Map<String, String> parentEnv) {
            this.rule = rule;
            this.env = Map.copyOf(ChildEnvironment.standard().passing(rule.passEnv()).apply(parentEnv));
        }
    }

    CommandStore(List<Rule> rules, Map<String, String> env, Clock clock) {
        rules.forEach(r -> this.rules.put(r.name(), new State(r, env)));
        this.clock = clock;
    }

    @Override
    public String id() {
        return "command";
    }

    @Override
    public Capabilities capabilities() {
        return CommandProvider.CAPABILITIES;
    }

    /**
     * The rules that decide {@code service}: the first rule (by name) whose match takes it, with
     * every later rule of the same match, each answering its own account. A rule with another match
     * is never consulted once one has matched, so a broad rule never answers for a narrower one.
     */
    private List<State> rulesFor(String service) {
        Optional<Endpoint> target = Endpoint.ofService(service);
        if (target.isEmpty()) return List.of();
        Optional<State> first = rules.values().stream().filter(s -> s.rule.matches(target.get())).findFirst();
        if (first.isEmpty()) return List.of();
        return rules.values().stream().filter(s -> s.rule.sameMatch(first.get().rule)).toList();
    }

    @Override
    public Optional<Secret> get(String service, String account) {
        CredentialId.requireNames(service, account);
        return rulesFor(service).stream().filter(s -> s.rule.answers(account)).findFirst().map(this::token);
    }

    @Override
    public Optional<Credential> find(String service) {
        CredentialId.requireService(service);
        return rulesFor(service).stream().findFirst().map(s -> new Credential(service, s.rule.reportedAccount(), token(s)));
    }

    @Override
    public List<CredentialId> list(String service) {
        CredentialId.requireService(service);
        return rulesFor(service).stream().map(s -> new CredentialId(service, s.rule.reportedAccount())).distinct().toList();
    }

    /** Nothing to enumerate: the command backend holds no credentials, it fetches them. */
    @Override
    public List<CredentialId> list() {
        return List.of();
    }

    @Override
    public void set(String service, String account, Secret secret) {
        CredentialId.requireNames(service, account); // a bad name is refused as such, read-only or not
        throw readOnly();
    }

    @Override
    public void set(String service, String account, Secret secret, java.time.Duration ttl) {
        CredentialId.requireNames(service, account);
        throw readOnly();
    }

    @Override
    public boolean delete(String service, String account) {
        CredentialId.requireNames(service, account);
        throw readOnly();
    }

    @Override
    public Subscription watch(String service, String account, Consumer<CredentialEvent> listener) {
        CredentialId.requireNames(service, account);
        return watcher.watch(service, account, listener);
    }

    /** Re-reads the watched credentials when a cached token's ttl ran out: the read renews it, and a new value fires. */
    private void renewExpired() {
        Instant now = clock.instant();
        for (State s : rules.values()) {
            if (!s.rule.ttl().isZero() && s.token != null && !now.isBefore(s.expires)) {
                watcher.changed();
                return;
            }
        }
    }

    private static ReadOnlyStoreException readOnly() {
        return new ReadOnlyStoreException("the command backend only runs its configured commands to read tokens;"
                + " store credentials in a writable backend (kernel, secret-service, encrypted-file)");
    }

    /** Wipes the cached tokens. */
    @Override
    public void close() {
        watcher.close();
        for (State s : rules.values()) {
            s.lock.lock();
            try {
                byte[] t = s.token;
                s.token = null;
                s.expires = Instant.MIN;
                if (t != null) Arrays.fill(t, (byte) 0);
            } finally {
                s.lock.unlock();
            }
        }
    }

    @Override
    public String toString() {
        return "command" + rules.keySet();
    }

    /** How often a rule's command ran (for tests and diagnostics). */
    long runs(String ruleName) {
        return rules.get(ruleName).runs;
    }

    private Secret token(State s) {
        byte[] t = s.token;
        if (t != null && clock.instant().isBefore(s.expires)) return Secret.of(t);
        s.lock.lock();
        try {
            t = s.token;
            if (t != null && clock.instant().isBefore(s.expires)) return Secret.of(t);
            byte[] fresh = run(s.rule, s.env);
            s.runs++;
            byte[] old = s.token;
            s.token = fresh;
            s.expires = clock.instant().plus(s.rule.ttl());
            boolean renewed = old != null && !Arrays.equals(old, fresh);
            if (old != null) Arrays.fill(old, (byte) 0);
            if (renewed) watcher.changed(); // a renewal by a read: the watches compare and fire
            return Secret.of(fresh);
        } finally {
            s.lock.unlock();
        }
    }

    private byte[] run(Rule rule, Map<String, String> env) {
        BoundedProcess.Result r;
        try {
            r = BoundedProcess.of(rule.argv()).withEnvironment(env).withTimeout(rule.timeout())
                    .withMaxStdout(MAX_STDOUT).withMaxStderr(MAX_STDERR).run(null);
        } catch (BoundedProcess.Failure e) {
            switch (e.kind()) {
                case NOT_STARTED:
                    throw new KeyringException("cannot start the command of " + rule.describe() + ": " + e.getCause().getMessage()
                            + "; check command.rule." + rule.name() + ".run and PATH");
                case TIMED_OUT:
                    throw new KeyringException("the command of " + rule.describe() + " did not finish within " + rule.timeout()
                            + " and was killed; raise command.rule." + rule.name() + ".timeout or fix the command" + stderrPart(e.stderr()));
                case OUTPUT_TOO_LARGE:
                    throw new KeyringException("the command of " + rule.describe() + " printed more than " + MAX_STDOUT
                            + " bytes; a token is expected");
                default:
                    throw new KeyringException("interrupted while running the command of " + rule.describe());
            }
        }
        byte[] stdout = r.stdout();
        try {
            if (r.exitCode() != 0) {
                throw new KeyringException("the command of " + rule.describe() + " exited with status " + r.exitCode() + stderrPart(r.stderr()));
            }
            byte[] token = trim(stdout);
            if (token.length == 0) {
                throw new KeyringException("the command of " + rule.describe() + " exited with status 0 but printed nothing on stdout"
                        + stderrPart(r.stderr()));
            }
            return token;
        } finally {
            Arrays.fill(stdout, (byte) 0);
        }
    }

    private static String stderrPart(String stderr) {
        return stderr.isEmpty() ? "" : "; its stderr: " + stderr;
    }

    private static byte[] trim(byte[] b) {
        int start = 0;
        int end = b.length;
        while (start < end && isSpace(b[start])) start++;
        while (end > start && isSpace(b[end - 1])) end--;
        return Arrays.copyOfRange(b, start, end);
    }

    private static boolean isSpace(byte c) {
        return c == ' ' || c == '\n' || c == '\r' || c == '\t';
    }
}
