package dev.keyring4j.smallrye;

import dev.keyring4j.CredentialStore;
import dev.keyring4j.KeyringException;
import dev.keyring4j.Secret;
import io.smallrye.config.SecretKeysHandler;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * The SmallRye Config secret keys handler {@code keyring4j}: a property value
 * {@code ${keyring4j::SERVICE/ACCOUNT}} (alone or inside a longer value) becomes the secret stored
 * under {@code (SERVICE, ACCOUNT)}. The name syntax, with its escapes, is {@link CredentialName}'s.
 *
 * <p>Guarantees: the store is read each time SmallRye expands the expression (a rotated secret is
 * seen by the next lookup); a credential that is not there fails with a {@link KeyringException}
 * naming service and account, never an empty value; a store failure (locked, unavailable, …)
 * propagates as keyring4j's own exception; no message contains a secret.
 *
 * <p>Applications do not create this class: {@link KeyringSecretKeysHandlerFactory} is registered
 * in {@code META-INF/services} and makes one over the store the configuration selects. The public
 * constructor is for a {@code SmallRyeConfigBuilder.withSecretKeysHandlers(…)} over a store the
 * caller opened and closes.
 */
public final class KeyringSecretKeysHandler implements SecretKeysHandler {
    /** The handler's name, as in {@code ${keyring4j::…}}. */
    public static final String NAME = "keyring4j";

    private final Supplier<CredentialStore> store;

    /** A handler reading {@code store}, which the caller keeps open as long as the configuration is used. */
    public KeyringSecretKeysHandler(CredentialStore store) {
        Objects.requireNonNull(store, "store");
        this.store = () -> store;
    }

    KeyringSecretKeysHandler(Supplier<CredentialStore> store) {
        this.store = store;
    }

    @Override
    public String decode(String secret) {
        // "secret" is the text after "keyring4j::": the credential's name, not a secret
        CredentialName name = CredentialName.parse(secret);
        String account = name.account().orElseThrow(() -> new IllegalArgumentException("${" + NAME + "::" + secret
                + "} names no account: write ${" + NAME + "::SERVICE/ACCOUNT} (%2F for a / in the account)"));
        CredentialStore s = store.get();
        Optional<Secret> found = s.get(name.service(), account);
        if (found.isEmpty()) throw missing(s, name.service(), account, "${" + NAME + "::" + secret + "}");
        try (Secret value = found.get()) {
            return value.asString();
        }
    }

    @Override
    public String getName() {
        return NAME;
    }

    /**
     * The failure for a credential that is not stored: what, where ({@code askedBy} names the
     * configuration that asked, e.g. the expression), and how to store it. Shared with the Quarkus
     * credentials provider, so both adapters say it the same way.
     */
    public static KeyringException missing(CredentialStore store, String service, String account, String askedBy) {
        return new KeyringException("no credential for service '" + service + "' and account '" + account + "' in the "
                + store.id() + " store, which " + askedBy + " names; store it with: keyring4j set '" + service + "' '" + account + "'");
    }
}
