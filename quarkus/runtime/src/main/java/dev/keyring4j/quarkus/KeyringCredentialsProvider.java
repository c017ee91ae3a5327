package dev.keyring4j.quarkus;

import dev.keyring4j.Credential;
import dev.keyring4j.CredentialStore;
import dev.keyring4j.Keyring;
import dev.keyring4j.KeyringException;
import dev.keyring4j.Secret;
import dev.keyring4j.smallrye.CredentialName;
import dev.keyring4j.smallrye.KeyringSecretKeysHandler;
import dev.keyring4j.smallrye.SmallRyeKeyringConfig;
import io.quarkus.credentials.CredentialsProvider;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.inject.Named;
import java.util.Map;
import org.eclipse.microprofile.config.Config;

/**
 * The Quarkus {@link CredentialsProvider} named {@code keyring4j}: a datasource (or any other
 * consumer of Quarkus credentials providers) configured with
 * {@code credentials-provider=<name>} and {@code credentials-provider-name=keyring4j} gets its user
 * and password from keyring4j.
 *
 * <p>{@code <name>} is a {@link CredentialName}: {@code SERVICE/ACCOUNT} names one credential
 * ({@code user} = ACCOUNT); a bare {@code SERVICE} takes any one account of the service, the one
 * {@link CredentialStore#find} returns ({@code user} = that account), which suits a service holding one
 * account. The answer has {@link #USER_PROPERTY_NAME user} and {@link #PASSWORD_PROPERTY_NAME password},
 * never {@link #EXPIRATION_TIMESTAMP_PROPERTY_NAME expires-at}: keyring4j's API does not report when a
 * credential expires (an expired one is simply absent).
 *
 * <p>Guarantees: the store is read at every call (Agroal calls once per new connection, so a password
 * rotated in the store is used by the next connection); a missing or empty credential fails with a
 * {@link KeyringException} naming it, never an empty password; store failures propagate as keyring4j's
 * own exceptions; no message contains a secret. The store is the one {@link SmallRyeKeyringConfig}
 * selects from the application's configuration ({@code keyring4j.backend}, {@code keyring4j.<id>.<key>},
 * else {@code Keyring.open()}'s own layers), opened at the first call and closed with the application.
 */
@ApplicationScoped
@Named(KeyringCredentialsProvider.NAME)
public class KeyringCredentialsProvider implements CredentialsProvider {
    /** The bean name: {@code credentials-provider-name=keyring4j}. */
    public static final String NAME = "keyring4j";

    @Inject
    Config config;

    private CredentialStore store;

    /** For CDI. */
    public KeyringCredentialsProvider() {
    }

    @Override
    public Map<String, String> getCredentials(String credentialsProviderName) {
        CredentialName name = CredentialName.parse(credentialsProviderName);
        CredentialStore s = store();
        Credential found;
        if (name.account().isPresent()) {
            String account = name.account().get();
            found = s.get(name.service(), account).map(secret -> new Credential(name.service(), account, secret))
                    .orElseThrow(() -> KeyringSecretKeysHandler.missing(s, name.service(), account, "credentials-provider=" + credentialsProviderName));
        } else {
            found = s.find(name.service()).orElseThrow(() -> new KeyringException("no credential for service '" + name.service()
                    + "' (any account) in the " + s.id() + " store, which credentials-provider=" + credentialsProviderName
                    + " names; store one with: keyring4j set '" + name.service() + "' <account>"));
        }
        try (Secret secret = found.secret()) {
            if (secret.length() == 0) {
                // as the HikariCP provider does: an empty password is never handed on, whatever the consumer would do with it
                throw new KeyringException("the credential stored in the " + s.id() + " store under service '" + found.service() + "', account '"
                        + found.account() + "', which credentials-provider=" + credentialsProviderName + " names, is empty; keyring4j never"
                        + " hands on an empty password; store the real one with: keyring4j set '" + found.service() + "' '" + found.account() + "'");
            }
            return Map.of(USER_PROPERTY_NAME, found.account(), PASSWORD_PROPERTY_NAME, secret.asString());
        }
    }

    private synchronized CredentialStore store() {
        // opened on first use, not at startup: an application that never asks opens nothing, and a failed open is retried
        if (store == null) store = Keyring.open(SmallRyeKeyringConfig.of(config));
        return store;
    }

    @PreDestroy
    synchronized void close() {
        if (store != null) store.close();
        store = null;
    }
}
