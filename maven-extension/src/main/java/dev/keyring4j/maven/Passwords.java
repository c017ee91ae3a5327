package dev.keyring4j.maven;

import dev.keyring4j.CredentialStore;
import dev.keyring4j.Keyring;
import dev.keyring4j.KeyringException;
import dev.keyring4j.Secret;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The one place both Maven versions' entry points read a password: the store {@link Keyring#open()}
 * returns (so {@code KEYRING4J_BACKEND}, {@code -Dkeyring4j.backend} and the properties files choose
 * it), opened at the first password Maven asks for, never before, and kept for the rest of the run. What
 * each payload ended in is remembered (never the secret) so the Maven 3.9 participant can fail the
 * build with it: Maven 3.9 itself only logs a decryption failure at debug level and goes on with the
 * undecrypted text.
 */
final class Passwords {
    /** Payload ({@code SERVICE/ACCOUNT} as written) to "" when answered, else the failure's message. */
    private static final Map<String, String> OUTCOMES = new ConcurrentHashMap<>();
    private static final String ANSWERED = "";
    private static CredentialStore store;

    private Passwords() {
    }

    /**
     * The secret stored under the payload's names.
     *
     * @throws KeyringException with keyring4j's message when the payload is malformed, the store cannot be
     *         opened or read (locked, unavailable), or it holds nothing (or an empty secret) there; never
     *         returns an empty password
     */
    static String password(String payload) {
        try {
            Reference ref;
            try {
                ref = Reference.parse(payload);
            } catch (IllegalArgumentException e) {
                throw new KeyringException("the keyring4j password form in settings.xml is malformed: " + e.getMessage() + " (the forms: " + Reference.DOCS + ")");
            }
            CredentialStore s = store();
            Optional<Secret> found = s.get(ref.service(), ref.account());
            if (found.isEmpty()) {
                throw new KeyringException("no credential under " + ref + " in the " + s.id() + " store; store it with `keyring4j set "
                        + quote(ref.service()) + " " + quote(ref.account()) + "`");
            }
            try (Secret secret = found.get()) {
                if (secret.length() == 0) {
                    throw new KeyringException("the credential under " + ref + " in the " + s.id()
                            + " store is empty; keyring4j never gives Maven an empty password; store the real one with `keyring4j set "
                            + quote(ref.service()) + " " + quote(ref.account()) + "`");
                }
                String password = secret.asString();
                OUTCOMES.put(payload, ANSWERED);
                return password;
            }
        } catch (KeyringException e) {
            OUTCOMES.put(payload, e.getMessage());
            throw e;
        } catch (RuntimeException e) {
            String message = "keyring4j could not read the password for '" + payload + "': " + e.getClass().getName();
            OUTCOMES.put(payload, message);
            throw new KeyringException(message, e);
        }
    }

    /** What {@link #password} ended in for this payload: empty when answered, the message when it failed, null when never asked. */
    static String outcome(String payload) {
        return OUTCOMES.get(payload);
    }

    /** Forgets the outcomes (a daemon such as mvnd runs many builds in one JVM). */
    static void forgetOutcomes() {
        OUTCOMES.clear();
    }

    private static synchronized CredentialStore store() {
        if (store == null) {
            // ServiceLoader looks in the context class loader: under .mvn/extensions.xml that is Maven's core
            // realm, which cannot see the backends inside this jar
            Thread thread = Thread.currentThread();
            ClassLoader context = thread.getContextClassLoader();
            thread.setContextClassLoader(Passwords.class.getClassLoader());
            try {
                store = Keyring.open(); // failures propagate with keyring4j's message and are retried next time
            } finally {
                thread.setContextClassLoader(context);
            }
        }
        return store;
    }

    private static String quote(String name) {
        return name.matches("[A-Za-z0-9._:@+-]+") ? name : "'" + name.replace("'", "'\\''") + "'";
    }
}
