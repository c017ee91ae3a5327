package dev.keyring4j.secretservice;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.keyring4j.BackendStatus;
import dev.keyring4j.BackendUnavailableException;
import dev.keyring4j.CredentialStore;
import dev.keyring4j.Keyring;
import dev.keyring4j.KeyringConfig;
import dev.keyring4j.KeyringException;
import dev.keyring4j.LockedException;
import dev.keyring4j.Secret;
import dev.keyring4j.spi.Availability;
import dev.keyring4j.spi.BackendConfig;
import dev.keyring4j.spi.Candidate;
import dev.keyring4j.testkit.SecretServiceFixture;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Faults with real processes: locked collections, no bus, an abstract bus, no provider, a provider
 * killed and restarted under an open store, and a provider that stops answering. The only time
 * bounds are the generous "returns, does not hang" checks the backend promises.
 */
class SecretServiceFaultTest {
    private static final Duration NO_HANG = Duration.ofSeconds(15);
    private static final Duration PROBE_BOUND = Duration.ofSeconds(1);

    @TempDir
    Path dir;

    private static BackendConfig config(Map<String, String> env, Map<String, String> settings) {
        return BackendConfig.of("secret-service", settings, env);
    }

    /** The probe's answer; the candidate is discarded (its connection closed), as discovery does with one it does not open. */
    private static Availability probe(BackendConfig config) {
        Candidate c = new SecretServiceProvider().probe(config);
        c.discard();
        return c.availability();
    }

    private static Map<String, String> envWith(Map<String, String> base, String key, String value) {
        Map<String, String> m = new HashMap<>(base);
        if (value == null) m.remove(key);
        else m.put(key, value);
        return m;
    }

    private static String stored(SecretServiceFixture f, String service, String account) {
        SecretServiceFixture.Result r = f.run(List.of("secret-tool", "search", "--all", "service", service, "username", account), null, Duration.ofSeconds(30));
        return r.stdout() + r.stderr();
    }

    // ------------------------------------------------------------------ locked

    /** With prompt=deny an unlock prompt is dismissed, never started: dbus-monitor sees Dismiss and no Prompt call. */
    @Test
    void denyNeverStartsAnUnlockPrompt() throws Exception {
        dev.keyring4j.testkit.Prerequisites.requireProgram("dbus-monitor");
        try (SecretServiceFixture f = SecretServiceFixture.startLocked()) {
            Path log = f.directory().resolve("prompt-monitor.log");
            Process monitor = f.spawn(List.of("dbus-monitor", "--session", "type=method_call,interface=org.freedesktop.Secret.Prompt"), log);
            Thread.sleep(300);
            try (CredentialStore s = Open.store(config(f.environment(), Map.of("prompt", "deny")))) {
                assertTimeoutPreemptively(NO_HANG, () -> assertThrows(LockedException.class, () -> s.set("fault.deny", "alice", Secret.of("x"))));
                assertTimeoutPreemptively(NO_HANG, () -> assertThrows(LockedException.class, () -> s.get("fault.deny", "alice")));
                assertTimeoutPreemptively(NO_HANG, () -> assertThrows(LockedException.class, () -> s.delete("fault.deny", "alice")));
            }
            Thread.sleep(500);
            monitor.destroy();
            String seen = java.nio.file.Files.readString(log);
            assertFalse(seen.contains("member=Prompt"), () -> "an unlock prompt was started:\n" + seen);
            assertTrue(seen.contains("member=Dismiss"), () -> "control: the monitor saw the unlock prompts dismissed:\n" + seen);
        }
    }

    @Test
    void lockedCollectionIsLockedExceptionWithinTheTimeoutAndNothingIsWritten() {
        try (SecretServiceFixture f = SecretServiceFixture.startLocked()) {
            try (CredentialStore s = Open.store(config(f.environment(), Map.of("timeout", "PT3S")))) {
                LockedException e = assertTimeoutPreemptively(NO_HANG, () -> assertThrows(LockedException.class,
                        () -> s.set("fault.locked", "alice", Secret.of("must-not-be-written"))));
                assertTrue(e.getMessage().contains("/org/freedesktop/secrets/collection/login"), e.getMessage());
                assertTrue(e.getMessage().contains("secret-service.prompt=allow"), e.getMessage());
                assertTrue(e.getMessage().endsWith("(see docs/troubleshooting.md#locked)"), e.getMessage());
                assertFalse(e.getMessage().contains("must-not-be-written"));
                // reads and listings report the lock, never "absent"
                assertThrows(LockedException.class, () -> s.get("fault.locked", "alice"));
                assertThrows(LockedException.class, () -> s.list("fault.locked"));
                assertThrows(LockedException.class, s::list);
                assertThrows(LockedException.class, () -> s.delete("fault.locked", "alice"));
            }
            // unlock with the password: nothing was written while locked
            f.restartProvider();
            try (CredentialStore s = Open.store(config(f.environment(), Map.of()))) {
                assertEquals(Optional.empty(), s.get("fault.locked", "alice").map(Secret::asString));
                assertTrue(s.list().isEmpty(), "nothing was written while locked");
            }
            assertFalse(stored(f, "fault.locked", "alice").contains("label"), "secret-tool sees no item");
        }
    }

    @Test
    void lockedCollectionWithPromptsAllowedCompletesOrDismissesThePromptInBoundedTime() {
        try (SecretServiceFixture f = SecretServiceFixture.startLocked()) {
            // the private bus has no prompter (gcr-prompter is not activatable there): the prompt
            // fails or goes unanswered, and either way we get LockedException in bounded time
            try (CredentialStore s = Open.store(config(f.environment(),
                    Map.of("prompt", "allow", "prompt-timeout", "PT3S", "timeout", "PT3S")))) {
                LockedException e = assertTimeoutPreemptively(NO_HANG, () -> assertThrows(LockedException.class,
                        () -> s.set("fault.prompt", "bob", Secret.of("x"))));
                assertTrue(e.getMessage().contains("was dismissed") || e.getMessage().contains("nobody answered"), e.getMessage());
            }
            f.restartProvider();
            try (CredentialStore s = Open.store(config(f.environment(), Map.of()))) {
                assertTrue(s.list().isEmpty(), "nothing was written while locked");
            }
        }
    }

    // ------------------------------------------------------------------ no bus, abstract bus, no provider

    @Test
    void noBusIsUnavailableWithTheReasonAndProbeIsQuick() {
        Map<String, String> env = Map.of("DBUS_SESSION_BUS_ADDRESS", "unix:path=/nonexistent/keyring4j/bus");
        Availability a = assertTimeoutPreemptively(PROBE_BOUND, () -> probe(config(env, Map.of())));
        assertFalse(a.isAvailable());
        assertTrue(a.reason().contains("/nonexistent/keyring4j/bus") && a.reason().contains("does not exist"), a.reason());
        BackendUnavailableException e = assertThrows(BackendUnavailableException.class, () -> Open.named(env, dir.resolve("none")));
        assertTrue(e.getMessage().contains("does not exist"), e.getMessage());

        Availability none = assertTimeoutPreemptively(PROBE_BOUND, () -> probe(config(Map.of("HOME", "/tmp"), Map.of())));
        assertFalse(none.isAvailable());
        assertTrue(none.reason().contains("DBUS_SESSION_BUS_ADDRESS"), none.reason());
    }

    @Test
    void abstractBusIsUnavailableWithTheReason() {
        Map<String, String> env = Map.of("DBUS_SESSION_BUS_ADDRESS", "unix:abstract=/tmp/dbus-Xk4jAbstract,guid=0123456789abcdef0123456789abcdef");
        Availability a = assertTimeoutPreemptively(PROBE_BOUND, () -> probe(config(env, Map.of())));
        assertFalse(a.isAvailable());
        assertTrue(a.reason().contains("abstract") && a.reason().contains("unix:path="), a.reason());
        assertFalse(a.reason().contains("guid"), "the reason shows the socket, not the guid: " + a.reason());
        assertThrows(BackendUnavailableException.class, () -> Open.named(env, dir.resolve("none")));
    }

    @Test
    void busWithoutProviderIsUnavailableWithTheReasonAndProbeIsQuick() {
        try (SecretServiceFixture f = SecretServiceFixture.startBusOnly()) {
            Availability a = assertTimeoutPreemptively(PROBE_BOUND, () -> probe(config(f.environment(), Map.of())));
            assertFalse(a.isAvailable());
            assertTrue(a.reason().contains("org.freedesktop.secrets"), a.reason());
            BackendUnavailableException e = assertThrows(BackendUnavailableException.class,
                    () -> Open.named(f.environment(), dir.resolve("none")));
            assertTrue(e.getMessage().contains("no Secret Service provider"), e.getMessage());
        }
    }

    @Test
    void probeFindsTheProviderThroughXdgRuntimeDirWhenTheAddressIsUnset() {
        try (SecretServiceFixture f = SecretServiceFixture.start()) {
            Map<String, String> env = envWith(f.environment(), "DBUS_SESSION_BUS_ADDRESS", null);
            Availability a = assertTimeoutPreemptively(PROBE_BOUND, () -> probe(config(env, Map.of())));
            assertTrue(a.isAvailable(), a.reason());
            assertEquals(10, a.priority());
            assertTrue(a.reason().contains("/org/freedesktop/secrets/collection/login"), a.reason());
            try (CredentialStore s = Open.store(config(env, Map.of()))) {
                s.set("fault.xdg", "carol", Secret.of("via $XDG_RUNTIME_DIR/bus"));
                assertEquals("via $XDG_RUNTIME_DIR/bus", s.get("fault.xdg", "carol").orElseThrow().asString());
                s.delete("fault.xdg", "carol");
            }
        }
    }

    // ------------------------------------------------------------------ provider dies, restarts, hangs

    @Test
    void providerKilledAndRestartedIsSurvivedWithoutReopening() {
        try (SecretServiceFixture f = SecretServiceFixture.start();
             CredentialStore s = Open.store(config(f.environment(), Map.of("timeout", "PT3S")))) {
            s.set("fault.restart", "dave", Secret.of("before the crash"));
            long firstPid = f.providerPid();
            f.restartProvider();
            assertTrue(f.providerPid() != firstPid);
            assertEquals("before the crash", s.get("fault.restart", "dave").orElseThrow().asString());
            s.set("fault.restart", "dave", Secret.of("after the crash"));
            assertEquals("after the crash", s.get("fault.restart", "dave").orElseThrow().asString());

            // killed and not yet back: a clear failure, not a hang; then back again without reopening
            f.killProvider();
            KeyringException down = assertTimeoutPreemptively(NO_HANG, () -> assertThrows(KeyringException.class, () -> s.get("fault.restart", "dave")));
            assertTrue(down instanceof BackendUnavailableException, down.toString());
            f.startProvider(true);
            assertEquals("after the crash", s.get("fault.restart", "dave").orElseThrow().asString());
            assertTrue(s.delete("fault.restart", "dave"));
        }
    }

    @Test
    void providerThatStopsAnsweringIsATimeoutNotAHang() {
        try (SecretServiceFixture f = SecretServiceFixture.start();
             CredentialStore s = Open.store(config(f.environment(), Map.of("timeout", "PT1S")))) {
            s.set("fault.hang", "erin", Secret.of("v"));
            f.freezeProvider();
            try {
                KeyringException e = assertTimeoutPreemptively(NO_HANG, () -> assertThrows(KeyringException.class, () -> s.get("fault.hang", "erin")));
                assertTrue(e.getMessage().contains("did not answer") && e.getMessage().contains("1000 ms"), e.getMessage());
                KeyringException w = assertTimeoutPreemptively(NO_HANG, () -> assertThrows(KeyringException.class, () -> s.set("fault.hang", "erin", Secret.of("w"))));
                assertTrue(w.getMessage().contains("may still take effect"), w.getMessage());
                // a provider that does not answer proves nothing: indeterminate, within the call timeout
                Availability a = assertTimeoutPreemptively(PROBE_BOUND.plusSeconds(2),
                        () -> probe(config(f.environment(), Map.of("timeout", "PT1S"))));
                assertTrue(a.isIndeterminate(), a.toString());
                // through discovery the common probe-timeout bounds it, whatever the call timeout
                KeyringConfig discovery = KeyringConfig.builder().environment(f.environment()).set("secret-service.probe-timeout", "PT1S")
                        .userFile(dir.resolve("none")).systemFile(dir.resolve("none")).build();
                BackendStatus status = assertTimeoutPreemptively(PROBE_BOUND.plusSeconds(2), () -> Keyring.backends(discovery)).stream()
                        .filter(b -> b.id().equals("secret-service")).findFirst().orElseThrow();
                assertTrue(status.indeterminate() && !status.available(), status.toString());
                assertTrue(status.reason().contains("secret-service.probe-timeout"), status.reason());
            } finally {
                f.resumeProvider();
            }
            // answering again: the same store works. The timed-out write was already on the wire, so
            // the provider may apply it when it resumes: D-Bus cannot take a sent call back.
            Optional<String> after = assertTimeoutPreemptively(NO_HANG, () -> s.get("fault.hang", "erin").map(Secret::asString));
            assertTrue(after.equals(Optional.of("v")) || after.equals(Optional.of("w")), after.toString());
            s.delete("fault.hang", "erin");
        }
    }
}
