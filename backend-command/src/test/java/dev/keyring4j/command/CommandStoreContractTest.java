package dev.keyring4j.command;

import dev.keyring4j.CredentialId;
import dev.keyring4j.CredentialStore;
import dev.keyring4j.spi.BackendConfig;
import dev.keyring4j.testkit.CredentialStoreContract;
import dev.keyring4j.testkit.Prerequisites;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;

/**
 * The read-only half of the contract over real rules running real commands: each provisioned
 * credential is a rule whose match names exactly its service's endpoint, whose account is its
 * account, and whose command is {@code printf %s <secret>} (the secret one argument, no shell).
 */
class CommandStoreContractTest extends CredentialStoreContract {
    private static final CommandProvider PROVIDER = new CommandProvider();
    private static String printf;

    @BeforeAll
    static void prerequisites() {
        printf = Prerequisites.requireProgram("printf").toString();
    }

    private static Map<String, String> env() {
        return Map.of("PATH", System.getenv().getOrDefault("PATH", "/usr/bin:/bin"));
    }

    /** No credentials: the backend needs one rule to be available, so one that no contract id reaches. */
    @Override
    protected CredentialStore openStore() {
        return open(Map.of("rule.none.match", "nothing.invalid", "rule.none.run", "false"));
    }

    @Override
    protected CredentialStore openStoreHolding(Map<CredentialId, byte[]> credentials) {
        if (credentials.isEmpty()) return openStore();
        Map<String, String> settings = new LinkedHashMap<>();
        int n = 0;
        for (Map.Entry<CredentialId, byte[]> e : credentials.entrySet()) {
            // zero-padded: rules are tried in the order of their names
            String name = String.format("c%05d", n++);
            if (e.getKey().service().startsWith("contract.watch")) {
                settings.putAll(tokenFileRule(name, e.getKey(), e.getValue()));
            } else {
                settings.putAll(rule(name, e.getKey(), new String(e.getValue(), StandardCharsets.UTF_8)));
            }
        }
        return open(settings);
    }

    @TempDir
    Path tokens;
    private final Map<CredentialId, Path> tokenFiles = new java.util.concurrent.ConcurrentHashMap<>();

    /**
     * For the watch rules: a rule that prints a token file ({@code cat FILE}), cached for 0.2 s, so
     * that another writer can rotate the token and the watch sees the renewal.
     */
    private Map<String, String> tokenFileRule(String name, CredentialId id, byte[] secret) {
        try {
            Path file = tokens.resolve(name + "-" + java.util.UUID.randomUUID());
            Files.write(file, secret);
            tokenFiles.put(id, file);
            String prefix = "rule." + name + ".";
            return Map.of(prefix + "match", pattern(Endpoint.ofService(id.service()).orElseThrow()),
                    prefix + "run", Prerequisites.requireProgram("cat") + " " + quoted(file.toString()),
                    prefix + "account", id.account(),
                    prefix + "ttl", "PT0.2S");
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** The token rotated: the rule's file replaced (by rename, so the command never reads half a token). */
    @Override
    protected void changeElsewhere(CredentialStore watched, CredentialId id, byte[] secret) throws Exception {
        Path file = tokenFiles.get(id);
        if (file == null) throw new IllegalStateException("no token file rule for " + id);
        Path next = file.resolveSibling(file.getFileName() + ".next");
        Files.write(next, secret);
        Files.move(next, file, java.nio.file.StandardCopyOption.ATOMIC_MOVE, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    }

    /** A token neither appears nor disappears: a failing command is an error, never an absence. */
    @Override
    protected boolean watchReportsCreateAndDelete() {
        return false;
    }

    /** The 0.2 s ttl, the 1 s renewal check, and a margin. */
    @Override
    protected java.time.Duration watchLatency() {
        return java.time.Duration.ofSeconds(3);
    }

    private static CredentialStore open(Map<String, String> settings) {
        return PROVIDER.probe(BackendConfig.of("command", settings, env())).open();
    }

    /** The settings of a rule answering exactly {@code id} with {@code secret}. */
    private static Map<String, String> rule(String name, CredentialId id, String secret) {
        String prefix = "rule." + name + ".";
        return Map.of(prefix + "match", pattern(Endpoint.ofService(id.service()).orElseThrow()),
                prefix + "run", printf + " %s " + quoted(secret),
                prefix + "account", id.account());
    }

    /** A match pattern naming exactly {@code e}: its scheme, host and port. */
    private static String pattern(Endpoint e) {
        String host = e.host().indexOf(':') >= 0 ? "[" + e.host() + "]" : e.host();
        return e.scheme() + "://" + host + (e.port() == Endpoint.NO_PORT ? "" : ":" + e.port());
    }

    /** One word for {@link Argv#split}: single quotes, each quote inside closed, escaped and reopened. */
    private static String quoted(String s) {
        return "'" + s.replace("'", "'\\''") + "'";
    }

    /** The one rule that would answer {@code id}, parsed as the provider parses it. */
    private static Optional<Rule> ruleFor(CredentialId id) {
        Optional<Endpoint> e = Endpoint.ofService(id.service());
        if (e.isEmpty()) return Optional.empty();
        try {
            List<Rule> rules = Rule.parse(BackendConfig.of("command", rule("r", id, "x"), env()));
            return rules.stream().filter(r -> r.matches(e.get()) && r.answers(id.account())).findFirst();
        } catch (RuntimeException unrepresentable) {
            return Optional.empty();
        }
    }

    /**
     * A service names an endpoint a rule can match literally (no glob characters in its host), and
     * the account survives the configuration (which trims values).
     */
    @Override
    protected boolean accepts(CredentialId id) {
        Optional<Endpoint> e = Endpoint.ofService(id.service());
        return e.isPresent() && e.get().host().chars().noneMatch(c -> c == '*' || c == '?')
                && id.account().trim().equals(id.account()) && ruleFor(id).isPresent();
    }

    /**
     * Rules with the same match serve one account each; a rule with another match that also takes
     * the service (a case variant the glob folds) shadows it, so those ids are one credential.
     */
    @Override
    protected boolean distinguishes(CredentialId a, CredentialId b) {
        Optional<Rule> ra = ruleFor(a);
        Optional<Rule> rb = ruleFor(b);
        if (ra.isEmpty() || rb.isEmpty()) return !a.equals(b);
        if (ra.get().sameMatch(rb.get())) return !a.account().equals(b.account());
        return !ra.get().matches(Endpoint.ofService(b.service()).orElseThrow())
                && !rb.get().matches(Endpoint.ofService(a.service()).orElseThrow());
    }

    /** What a command can print as a token: UTF-8 text, no NUL (it is an argument), nothing the trim removes, not empty. */
    @Override
    protected boolean holds(byte[] secret) {
        if (secret.length == 0 || isSpace(secret[0]) || isSpace(secret[secret.length - 1])) return false;
        return isTextWithoutNul(secret);
    }

    private static boolean isSpace(byte c) {
        return c == ' ' || c == '\n' || c == '\r' || c == '\t';
    }

    /** Every read of a fresh store runs a process: fewer tries keep the suite in seconds. */
    @Override
    protected int propertyTries() {
        return 50;
    }
}
