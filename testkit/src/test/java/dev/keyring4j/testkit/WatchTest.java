package dev.keyring4j.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.keyring4j.Capabilities;
import dev.keyring4j.CredentialEvent;
import dev.keyring4j.CredentialId;
import dev.keyring4j.CredentialStore;
import dev.keyring4j.CurrentSecret;
import dev.keyring4j.Keyring;
import dev.keyring4j.Secret;
import dev.keyring4j.Subscription;
import java.util.NoSuchElementException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The chain's watch, {@link Keyring#current} and the compatibility of {@link Capabilities}. */
class WatchTest {
    private static final CredentialId ID = new CredentialId("watch.chain", "ann");

    private static CredentialEvent next(LinkedBlockingQueue<CredentialEvent> q) throws InterruptedException {
        CredentialEvent e = q.poll(2, TimeUnit.SECONDS);
        assertNotNull(e, "no event within 2 s");
        return e;
    }

    private static void quiet(LinkedBlockingQueue<CredentialEvent> q) throws InterruptedException {
        assertNull(q.poll(500, TimeUnit.MILLISECONDS), "expected no event");
    }

    @Test
    void chainReportsChangesOfTheValueItWouldReturn() throws Exception {
        InMemoryCredentialStore high = InMemoryCredentialStore.persistent("high");
        InMemoryCredentialStore low = InMemoryCredentialStore.persistent("low");
        try (CredentialStore chain = Keyring.chain(high, low)) {
            assertTrue(chain.capabilities().watchable());
            LinkedBlockingQueue<CredentialEvent> q = new LinkedBlockingQueue<>();
            try (Subscription sub = chain.watch(ID.service(), ID.account(), q::add)) {
                low.put(ID.service(), ID.account(), Secret.of("low"));
                assertEquals(new CredentialEvent(ID, CredentialEvent.Kind.CREATED), next(q));
                high.put(ID.service(), ID.account(), Secret.of("high"));
                assertEquals(new CredentialEvent(ID, CredentialEvent.Kind.CHANGED), next(q), "a higher member shadows the lower one");
                low.put(ID.service(), ID.account(), Secret.of("low 2"));
                quiet(q); // shadowed: what the chain returns did not change
                high.put(ID.service(), ID.account(), Secret.of("high"));
                quiet(q); // rewritten with the same value: nothing changed
            }
        }
    }

    @Test
    void chainDeletingTheHigherCopyIsAChangeAndTheLastCopyADelete() throws Exception {
        InMemoryCredentialStore high = InMemoryCredentialStore.persistent("high");
        InMemoryCredentialStore low = InMemoryCredentialStore.persistent("low");
        high.put(ID.service(), ID.account(), Secret.of("high"));
        low.put(ID.service(), ID.account(), Secret.of("low"));
        try (CredentialStore chain = Keyring.chain(high, low)) {
            LinkedBlockingQueue<CredentialEvent> q = new LinkedBlockingQueue<>();
            try (Subscription sub = chain.watch(ID.service(), ID.account(), q::add)) {
                high.remove(ID.service(), ID.account());
                assertEquals(CredentialEvent.Kind.CHANGED, next(q).kind(), "the lower copy now answers");
                low.remove(ID.service(), ID.account());
                assertEquals(CredentialEvent.Kind.DELETED, next(q).kind());
            }
        }
    }

    @Test
    void chainOfUnwatchableMembersRefusesNamingIt() {
        try (CredentialStore chain = Keyring.chain(InMemoryCredentialStore.readOnly("ro"))) {
            assertFalse(chain.capabilities().watchable());
            UnsupportedOperationException e = assertThrows(UnsupportedOperationException.class, () -> chain.watch("a", "b", ev -> { }));
            assertTrue(e.getMessage().contains(chain.id()), e.getMessage());
        }
    }

    @Test
    void currentFollowsChanges() throws Exception {
        InMemoryCredentialStore store = InMemoryCredentialStore.persistent("mem");
        store.put("db", "app", Secret.of("one"));
        try (CurrentSecret current = Keyring.current(store, "db", "app")) {
            assertTrue(current.watching());
            assertEquals("one", current.get().asString());
            store.put("db", "app", Secret.of("two"));
            long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(2);
            while (!current.get().asString().equals("two") && System.nanoTime() < end) Thread.sleep(10);
            assertEquals("two", current.get().asString());
            store.remove("db", "app");
            end = System.nanoTime() + TimeUnit.SECONDS.toNanos(2);
            while (current.find().isPresent() && System.nanoTime() < end) Thread.sleep(10);
            NoSuchElementException e = assertThrows(NoSuchElementException.class, current::get);
            assertTrue(e.getMessage().contains("db/app"), e.getMessage());
            assertFalse(current.toString().contains("two"));
        }
    }

    @Test
    void currentOnAnUnwatchableStoreReadsEachTime() {
        InMemoryCredentialStore store = InMemoryCredentialStore.readOnly("ro");
        store.put("db", "app", Secret.of("one"));
        try (CurrentSecret current = Keyring.current(store, "db", "app")) {
            assertFalse(current.watching());
            assertEquals("one", current.get().asString());
            store.put("db", "app", Secret.of("two"));
            assertEquals("two", current.get().asString());
        }
    }

    @Test
    void capabilitiesKeepTheirFiveComponentConstructor() {
        Capabilities old = new Capabilities(true, true, false, false, true);
        assertFalse(old.watchable());
        assertEquals(Capabilities.of(Capabilities.Flag.WRITABLE, Capabilities.Flag.PERSISTENT, Capabilities.Flag.LISTABLE), old);
        assertTrue(old.withWatchable(true).flags().contains(Capabilities.Flag.WATCHABLE));
        assertTrue(old.withWatchable(true).describe().contains("watchable"));
    }
}
