package dev.keyring4j.env;

import dev.keyring4j.CredentialId;
import dev.keyring4j.CredentialStore;
import dev.keyring4j.spi.BackendConfig;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * The names of the variables the {@code env} backend reads, for operators who set them (CI jobs,
 * container specs) and for tools that print them ({@code keyring4j env-name}).
 *
 * <p>Guarantee: the mapping is injective. Two different names (ASCII case aside) never give the same
 * variable, so a look-alike host such as {@code git-example.com} can never read the variable of
 * {@code git.example.com}. Letters and digits stay as they are, a dot between two of them becomes
 * {@code _}, and every other character becomes {@code __<hex code point>_}; in an account every dot is
 * escaped. The names returned are in UPPER CASE; the all-lowercase spelling is read too (first).
 */
public final class EnvVariableNames {
    private EnvVariableNames() {
    }

    /**
     * {@code <prefix>_<service>_<account>}: the variable holding one credential ({@code _FILE} appended
     * names a file holding it instead).
     *
     * @throws IllegalArgumentException for an empty prefix or name, or an account the backend cannot hold
     *     ({@code id} and {@code file}, whose variables are a token's companions)
     */
    public static String credential(String prefix, String service, String account) {
        CredentialId id = new CredentialId(service, account);
        if (!EnvNames.holds(id)) {
            throw new IllegalArgumentException("the env backend cannot hold an account named '" + account
                    + "': its variable is a token's _ID or _FILE companion");
        }
        return names(prefix).variable(id).toUpperCase(Locale.ROOT);
    }

    /**
     * {@code <prefix>_<service>}: the variable holding a service's token, read by {@code find(service)};
     * its account is the value of this name with {@code _ID} appended, which a service with a dot between
     * letters or digits must set (without it the variable reads as a credential of a shorter service).
     *
     * @throws IllegalArgumentException for an empty prefix or service
     */
    public static String token(String prefix, String service) {
        CredentialId.requireService(service);
        return names(prefix).serviceVariable(service).toUpperCase(Locale.ROOT);
    }

    /**
     * The variable-name prefix of the env backend inside {@code store} (itself, or a member of a chain),
     * e.g. {@code MYAPP} for {@code env.prefix = myapp}; empty when the store reads no environment.
     */
    public static Optional<String> prefixIn(CredentialStore store) {
        return store.unwrap(EnvStore.class).map(EnvStore::prefix);
    }

    private static EnvNames names(String prefix) {
        // env.prefix refuses an empty one with a ConfigurationException, which is not this API's contract
        if (prefix.trim().isEmpty()) throw new IllegalArgumentException("the prefix must not be empty");
        return EnvNames.from(BackendConfig.of("env", Map.of("prefix", prefix), Map.of()));
    }
}
