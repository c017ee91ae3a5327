package dev.keyring4j.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.keyring4j.Capabilities;
import dev.keyring4j.CredentialId;
import dev.keyring4j.CredentialStore;
import dev.keyring4j.Keyring;
import dev.keyring4j.LockedException;
import dev.keyring4j.ReadOnlyStoreException;
import dev.keyring4j.Secret;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Each rule of the chain (DESIGN.md, "The chain"), over in-memory stores. */
class ChainRulesTest {
    private final InMemoryCredentialStore kernelLike = InMemoryCredentialStore.volatileWithExpiry("fast");
    private final InMemoryCredentialStore durable = InMemoryCredentialStore.persistent("durable");
    private final InMemoryCredentialStore readOnly = InMemoryCredentialStore.readOnly("ro");

    /** A store that exists but cannot be read now, like a locked collection. */
    private static final class LockedStore implements CredentialStore {
        @Override
        public String id() {
            return "locked";
        }

        @Override
        public Capabilities capabilities() {
            return Capabilities.of(Capabilities.Flag.WRITABLE, Capabilities.Flag.PERSISTENT, Capabilities.Flag.ENCRYPTED_AT_REST, Capabilities.Flag.LISTABLE);
        }

        @Override
        public Optional<Secret> get(String service, String account) {
            throw new LockedException("collection 'login' is locked");
        }

        @Override
        public void set(String service, String account, Secret secret) {
            throw new LockedException("collection 'login' is locked");
        }

        @Override
        public boolean delete(String service, String account) {
            throw new LockedException("collection 'login' is locked");
        }

        @Override
        public List<CredentialId> list(String service) {
            throw new LockedException("collection 'login' is locked");
        }

        @Override
        public List<CredentialId> list() {
            throw new LockedException("collection 'login' is locked");
        }

        @Override
        public void close() {
        }
    }

    @Test
    void readsAnswerFromTheFirstMemberThatHasIt() {
        readOnly.put("svc", "acct", Secret.of("from-ro"));
        durable.set("svc", "acct", Secret.of("from-durable"));
        CredentialStore chain = Keyring.chain(readOnly, durable);
        assertEquals("from-ro", chain.get("svc", "acct").orElseThrow().asString());
        durable.set("svc", "other", Secret.of("only-durable"));
        assertEquals("only-durable", chain.get("svc", "other").orElseThrow().asString());
        assertEquals("acct", chain.find("svc").orElseThrow().account());
    }

    @Test
    void aFailedReadIsNeverReportedAsAbsent() {
        CredentialStore chain = Keyring.chain(new LockedStore(), durable);
        LockedException e = assertThrows(LockedException.class, () -> chain.get("svc", "acct"));
        assertTrue(e.getMessage().contains("locked"), e.getMessage());
        assertTrue(e.getSuppressed().length > 0 && e.getSuppressed()[e.getSuppressed().length - 1].getMessage().contains("may exist in the failing store"));
        assertThrows(LockedException.class, () -> chain.find("svc"));
        assertThrows(LockedException.class, () -> chain.list("svc"));
        durable.set("svc", "acct", Secret.of("v"));
        assertEquals("v", chain.get("svc", "acct").orElseThrow().asString(), "a member that has it answers despite the failure");
    }

    @Test
    void writesWithoutTtlGoToTheFirstWritablePersistentMember() {
        CredentialStore chain = Keyring.chain(readOnly, kernelLike, durable);
        chain.set("svc", "acct", Secret.of("v"));
        assertTrue(durable.get("svc", "acct").isPresent());
        assertTrue(kernelLike.get("svc", "acct").isEmpty());
        assertTrue(chain.capabilities().persistent());
    }

    @Test
    void writesWithTtlGoToTheFirstMemberWithExpiry() {
        InMemoryCredentialStore persistentNoExpiry = new InMemoryCredentialStore("noexp", Capabilities.of(Capabilities.Flag.WRITABLE, Capabilities.Flag.PERSISTENT, Capabilities.Flag.ENCRYPTED_AT_REST, Capabilities.Flag.LISTABLE));
        CredentialStore chain = Keyring.chain(persistentNoExpiry, kernelLike);
        chain.set("svc", "acct", Secret.of("v"), Duration.ofMinutes(5));
        assertTrue(kernelLike.get("svc", "acct").isPresent());
        assertTrue(persistentNoExpiry.get("svc", "acct").isEmpty());
    }

    @Test
    void ttlWriteWithoutAnyExpiryMemberIsRefused() {
        InMemoryCredentialStore persistentNoExpiry = new InMemoryCredentialStore("noexp", Capabilities.of(Capabilities.Flag.WRITABLE, Capabilities.Flag.PERSISTENT, Capabilities.Flag.ENCRYPTED_AT_REST, Capabilities.Flag.LISTABLE));
        CredentialStore chain = Keyring.chain(persistentNoExpiry);
        assertThrows(UnsupportedOperationException.class, () -> chain.set("svc", "acct", Secret.of("v"), Duration.ofMinutes(5)));
        assertTrue(persistentNoExpiry.get("svc", "acct").isEmpty(), "never stored without its expiry");
    }

    @Test
    void ttlWriteToAChainOfReadOnlyMembersIsReadOnly() {
        CredentialStore chain = Keyring.chain(InMemoryCredentialStore.readOnly("ro"));
        assertThrows(dev.keyring4j.ReadOnlyStoreException.class, () -> chain.set("svc", "acct", Secret.of("v"), Duration.ofMinutes(5)));
    }

    @Test
    void aWriteRemovesStaleCopiesFromOtherWritableMembers() {
        kernelLike.set("svc", "acct", Secret.of("stale"));
        CredentialStore chain = Keyring.chain(kernelLike, durable);
        chain.set("svc", "acct", Secret.of("fresh"));
        assertTrue(kernelLike.get("svc", "acct").isEmpty(), "the stale copy in front would shadow the new value");
        assertEquals("fresh", chain.get("svc", "acct").orElseThrow().asString());
        durable.set("svc", "t", Secret.of("stale"));
        chain.set("svc", "t", Secret.of("fresh"), Duration.ofMinutes(1));
        assertTrue(durable.get("svc", "t").isEmpty());
    }

    @Test
    void withoutPersistentMemberTheWriteStillHappensOnAVolatileOne() {
        CredentialStore chain = Keyring.chain(readOnly, kernelLike);
        chain.set("svc", "acct", Secret.of("v"));
        assertTrue(kernelLike.get("svc", "acct").isPresent());
        assertFalse(chain.capabilities().persistent(), "the chain says the write will not survive a reboot");
    }

    @Test
    void allReadOnlyRefusesWrites() {
        CredentialStore chain = Keyring.chain(readOnly, InMemoryCredentialStore.readOnly("ro2"));
        assertThrows(ReadOnlyStoreException.class, () -> chain.set("svc", "acct", Secret.of("v")));
        assertThrows(ReadOnlyStoreException.class, () -> chain.delete("svc", "acct"));
    }

    @Test
    void deleteRemovesFromEveryWritableMember() {
        kernelLike.set("svc", "acct", Secret.of("a"));
        durable.set("svc", "acct", Secret.of("b"));
        CredentialStore chain = Keyring.chain(readOnly, kernelLike, durable);
        assertTrue(chain.delete("svc", "acct"));
        assertTrue(kernelLike.get("svc", "acct").isEmpty());
        assertTrue(durable.get("svc", "acct").isEmpty());
        assertFalse(chain.delete("svc", "acct"));
    }

    @Test
    void listMergesWithoutDuplicatesInPriorityOrder() {
        readOnly.put("svc", "a", Secret.of("1"));
        kernelLike.set("svc", "b", Secret.of("2"));
        durable.set("svc", "a", Secret.of("3"));
        durable.set("svc", "c", Secret.of("4"));
        CredentialStore chain = Keyring.chain(readOnly, kernelLike, durable);
        assertEquals(List.of(new CredentialId("svc", "a"), new CredentialId("svc", "b"), new CredentialId("svc", "c")), chain.list("svc"));
        assertEquals(3, chain.list().size());
    }

    @Test
    void idNamesTheMembers() {
        assertEquals("chain[ro,fast,durable]", Keyring.chain(readOnly, kernelLike, durable).id());
    }
}
