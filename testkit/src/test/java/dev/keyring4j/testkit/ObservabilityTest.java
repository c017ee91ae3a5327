package dev.keyring4j.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.keyring4j.CredentialStore;
import dev.keyring4j.Keyring;
import dev.keyring4j.KeyringConfig;
import dev.keyring4j.KeyringListener;
import dev.keyring4j.ReadOnlyStoreException;
import dev.keyring4j.Secret;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import jdk.jfr.Recording;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordingFile;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every store Keyring returns emits JFR events and calls listeners, with no names and no secrets. */
class ObservabilityTest {
    private static final String SERVICE = "svc-observed-7f3a";
    private static final String ACCOUNT = "acct-observed-91bc";
    private static final String SECRET = "s3cret-observed-c0ffee";

    @TempDir
    Path dir;

    private final List<KeyringListener.Operation> seen = Collections.synchronizedList(new ArrayList<>());
    private final KeyringListener listener = seen::add;

    @AfterEach
    void unregister() {
        Keyring.removeListener(listener);
    }

    private KeyringConfig config(String backend) {
        return KeyringConfig.builder().backend(backend).environment(Map.of("HOME", dir.toString()))
                .systemProperties(Map.of()).userFile(dir.resolve("none-user")).systemFile(dir.resolve("none-system")).build();
    }

    @Test
    void listenerSeesEveryOperationWithOutcomeAndNoNames() {
        Keyring.addListener(listener);
        try (CredentialStore store = Keyring.open(config("alpha"))) {
            store.set(SERVICE, ACCOUNT, Secret.of(SECRET));
            assertEquals(SECRET, store.get(SERVICE, ACCOUNT).orElseThrow().asString());
            assertTrue(store.get(SERVICE, "other").isEmpty());
            assertTrue(store.delete(SERVICE, ACCOUNT));
            assertFalse(store.delete(SERVICE, ACCOUNT));
            store.list();
        }
        List<String> ops = seen.stream().map(o -> o.operation() + ":" + o.outcome()).toList();
        assertEquals(List.of("set:SUCCESS", "get:SUCCESS", "get:NOT_FOUND", "delete:SUCCESS", "delete:NOT_FOUND", "list-all:SUCCESS"), ops);
        seen.forEach(o -> {
            assertEquals("alpha", o.backend());
            assertFalse(o.duration().isNegative());
            assertFalse(o.toString().contains(SERVICE) || o.toString().contains(ACCOUNT) || o.toString().contains(SECRET), o.toString());
        });
    }

    @Test
    void errorsAreReportedWithTheirTypeAndStillThrown() {
        Keyring.addListener(listener);
        KeyringListener broken = op -> {
            throw new IllegalStateException("a broken listener must not change the outcome");
        };
        Keyring.addListener(broken);
        try {
            CredentialStore readOnly = Keyring.chain(InMemoryCredentialStore.readOnly("ro"));
            assertThrows(ReadOnlyStoreException.class, () -> readOnly.set(SERVICE, ACCOUNT, Secret.of(SECRET)));
        } finally {
            Keyring.removeListener(broken);
        }
        KeyringListener.Operation last = seen.get(seen.size() - 1);
        assertEquals(KeyringListener.Outcome.ERROR, last.outcome());
        assertEquals("ReadOnlyStoreException", last.errorType());
        assertEquals("chain[ro]", last.backend());
    }

    @Test
    void removedListenerIsNotCalled() {
        Keyring.addListener(listener);
        assertTrue(Keyring.removeListener(listener));
        try (CredentialStore store = Keyring.open(config("alpha"))) {
            store.get(SERVICE, ACCOUNT);
        }
        assertTrue(seen.isEmpty());
    }

    @Test
    void jfrEventsAreRecordedReadableByJfrPrintAndFreeOfNamesAndSecrets() throws Exception {
        Path jfrTool = Prerequisites.requireProgram(Path.of(System.getProperty("java.home"), "bin", "jfr").toString());
        // capture what the library logs (System.Logger → java.util.logging) and prints on stderr while we work
        PrintStream oldErr = System.err;
        ByteArrayOutputStream logs = new ByteArrayOutputStream();
        StringBuilder logRecords = new StringBuilder();
        java.util.logging.Handler capture = new java.util.logging.Handler() {
            @Override
            public void publish(java.util.logging.LogRecord r) {
                synchronized (logRecords) {
                    logRecords.append(r.getLoggerName()).append(' ').append(new java.util.logging.SimpleFormatter().formatMessage(r)).append('\n');
                }
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
        java.util.logging.Logger root = java.util.logging.Logger.getLogger("");
        root.addHandler(capture);
        Path file = dir.resolve("ops.jfr");
        try (Recording recording = new Recording()) {
            recording.enable("dev.keyring4j.Operation");
            recording.start();
            System.setErr(new PrintStream(logs, true, StandardCharsets.UTF_8));
            try (CredentialStore store = Keyring.open(config("beta,alpha"))) {
                // the second store has only a volatile member, so the chain logs a warning: the logs are scanned too
                store.set(SERVICE, ACCOUNT, Secret.of(SECRET));
                Keyring.chain(InMemoryCredentialStore.volatileWithExpiry("volatile-only")).set(SERVICE, ACCOUNT, Secret.of(SECRET));
                store.get(SERVICE, ACCOUNT);
                store.find(SERVICE);
                store.list(SERVICE);
                store.delete(SERVICE, ACCOUNT);
            } finally {
                System.setErr(oldErr);
                root.removeHandler(capture);
            }
            recording.stop();
            recording.dump(file);
        }
        List<RecordedEvent> events = RecordingFile.readAllEvents(file).stream()
                .filter(e -> e.getEventType().getName().equals("dev.keyring4j.Operation")).toList();
        assertEquals(List.of("set", "set", "get", "find", "list", "delete"), events.stream().map(e -> e.getString("operation")).toList());
        events.forEach(e -> assertEquals("SUCCESS", e.getString("outcome")));
        assertEquals("chain[beta,alpha]", events.get(0).getString("backend"));
        assertEquals("chain[volatile-only]", events.get(1).getString("backend"));
        assertTrue(logRecords.toString().contains("will not survive a reboot"), "the chain's warning was captured: " + logRecords);

        Process p = new ProcessBuilder(jfrTool.toString(), "print", "--events", "dev.keyring4j.Operation", file.toString())
                .redirectErrorStream(true).start();
        String printed = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(2, TimeUnit.MINUTES));
        assertEquals(0, p.exitValue(), printed);
        assertTrue(printed.contains("dev.keyring4j.Operation"), printed);
        assertTrue(printed.contains("operation = \"get\""), printed);
        Files.writeString(dir.resolve("print.txt"), printed);

        // the whole recording, every event and every string in it, and the logs: none of the test's names or secret
        String everything = new String(Files.readAllBytes(file), StandardCharsets.ISO_8859_1) + printed
                + logs.toString(StandardCharsets.UTF_8) + logRecords;
        for (String needle : List.of(SERVICE, ACCOUNT, SECRET)) {
            assertFalse(everything.contains(needle), "found " + needle + " in the recording or logs");
        }
    }
}
