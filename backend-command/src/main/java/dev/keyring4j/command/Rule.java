package dev.keyring4j.command;

import dev.keyring4j.ConfigurationException;
import dev.keyring4j.spi.BackendConfig;
import dev.keyring4j.spi.Setting;
import dev.keyring4j.support.ChildEnvironment;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.SortedSet;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * One {@code command.rule.<name>.*} rule: where its token may go (a match pattern
 * {@code [<scheme>://]<host glob>[:<port>]}, https on port 443 unless it names another scheme or
 * port), the command to run (an argument list, never a shell line), how long its token stays
 * fresh, how long the command may run, optionally the one account it answers for, and the
 * variables of keyring4j's own that its command may see ({@code pass-env}).
 */
record Rule(String name, String glob, Endpoint target, Pattern hostMatch, List<String> argv, Duration ttl, Duration timeout,
            Optional<String> account, List<String> passEnv) {
    static final Duration DEFAULT_TTL = Duration.ofMinutes(5);
    static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(30);

    /** A rule's match pattern as written (trimmed), with the endpoint it names. */
    record Match(String glob, Endpoint target) {
    }

    static final Setting<Match> MATCH = Setting.text("rule.<name>.match", null,
            "where the rule's token may go: [<scheme>://]<host glob>[:<port>] (https and port 443 unless named)")
            .map("[<scheme>://]<host glob>[:<port>]", glob -> new Match(glob, Endpoint.ofPattern(glob).orElseThrow(() -> new Setting.Invalid(
                    "[<scheme>://]<host glob>[:<port>] such as *.example.dev (https, port 443) or http://repo.example.dev:8080"))));
    static final Setting<List<String>> RUN = Setting.text("rule.<name>.run", null,
            "the command that prints the token: an argument list split like shell words, run without a shell")
            .map("command line", run -> {
                List<String> argv;
                try {
                    argv = Argv.split(run);
                } catch (IllegalArgumentException ex) {
                    throw new Setting.Invalid("a command line (" + ex.getMessage() + ")");
                }
                if (argv.isEmpty()) throw new Setting.Invalid("a non-empty command line");
                return List.copyOf(argv);
            })
            .displayedAs(Rule::maskArguments);
    static final Setting<Duration> TTL = Setting.duration("rule.<name>.ttl", DEFAULT_TTL.toString(),
            "how long a token stays fresh in the in-memory cache").map("duration", ttl -> {
                if (ttl.isNegative()) throw new Setting.Invalid("a duration that is not negative");
                return ttl;
            });
    static final Setting<Duration> TIMEOUT = Setting.duration("rule.<name>.timeout", DEFAULT_TIMEOUT.toString(),
            "how long the command may run before it is killed").map("duration", timeout -> {
                if (timeout.isNegative() || timeout.isZero()) throw new Setting.Invalid("a positive duration");
                return timeout;
            });
    static final Setting<String> ACCOUNT = Setting.text("rule.<name>.account", null,
            "the one account the rule answers (default: any; find reports it as token)");
    static final Setting<List<String>> PASS_ENV = Setting.list("rule.<name>.pass-env", "",
            "keyring4j's own variables (KEYRING4J_*) the command may see; it sees none by default").map("comma list of variable names", names -> {
                for (String v : names) {
                    if (!ChildEnvironment.isVariableName(v)) {
                        throw new Setting.Invalid("a comma-separated list of variable names such as KEYRING4J_CONFIG,KEYRING4J_BACKEND");
                    }
                }
                return List.copyOf(names);
            });
    static final List<Setting<?>> SETTINGS = List.of(MATCH, RUN, TTL, TIMEOUT, ACCOUNT, PASS_ENV);

    /** {@code run} as its program and the number of its arguments, which may hold secrets such as {@code --client-secret=…}. */
    private static String maskArguments(String run) {
        List<String> argv;
        try {
            argv = Argv.split(run);
        } catch (IllegalArgumentException malformed) {
            return "[not shown: not a well-formed command line]";
        }
        if (argv.isEmpty()) return run;
        int n = argv.size() - 1;
        return argv.get(0) + (n == 0 ? "" : " [" + n + (n == 1 ? " argument" : " arguments") + " masked]");
    }

    /** Every rule in the configuration, in the order of their names. Incomplete or malformed rules fail with the key's source. */
    static List<Rule> parse(BackendConfig config) {
        SortedSet<String> names = new TreeSet<>();
        SETTINGS.forEach(s -> names.addAll(config.names(s)));
        List<Rule> rules = new ArrayList<>();
        for (String name : names) {
            String prefix = "rule." + name + ".";
            // presence first, as before: a rule without match or run names the missing key and where the rule came from
            if (config.get(prefix + "match").isEmpty()) {
                throw new ConfigurationException("configuration command." + prefix + "match is missing: rule '" + name + "' (from "
                        + config.source(prefix + "run") + ") needs a host glob such as *.example.dev");
            }
            if (config.get(prefix + "run").isEmpty()) {
                throw new ConfigurationException("configuration command." + prefix + "run is missing: rule '" + name + "' (from "
                        + config.source(prefix + "match") + ") needs the command that prints the token");
            }
            List<String> argv = config.find(RUN, name).orElseThrow();
            Match match = config.find(MATCH, name).orElseThrow();
            Duration ttl = config.find(TTL, name).orElse(DEFAULT_TTL);
            Duration timeout = config.find(TIMEOUT, name).orElse(DEFAULT_TIMEOUT);
            Optional<String> account = config.find(ACCOUNT, name).filter(a -> !a.isEmpty());
            List<String> passEnv = config.find(PASS_ENV, name).orElse(List.of());
            rules.add(new Rule(name, match.glob(), match.target(), globToPattern(match.target().host()), argv, ttl, timeout, account, passEnv));
        }
        return rules;
    }
    /** {@code *} matches any run of characters, {@code ?} one character; case-insensitive, whole host. */
    static Pattern globToPattern(String glob) {
        StringBuilder re = new StringBuilder();
        for (char c : glob.toCharArray()) {
            if (c == '*') re.append(".*");
            else if (c == '?') re.append('.');
            else re.append(Pattern.quote(String.valueOf(c)));
        }
        return Pattern.compile(re.toString(), Pattern.CASE_INSENSITIVE | Pattern.UNICODE_CASE);
    }

    /** Whether a token of this rule may go to {@code e}: same scheme, same port, host matching the glob. */
    boolean matches(Endpoint e) {
        return e.scheme().equals(target.scheme()) && e.port() == target.port() && hostMatch.matcher(e.host()).matches();
    }

    /** Whether {@code other} has the same match: the same scheme and port and, ignoring case, the same host glob. */
    boolean sameMatch(Rule other) {
        return target.scheme().equals(other.target.scheme()) && target.port() == other.target.port()
                && target.host().toLowerCase(Locale.ROOT).equals(other.target.host().toLowerCase(Locale.ROOT));
    }

    /** Whether this rule answers {@code account} (any account when none is configured). */
    boolean answers(String accountName) {
        return account.map(a -> a.equals(accountName)).orElse(true);
    }

    /** The account {@code find} reports: the configured one, else {@code token}. */
    String reportedAccount() {
        return account.orElse("token");
    }

    /** For messages: the rule name and the program, never the arguments (they may carry more than the program's name). */
    String describe() {
        return "rule '" + name + "' (" + argv.get(0) + ")";
    }
}
