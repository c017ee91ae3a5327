package dev.keyring4j.testkit;

import dev.keyring4j.Capabilities;
import dev.keyring4j.CredentialStore;
import dev.keyring4j.spi.Availability;
import dev.keyring4j.spi.BackendConfig;
import dev.keyring4j.spi.CredentialStoreProvider;
import java.util.Set;

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

        @Override
        public Capabilities capabilities(BackendConfig config) {
            return capabilities;
        }

        @Override
        public Set<String> configKeys() {
            return Set.of("available", "path");
        }

        @Override
        public Availability probe(BackendConfig config) {
            return config.getBoolean("available", true)
                    ? Availability.available(priority, "test provider")
                    : Availability.unavailable("test provider switched off by " + config.source("available"));
        }

        @Override
        public CredentialStore open(BackendConfig config) {
            return new InMemoryCredentialStore(id, capabilities);
        }
    }

    /** Persistent and writable, priority 10. */
    public static final class Alpha extends Base {
        public Alpha() {
            super("alpha", 10, new Capabilities(true, true, true, false, true));
        }
    }

    /** Volatile with expiry, priority 5. */
    public static final class Beta extends Base {
        public Beta() {
            super("beta", 5, new Capabilities(true, false, false, true, true));
        }
    }

    /** Its probe throws: reported as unavailable, never fatal. */
    public static final class BrokenProbe extends Base {
        public BrokenProbe() {
            super("broken-probe", 50, new Capabilities(false, false, false, false, false));
        }

        @Override
        public Availability probe(BackendConfig config) {
            throw new IllegalStateException("deliberately broken probe");
        }
    }

    /** Its probe never answers: reported as unavailable after the probe timeout. */
    public static final class StuckProbe extends Base {
        public StuckProbe() {
            super("stuck-probe", 60, new Capabilities(false, false, false, false, false));
        }

        /** How many times a probe was started, across every instance ServiceLoader made. */
        public static final java.util.concurrent.atomic.AtomicInteger PROBES = new java.util.concurrent.atomic.AtomicInteger();

        @Override
        public Availability probe(BackendConfig config) {
            PROBES.incrementAndGet();
            try {
                Thread.sleep(60_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return Availability.available(60);
        }
    }

    /** Cannot even be instantiated: ServiceLoader reports an error, discovery carries on. */
    public static final class Unloadable extends Base {
        public Unloadable() {
            super("unloadable", 1, new Capabilities(false, false, false, false, false));
            throw new IllegalStateException("deliberately unloadable provider");
        }
    }
}
