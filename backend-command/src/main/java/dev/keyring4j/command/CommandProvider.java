package dev.keyring4j.command;

import dev.keyring4j.Capabilities;
import dev.keyring4j.spi.Availability;
import dev.keyring4j.spi.BackendConfig;
import dev.keyring4j.spi.Candidate;
import dev.keyring4j.spi.CredentialStoreProvider;
import dev.keyring4j.spi.Setting;
import java.time.Clock;
import java.util.List;

/**
 * The {@code command} backend: short-lived tokens printed by a configured command, such as a
 * vendor CLI's {@code auth token}. Read-only. Available (priority 30, in front of every other
 * backend) only when at least one rule is configured, and then it answers only services whose
 * scheme, host and port match a rule; every other service is absent here and the chain asks the
 * next backend. A match pattern is {@code [<scheme>://]<host glob>[:<port>]}: without a scheme it
 * means https, without a port the scheme's default (443, 80 for http), so a token is never offered
 * to plain http or another port unless a rule names them. The first rule (by name) whose match takes
 * a service decides it, together with the later rules of the very same match, which serve one
 * account each (a broader rule never answers for a narrower one). The command never sees keyring4j's own
 * {@code KEYRING4J_*} variables unless {@code pass-env} names them, and {@code diagnose} shows
 * only the program of {@code run}, never its arguments.
 *
 * <pre>
 * command.rule.registry.match = *.example.dev           # https://…:443 only
 * command.rule.registry.run   = vendor-cli auth token --audience=example.dev
 * command.rule.registry.ttl   = PT8H      # default PT5M
 * command.rule.registry.timeout = PT20S   # default PT30S
 * command.rule.registry.account = ci      # optional: answer only this account
 * command.rule.registry.pass-env = KEYRING4J_CONFIG   # optional: own variables the command may see
 * command.rule.registry-deploy.match = *.example.dev  # the same match: serves account deployer there
 * command.rule.registry-deploy.run = vendor-cli auth token --role=deploy
 * command.rule.registry-deploy.account = deployer
 * command.rule.mirror.match = http://mirror.example.dev:8080   # another scheme or port, named explicitly
 * </pre>
 */
public final class CommandProvider implements CredentialStoreProvider {
    static final int PRIORITY = 30;
    /** Read-only, nothing persisted, nothing to enumerate (it fetches tokens, it holds none); watchable: a renewed token fires CHANGED. */
    static final Capabilities CAPABILITIES = Capabilities.of(Capabilities.Flag.WATCHABLE);

    @Override
    public String id() {
        return "command";
    }

    @Override
    public Capabilities capabilities() {
        return CAPABILITIES;
    }

    @Override
    public int priority() {
        return PRIORITY;
    }

    @Override
    public List<Setting<?>> settings() {
        return Rule.SETTINGS;
    }

    /** Parses the rules once; the store runs them. No command runs here (no probe clock: nothing is asked). */
    @Override
    public Candidate probe(BackendConfig config) {
        List<Rule> rules = Rule.parse(config);
        if (rules.isEmpty()) {
            return Candidate.without(Availability.unavailable("no rules configured (command.rule.<name>.match and command.rule.<name>.run)"),
                    CAPABILITIES);
        }
        List<String> names = rules.stream().map(r -> r.name() + " -> " + r.glob()).toList();
        return Candidate.of(Availability.available(PRIORITY, "read-only; " + rules.size() + " rule(s): " + String.join(", ", names)),
                CAPABILITIES, () -> new CommandStore(rules, config.env(), Clock.systemUTC()))
                .watchedBy("CHANGED when a cached token is renewed with another value (expired tokens of watched rules renewed within 1 s)");
    }
}
