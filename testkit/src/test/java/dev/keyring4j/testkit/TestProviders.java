package dev.keyring4j.testkit;

import static dev.keyring4j.Capabilities.Flag.ENCRYPTED_AT_REST;
import static dev.keyring4j.Capabilities.Flag.EXPIRY;
import static dev.keyring4j.Capabilities.Flag.LISTABLE;
import static dev.keyring4j.Capabilities.Flag.PERSISTENT;
import static dev.keyring4j.Capabilities.Flag.WRITABLE;

import dev.keyring4j.Capabilities;
import dev.keyring4j.spi.Availability;
import dev.keyring4j.spi.BackendConfig;
import dev.keyring4j.spi.Candidate;
import dev.keyring4j.spi.CredentialStoreProvider;
import dev.keyring4j.spi.Setting;
import java.util.List;

/**
 * Providers registered only on the testkit's test class path, to exercise discovery and
 * configuration. {@code <id>.available = false} makes one unavailable; stores are in-memory.
 */
final class TestProviders {
    private TestProviders() {
    }

    abstract static class Base implements CredentialStoreProvider {
        private final String id;
        private final int priority;
        private final Capabilities capabilities;

        Base(String id, int priority, Capabilities capabilities) {
            this.id = id;
            this.priority = priority;
            this.capabilities = capabilities;
        }

        @Override
        public String id() {
            return id;
        }

        static final Setting<Boolean> AVAILABLE = Setting.bool("available", true, "false: the probe says unavailable");
        static final Setting<String> PATH = Setting.text("path", null, "ignored; shows a configured key");
        static final Setting<Boolean> INDETERMINATE = Setting.bool("indeterminate", false, "true: the probe answers indeterminate");

        @Override
        public Capabilities capabilities() {
            return capabilities;
        }

        @Override
        public int priority() {
            return priority;
        }

        @Override
        public List<Setting<?>> settings() {
            return List.of(AVAILABLE, PATH, INDETERMINATE);
        }

        @Override
        public Candidate probe(BackendConfig config) {
            if (config.get(INDETERMINATE)) return Candidate.without(Availability.indeterminate("told to be unsure"), capabilities);
            return config.get(AVAILABLE)
                    ? Candidate.of(Availability.available(priority, "test provider"), capabilities, () -> new InMemoryCredentialStore(id, capabilities))
                    : Candidate.without(Availability.unavailable("test provider switched off by " + config.source("available")), capabilities);
        }
    }

    /** Persistent and writable, priority 10. */
    public static final class Alpha extends Base {
        public Alpha() {
            super("alpha", 10, Capabilities.of(WRITABLE, PERSISTENT, ENCRYPTED_AT_REST, LISTABLE));
        }
    }

    /** Volatile with expiry, priority 5. */
    public static final class Beta extends Base {
        public Beta() {
            super("beta", 5, Capabilities.of(WRITABLE, EXPIRY, LISTABLE));
        }
    }

    /** Its probe throws: indeterminate (a throw proves nothing), never fatal. */
    public static final class BrokenProbe extends Base {
        public BrokenProbe() {
            super("broken-probe", 50, Capabilities.NONE);
        }

        @Override
        public Candidate probe(BackendConfig config) {
            throw new IllegalStateException("deliberately broken probe");
        }
    }

    /** Its probe never answers: indeterminate after the probe timeout. */
    public static final class StuckProbe extends Base {
        public StuckProbe() {
            super("stuck-probe", 60, Capabilities.NONE);
        }

        /** How many times a probe was started, across every instance ServiceLoader made. */
        public static final java.util.concurrent.atomic.AtomicInteger PROBES = new java.util.concurrent.atomic.AtomicInteger();

        @Override
        public Candidate probe(BackendConfig config) {
            PROBES.incrementAndGet();
            config.startProbeClock(); // asked, and then the backend never answers (a wedged bus)
            try {
                Thread.sleep(60_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return Candidate.without(Availability.unavailable("woke up"), Capabilities.NONE);
        }
    }

    /** Cannot even be instantiated: ServiceLoader reports an error, discovery carries on. */
    public static final class Unloadable extends Base {
        public Unloadable() {
            super("unloadable", 1, Capabilities.NONE);
            throw new IllegalStateException("deliberately unloadable provider");
        }
    }
}
