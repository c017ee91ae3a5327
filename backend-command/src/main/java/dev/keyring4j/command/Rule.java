package dev.keyring4j.command;

import dev.keyring4j.ConfigurationException;
import dev.keyring4j.spi.BackendConfig;
import dev.keyring4j.support.ChildEnvironment;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
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
    static final Set<String> FIELDS = Set.of("match", "run", "ttl", "timeout", "account", "pass-env");
    static final Duration DEFAULT_TTL = Duration.ofMinutes(5);
    static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(30);
    private static final Pattern KEY = Pattern.compile("rule\\.([A-Za-z0-9_-]+)\\.([a-z-]+)");

    /** Whether {@code key} (without {@code command.}) is a rule key: {@code rule.<name>.<field>}. */
    static boolean isRuleKey(String key) {
        var m = KEY.matcher(key);
        return m.matches() && FIELDS.contains(m.group(2));
    }

    /** Every rule in the configuration, in the order of their names. Incomplete or malformed rules fail with the key's source. */
    static List<Rule> parse(BackendConfig config) {
        Map<String, Map<String, String>> byName = new TreeMap<>();
        for (String key : config.values().keySet()) {
            var m = KEY.matcher(key);
            if (m.matches()) byName.computeIfAbsent(m.group(1), n -> new TreeMap<>()).put(m.group(2), key);
        }
        List<Rule> rules = new ArrayList<>();
        for (Map.Entry<String, Map<String, String>> e : byName.entrySet()) {
            String name = e.getKey();
            String prefix = "rule." + name + ".";
            String glob = config.get(prefix + "match").orElseThrow(() -> new ConfigurationException("configuration command." + prefix
                    + "match is missing: rule '" + name + "' (from " + config.source(prefix + "run") + ") needs a host glob such as *.example.dev"));
            String run = config.get(prefix + "run").orElseThrow(() -> new ConfigurationException("configuration command." + prefix
                    + "run is missing: rule '" + name + "' (from " + config.source(prefix + "match") + ") needs the command that prints the token"));
            List<String> argv;
            try {
                argv = Argv.split(run);
            } catch (IllegalArgumentException ex) {
                throw config.invalid(prefix + "run", "a command line (" + ex.getMessage() + ")");
            }
            if (argv.isEmpty()) throw config.invalid(prefix + "run", "a non-empty command line");
            Endpoint target = Endpoint.ofPattern(glob).orElseThrow(() -> config.invalid(prefix + "match",
                    "[<scheme>://]<host glob>[:<port>] such as *.example.dev (https, port 443) or http://repo.example.dev:8080"));
            Duration ttl = config.getDuration(prefix + "ttl", DEFAULT_TTL);
            Duration timeout = config.getDuration(prefix + "timeout", DEFAULT_TIMEOUT);
            if (ttl.isNegative()) throw config.invalid(prefix + "ttl", "a duration that is not negative");
            if (timeout.isNegative() || timeout.isZero()) throw config.invalid(prefix + "timeout", "a positive duration");
            Optional<String> account = config.get(prefix + "account").filter(a -> !a.isEmpty());
            List<String> passEnv = new ArrayList<>();
            for (String v : config.get(prefix + "pass-env", "").split(",")) {
                if (v.isBlank()) continue;
                if (!ChildEnvironment.isVariableName(v.trim())) {
                    throw config.invalid(prefix + "pass-env", "a comma-separated list of variable names such as KEYRING4J_CONFIG,KEYRING4J_BACKEND");
                }
                passEnv.add(v.trim());
            }
            rules.add(new Rule(name, glob.trim(), target, globToPattern(target.host()), List.copyOf(argv), ttl, timeout, account,
                    List.copyOf(passEnv)));
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
