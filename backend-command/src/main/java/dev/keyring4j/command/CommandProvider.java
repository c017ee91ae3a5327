package dev.keyring4j.command;

import dev.keyring4j.Capabilities;
import dev.keyring4j.CredentialStore;
import dev.keyring4j.spi.Availability;
import dev.keyring4j.spi.BackendConfig;
import dev.keyring4j.spi.CredentialStoreProvider;
import java.time.Clock;
import java.util.List;
import java.util.Set;

/**
 * The {@code command} backend: short-lived tokens printed by a configured command, such as a
 * vendor CLI's {@code auth token}. Read-only. Available (priority 30, in front of every other
 * backend) only when at least one rule is configured, and then it answers only services whose
 * host matches a rule; every other service is absent here and the chain asks the next backend.
 *
 * <pre>
 * command.rule.registry.match = *.example.dev
 * command.rule.registry.run   = vendor-cli auth token --audience=example.dev
 * command.rule.registry.ttl   = PT8H      # default PT5M
 * command.rule.registry.timeout = PT20S   # default PT30S
 * command.rule.registry.account = ci      # optional: answer only this account
 * </pre>
 */
public final class CommandProvider implements CredentialStoreProvider {
    static final int PRIORITY = 30;
    static final Capabilities CAPABILITIES = new Capabilities(false, false, false, false, false);

    @Override
    public String id() {
        return "command";
    }

    @Override
    public Capabilities capabilities(BackendConfig config) {
        return CAPABILITIES;
    }

    @Override
    public boolean acceptsKey(String key) {
        return Rule.isRuleKey(key);
    }

    @Override
    public Set<String> configKeys() {
        return Set.of("rule.<name>.match", "rule.<name>.run", "rule.<name>.ttl", "rule.<name>.timeout", "rule.<name>.account");
    }

    @Override
    public Availability probe(BackendConfig config) {
        List<Rule> rules = Rule.parse(config);
        if (rules.isEmpty()) {
            return Availability.unavailable("no rules configured (command.rule.<name>.match and command.rule.<name>.run)");
        }
        List<String> names = rules.stream().map(r -> r.name() + " -> " + r.glob()).toList();
        return Availability.available(PRIORITY, "read-only; " + rules.size() + " rule(s): " + String.join(", ", names));
    }

    @Override
    public CredentialStore open(BackendConfig config) {
        return new CommandStore(Rule.parse(config), config.env(), Clock.systemUTC());
    }
}
