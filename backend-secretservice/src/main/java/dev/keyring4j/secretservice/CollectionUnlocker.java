package dev.keyring4j.secretservice;

import dev.keyring4j.KeyringException;
import dev.keyring4j.LockedException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * One connection's view of whether its collection is unlocked, and the prompts that unlock it.
 *
 * <p>Guarantees: a prompt is shown only when {@code secret-service.prompt=allow}; otherwise it is
 * dismissed and a {@link LockedException} says how to unlock. A shown prompt's Completed handler is
 * registered before Prompt is called and believes only the provider's own signal (the unique name
 * {@code owner}); the wait is bounded by {@code secret-service.prompt-timeout} and a prompt nobody
 * answers in time is dismissed.
 */
final class CollectionUnlocker {
    private final SecretServiceClient client;
    private final String owner;
    private final String collection;
    private final String where;
    private final boolean promptAllowed;
    private final Duration promptTimeout;
    private volatile boolean unlocked;

    CollectionUnlocker(SecretServiceClient client, String owner, String collection, String collectionName, SecretServiceSettings settings) {
        this.client = client;
        this.owner = owner;
        this.collection = collection;
        this.where = "the collection '" + collectionName + "' (" + collection + ")";
        this.promptAllowed = settings.promptAllowed();
        this.promptTimeout = settings.promptTimeout();
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
            completePrompt(r.prompt(), "unlocking");
        }
        if (client.locked(collection)) {
            throw new LockedException("secret-service: " + where + " is still locked after the unlock prompt");
        }
        unlocked = true;
    }

    /**
     * Completes {@code prompt} (one the provider returned while doing {@code action} on the
     * collection) and returns its result, or dismisses it and throws {@link LockedException}.
     */
    Object completePrompt(String prompt, String action) {
        if (!promptAllowed) {
            dismiss(prompt);
            throw new LockedException("secret-service: " + action + " " + where + " needs a prompt (it is locked), and prompts are not allowed;"
                    + " unlock it first (log in to the desktop session, open Seahorse, or run `secret-tool lookup …` in the session),"
                    + " or set secret-service.prompt=allow to let keyring4j show the unlock prompt");
        }
        CompletableFuture<Object[]> done = new CompletableFuture<>();
        AutoCloseable subscription = client.onPromptCompleted(owner, prompt, args -> done.complete(args == null ? new Object[0] : args));
        try {
            client.prompt(prompt);
            Object[] completed = done.get(promptTimeout.toMillis(), TimeUnit.MILLISECONDS);
            if (completed.length < 2 || DBusValues.bool(completed[0])) {
                throw new LockedException("secret-service: the prompt for " + action + " " + where + " was dismissed; unlock the collection and retry");
            }
            return DBusValues.unwrap(completed[1]);
        } catch (TimeoutException e) {
            dismiss(prompt);
            throw new LockedException("secret-service: nobody answered the prompt for " + action + " " + where + " within "
                    + promptTimeout.toSeconds() + " s (secret-service.prompt-timeout); it was dismissed");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            dismiss(prompt);
            throw new LockedException("secret-service: interrupted while waiting for the prompt for " + action + " " + where, e);
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

    private void dismiss(String prompt) {
        try {
            client.dismiss(prompt);
        } catch (BusCallException ignored) {
            // best effort: an unanswered prompt is dropped by the provider with our connection
        }
    }
}
