package dev.keyring4j.spring;

import dev.keyring4j.CredentialStore;
import dev.keyring4j.KeyringException;
import dev.keyring4j.Secret;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.springframework.boot.origin.Origin;
import org.springframework.boot.origin.OriginLookup;
import org.springframework.boot.origin.PropertySourceOrigin;
import org.springframework.core.env.EnumerablePropertySource;

/**
 * Every account of one service as a property of the same name. The names are listed when the
 * import is loaded; a value is read from the store the first time it is asked for, then kept
 * (Spring asks for a value many times). A listed credential that can no longer be read fails the
 * lookup with keyring4j's message instead of looking absent, so no blank password slips through.
 */
final class KeyringPropertySource extends EnumerablePropertySource<CredentialStore> implements OriginLookup<String> {
    private final String service;
    private final Set<String> accounts;
    private final Map<String, String> read = new ConcurrentHashMap<>();

    KeyringPropertySource(String name, CredentialStore store, String service, List<String> accounts) {
        super(name, store);
        this.service = service;
        this.accounts = new LinkedHashSet<>(accounts);
    }

    @Override
    public String[] getPropertyNames() {
        return accounts.toArray(String[]::new);
    }

    @Override
    public boolean containsProperty(String name) {
        return accounts.contains(name);
    }

    @Override
    public Object getProperty(String name) {
        return accounts.contains(name) ? read.computeIfAbsent(name, this::readNow) : null;
    }

    private String readNow(String account) {
        Secret secret = getSource().get(service, account).orElseThrow(() -> new KeyringException("the credential of service '"
                + service + "', account '" + account + "' was listed when " + getName() + " was imported but is no longer in the "
                + getSource().id() + " store; store it again (keyring4j set " + service + " " + account + ") and restart"));
        try (secret) {
            return secret.asString();
        }
    }

    /** True if the value contains a secret this source has handed out (the actuator then masks it wherever it appears). */
    boolean revealsSecretIn(Object value) {
        String text = value.toString();
        return read.values().stream().anyMatch(s -> !s.isEmpty() && text.contains(s));
    }

    @Override
    public Origin getOrigin(String name) {
        return accounts.contains(name) ? new PropertySourceOrigin(this, name) : null;
    }

    /** The name and the property names' count; never a value. */
    @Override
    public String toString() {
        return "KeyringPropertySource {name='" + getName() + "', properties=" + accounts.size() + "}";
    }
}
