package dev.keyring4j.secretservice;

import dev.keyring4j.AccessDeniedException;
import dev.keyring4j.KeyringException;
import dev.keyring4j.LockedException;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * One connection's view of whether its collection is unlocked, and the prompts its provider returns.
 *
 * <p>Two kinds of prompt are told apart by the collection's {@code Locked} property, read when the
 * prompt arrives:
 * <ul>
 * <li>an <b>unlock prompt</b> (the collection is locked; completing it may show a password dialog)
 * is shown only when {@code secret-service.prompt=allow} and awaited at most
 * {@code secret-service.prompt-timeout}; otherwise it is dismissed without being shown and a
 * {@link LockedException} says how to unlock;</li>
 * <li>a <b>confirmation prompt</b> (returned by CreateItem, Item.Delete or an item's Unlock while
 * the collection is unlocked; KeePassXC returns one for every write and delete, completing at once
 * unless the user asked to confirm access) is run and awaited at most
 * {@code secret-service.confirm-timeout}; one not completed by then is dismissed and an
 * {@link AccessDeniedException} says the provider asked for a confirmation and how to turn that off.
 * Its messages never say "locked".</li>
 * </ul>
 * A prompt's Completed handler is registered before Prompt is called and believes only the
 * provider's own signal (the unique name {@code owner}).
 */
final class CollectionUnlocker {
    private final SecretServiceClient client;
    private final String owner;
    private final String collection;
    private final String where;
    private final boolean promptAllowed;
    private final Duration promptTimeout;
    private final Duration confirmTimeout;
    private volatile boolean unlocked;

    CollectionUnlocker(SecretServiceClient client, String owner, String collection, String collectionName, SecretServiceSettings settings) {
        this.client = client;
        this.owner = owner;
        this.collection = collection;
        this.where = "the collection '" + collectionName + "' (" + collection + ")";
        this.promptAllowed = settings.promptAllowed();
        this.promptTimeout = settings.promptTimeout();
        this.confirmTimeout = settings.confirmTimeout();
    }

    /** Unlocks the collection unless this connection already saw it unlocked. */
    void ensureUnlocked() {
        if (!unlocked) checkAndUnlock();
    }

    /** list() reads attributes, which a locked gnome-keyring collection only shows hashed: check every time. */
    void requireUnlockedNow() {
        unlocked = false;
        checkAndUnlock();
    }

    /** Someone locked the collection behind our back (the provider said IsLocked): check again next time. */
    void forgetUnlocked() {
        unlocked = false;
    }

    /** Whether the collection's Locked property is true now (asked of the provider, never remembered). */
    boolean lockedNow() {
        return client.locked(collection);
    }

    /** What messages call the collection. */
    String where() {
        return where;
    }

    private void checkAndUnlock() {
        if (!client.locked(collection)) {
            unlocked = true;
            return;
        }
        SecretServiceClient.Unlocked r = client.unlock(collection);
        if (!r.objects().contains(collection)) {
            if (SecretServiceClient.NO_OBJECT.equals(r.prompt())) {
                throw new LockedException("secret-service: " + where
                        + " is locked and the provider refused to unlock it; unlock it in your desktop's keyring tool (e.g. Seahorse)");
            }
            completeUnlockPrompt(r.prompt(), "unlocking");
        }
        if (client.locked(collection)) {
            throw new LockedException("secret-service: " + where + " is still locked after the unlock prompt");
        }
        unlocked = true;
    }

    /**
     * Completes {@code prompt}, which the provider returned while doing {@code action} on the
     * collection (CreateItem, Item.Delete, an item's Unlock), and returns its result. While the
     * collection is locked it is an unlock prompt; otherwise a confirmation (see the class comment).
     */
    Object completePrompt(String prompt, String action) {
        boolean locked;
        try {
            locked = client.locked(collection);
        } catch (BusCallException e) {
            dismiss(prompt);
            throw e;
        }
        if (locked) {
            unlocked = false;
            return completeUnlockPrompt(prompt, action);
        }
        Optional<Object[]> completed = run(prompt, confirmTimeout, action);
        if (completed.isEmpty()) {
            throw new AccessDeniedException("secret-service: the provider asked for a confirmation before " + action + " " + where
                    + " and it was not given within " + millis(confirmTimeout) + " (secret-service.confirm-timeout); the prompt was dismissed."
                    + " The collection is not locked: the provider is set to confirm each access (KeePassXC: Settings > Secret Service Integration,"
                    + " \"Confirm when passwords are retrieved by clients\" and \"Confirm when clients request entry deletion\","
                    + " keepassxc.ini FdoSecrets/ConfirmAccessItem and FdoSecrets/ConfirmDeleteItem); turn that off,"
                    + " or answer the provider's dialog within secret-service.confirm-timeout");
        }
        Object[] args = completed.get();
        if (args.length < 2 || DBusValues.bool(args[0])) {
            throw new AccessDeniedException("secret-service: the provider's confirmation for " + action + " " + where
                    + " was declined (the prompt completed as dismissed); the collection is not locked: allow the access in the provider"
                    + " (KeePassXC: its access dialog, or turn off \"Confirm when passwords are retrieved by clients\")");
        }
        return DBusValues.unwrap(args[1]);
    }

    /** An unlock prompt: shown only with prompt=allow, else dismissed unshown and {@link LockedException}. */
    private Object completeUnlockPrompt(String prompt, String action) {
        if (!promptAllowed) {
            dismiss(prompt);
            throw new LockedException("secret-service: " + action + " " + where + " needs an unlock prompt (the collection is locked), and prompts are not allowed;"
                    + " unlock it first (log in to the desktop session, open Seahorse or KeePassXC, or run `secret-tool lookup …` in the session),"
                    + " or set secret-service.prompt=allow to let keyring4j show the unlock prompt");
        }
        Optional<Object[]> completed = run(prompt, promptTimeout, action);
        if (completed.isEmpty()) {
            throw new LockedException("secret-service: nobody answered the prompt for " + action + " " + where + " within "
                    + promptTimeout.toSeconds() + " s (secret-service.prompt-timeout); it was dismissed");
        }
        Object[] args = completed.get();
        if (args.length < 2 || DBusValues.bool(args[0])) {
            throw new LockedException("secret-service: the unlock prompt for " + action + " " + where + " was dismissed; unlock the collection and retry");
        }
        return DBusValues.unwrap(args[1]);
    }

    /**
     * Calls Prompt (subscribed to Completed first) and waits at most {@code timeout}: the Completed
     * arguments, or empty when the prompt did not complete in time (it is then dismissed).
     */
    private Optional<Object[]> run(String prompt, Duration timeout, String action) {
        CompletableFuture<Object[]> done = new CompletableFuture<>();
        AutoCloseable subscription = client.onPromptCompleted(owner, prompt, args -> done.complete(args == null ? new Object[0] : args));
        try {
            client.prompt(prompt);
            return Optional.of(done.get(timeout.toMillis(), TimeUnit.MILLISECONDS));
        } catch (TimeoutException e) {
            dismiss(prompt);
            return Optional.empty();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            dismiss(prompt);
            throw new KeyringException("secret-service: interrupted while waiting for the prompt for " + action + " " + where + "; it was dismissed", e);
        } catch (ExecutionException e) {
            throw new KeyringException("secret-service: the prompt for " + action + " " + where + " failed", e.getCause());
        } finally {
            try {
                subscription.close();
            } catch (Exception ignored) {
                // the connection may be gone; the rule goes with it
            }
        }
    }

    private static String millis(Duration d) {
        return d.toMillis() % 1000 == 0 ? d.toSeconds() + " s" : d.toMillis() + " ms";
    }

    private void dismiss(String prompt) {
        try {
            client.dismiss(prompt);
        } catch (BusCallException ignored) {
            // best effort: an unanswered prompt is dropped by the provider with our connection
        }
    }
}
