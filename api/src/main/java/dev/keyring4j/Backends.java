package dev.keyring4j;

import dev.keyring4j.spi.Availability;
import dev.keyring4j.spi.BackendConfig;
import dev.keyring4j.spi.CredentialStoreProvider;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Discovery in one place: every provider {@link ServiceLoader} finds, each backend's slice of the
 * settings, validation of every key against the providers, and the probe results. Providers that
 * fail to load or to probe are reported, never fatal.
 */
final class Backends {
    private static final Set<String> COMMON_KEYS = Set.of("priority", "enabled");

    /** One discovered backend and what it said. {@code provider} is null when it failed to load. */
    record Entry(String id, CredentialStoreProvider provider, BackendConfig config, BackendStatus status) {
        boolean usable() {
            return provider != null && status.available();
        }
    }

    final Settings settings;
    final Map<String, Entry> entries; // by id, in discovery order

    private Backends(Settings settings, Map<String, Entry> entries) {
        this.settings = settings;
        this.entries = entries;
    }

    /** Every backend, each probed: what {@code backends()} and {@code diagnose()} report. */
    static Backends discover(KeyringConfig config) {
        return discover(config, true);
    }

    /**
     * As {@link #discover(KeyringConfig)}, but when the configuration names backends
     * ({@code backend = …}) and {@code probeAll} is false, only those are probed: {@code open()}
     * never waits for a backend it was told not to use (a wedged D-Bus behind {@code backend = kernel}).
     */
    static Backends discover(KeyringConfig config, boolean probeAll) {
        Settings settings = Settings.resolve(config);
        List<CredentialStoreProvider> providers = new ArrayList<>();
        List<String> loadFailures = new ArrayList<>();
        load(providers, loadFailures);
        Map<String, CredentialStoreProvider> byId = new LinkedHashMap<>();
        for (CredentialStoreProvider p : providers) {
            byId.putIfAbsent(p.id(), p);
        }
        validateKeys(settings, byId);

        Set<String> named = probeAll ? null : namedIds(settings);
        Map<String, CompletableFuture<Availability>> probes = new LinkedHashMap<>();
        Map<String, BackendConfig> configs = new LinkedHashMap<>();
        for (CredentialStoreProvider p : byId.values()) {
            BackendConfig bc = sliceFor(p.id(), settings, config);
            configs.put(p.id(), bc);
            if (bc.getBoolean("enabled", true) && (named == null || named.contains(p.id()))) {
                probes.put(p.id(), probeAsync(p, bc));
            }
        }
        Map<String, Entry> entries = new LinkedHashMap<>();
        long deadline = System.nanoTime() + config.probeTimeout().toNanos();
        for (CredentialStoreProvider p : byId.values()) {
            BackendConfig bc = configs.get(p.id());
            Availability a = probes.containsKey(p.id()) ? await(probes.get(p.id()), deadline, config)
                    : !bc.getBoolean("enabled", true) ? Availability.unavailable("disabled by " + p.id() + ".enabled (from " + bc.source("enabled") + ")")
                    : Availability.unavailable("not probed: the configuration names other backends");
            int priority = a.isAvailable() ? bc.getInt("priority", a.priority()) : a.priority();
            String reason = a.reason();
            if (a.isAvailable() && bc.get("priority").isPresent()) {
                reason += " (priority from " + bc.source("priority") + ")";
            }
            Capabilities caps;
            try {
                caps = p.capabilities(bc);
            } catch (RuntimeException e) {
                caps = new Capabilities(false, false, false, false, false);
            }
            entries.put(p.id(), new Entry(p.id(), p, bc, new BackendStatus(p.id(), priority, a.isAvailable(), reason, caps)));
        }
        int n = 0;
        for (String failure : loadFailures) {
            String id = "<unloadable provider " + (++n) + ">";
            entries.put(id, new Entry(id, null, null, new BackendStatus(id, Integer.MIN_VALUE, false, failure,
                    new Capabilities(false, false, false, false, false))));
        }
        return new Backends(settings, entries);
    }

    /** The ids {@code backend = …} names, or null when it names none (auto-detection probes every backend). */
    private static Set<String> namedIds(Settings settings) {
        return settings.get(Settings.BACKEND).map(spec -> {
            Set<String> ids = new HashSet<>();
            for (String raw : spec.value().split(",")) {
                if (!raw.isBlank()) ids.add(raw.trim());
            }
            return ids;
        }).orElse(null);
    }

    private static void load(List<CredentialStoreProvider> providers, List<String> failures) {
        Iterator<CredentialStoreProvider> it = ServiceLoader.load(CredentialStoreProvider.class).iterator();
        // ServiceLoader keeps going after a provider that fails to load; one bad jar must not hide the others
        while (true) {
            try {
                if (!it.hasNext()) break;
                providers.add(it.next());
            } catch (ServiceConfigurationError e) {
                failures.add("failed to load: " + oneLine(e));
            }
        }
    }

    private static CompletableFuture<Availability> probeAsync(CredentialStoreProvider p, BackendConfig bc) {
        CompletableFuture<Availability> f = new CompletableFuture<>();
        Thread t = new Thread(() -> {
            try {
                Availability a = p.probe(bc);
                f.complete(a != null ? a : Availability.unavailable("probe returned nothing"));
            } catch (Throwable e) {
                f.complete(Availability.unavailable("probe failed: " + oneLine(e)));
            }
        }, "keyring4j-probe-" + p.id());
        t.setDaemon(true); // a stuck probe must not keep the JVM alive
        t.start();
        return f;
    }

    private static Availability await(CompletableFuture<Availability> f, long deadline, KeyringConfig config) {
        try {
            return f.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            return Availability.unavailable("probe did not answer within " + config.probeTimeout().toMillis() + " ms");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Availability.unavailable("interrupted while probing");
        } catch (ExecutionException e) {
            return Availability.unavailable("probe failed: " + oneLine(e.getCause()));
        }
    }

    static String oneLine(Throwable e) {
        String m = e.getMessage();
        return e.getClass().getSimpleName() + (m == null ? "" : ": " + m.replace('\n', ' '));
    }

    private static void validateKeys(Settings settings, Map<String, CredentialStoreProvider> byId) {
        for (Map.Entry<String, Settings.Value> e : settings.all().entrySet()) {
            String key = e.getKey();
            if (key.equals(Settings.BACKEND)) continue;
            int dot = key.indexOf('.');
            if (dot < 0) {
                throw new ConfigurationException("unknown configuration key '" + key + "' (from " + e.getValue().source()
                        + "); keys are 'backend' or '<backend id>.<key>', backends here: " + byId.keySet());
            }
            String id = key.substring(0, dot);
            String sub = key.substring(dot + 1);
            CredentialStoreProvider p = byId.get(id);
            if (p == null) {
                throw new ConfigurationException("unknown backend '" + id + "' in configuration key '" + key + "' (from "
                        + e.getValue().source() + "); backends discovered here: " + byId.keySet()
                        + "; add the backend's jar to the class path or remove the key");
            }
            if (!COMMON_KEYS.contains(sub) && !p.acceptsKey(sub)) {
                Set<String> known = new HashSet<>(COMMON_KEYS);
                known.addAll(p.configKeys());
                throw new ConfigurationException("unknown configuration key '" + key + "' (from " + e.getValue().source()
                        + "); the " + id + " backend understands " + new java.util.TreeSet<>(known));
            }
        }
    }

    private static BackendConfig sliceFor(String id, Settings settings, KeyringConfig config) {
        BackendConfig.Builder b = BackendConfig.builder(id)
                .env(config.env())
                .systemProperties(config.systemProperties())
                .components(config.components());
        String prefix = id + ".";
        settings.all().forEach((k, v) -> {
            if (k.startsWith(prefix)) b.set(k.substring(prefix.length()), v.value(), v.source());
        });
        return b.build();
    }

    /** Statuses of every discovered backend, available ones first by priority. */
    List<BackendStatus> statuses() {
        List<BackendStatus> out = new ArrayList<>();
        entries.values().forEach(e -> out.add(e.status()));
        out.sort(Comparator.comparing(BackendStatus::available).reversed()
                .thenComparing(Comparator.comparingInt(BackendStatus::priority).reversed())
                .thenComparing(BackendStatus::id));
        return out;
    }

    /** What {@code open()} would use, in order, and why; throws with the reasons when nothing fits. */
    Selection select() {
        Settings.Value spec = settings.get(Settings.BACKEND).orElse(null);
        if (spec != null) {
            List<Entry> chosen = new ArrayList<>();
            for (String raw : spec.value().split(",")) {
                String id = raw.trim();
                if (id.isEmpty()) continue;
                Entry e = entries.get(id);
                if (e == null || e.provider() == null) {
                    throw new ConfigurationException("unknown backend '" + id + "' in backend = " + spec.value()
                            + " (from " + spec.source() + "); backends discovered here: " + knownIds());
                }
                if (chosen.contains(e)) {
                    throw new ConfigurationException("backend '" + id + "' is named twice in backend = " + spec.value()
                            + " (from " + spec.source() + ")");
                }
                if (!e.status().available()) {
                    throw new BackendUnavailableException("backend '" + id + "' named by " + spec.source()
                            + " is unavailable: " + e.status().reason()
                            + "; fix that, or name another backend (keyring4j backends lists them)");
                }
                chosen.add(e);
            }
            if (chosen.isEmpty()) {
                throw new ConfigurationException("backend is empty (from " + spec.source() + "); name a backend id or remove the key");
            }
            return new Selection(chosen, "configured by " + spec.source() + ": backend = " + spec.value());
        }
        List<Entry> available = new ArrayList<>();
        for (Entry e : entries.values()) {
            if (e.usable()) available.add(e);
        }
        available.sort(Comparator.comparingInt((Entry e) -> e.status().priority()).reversed().thenComparing(Entry::id));
        if (available.isEmpty()) {
            StringBuilder why = new StringBuilder("no credential backend is available here");
            entries.values().forEach(e -> why.append("; ").append(e.id()).append(": ").append(e.status().reason()));
            if (entries.isEmpty()) why.append("; no backend jar is on the class path or module path");
            throw new BackendUnavailableException(why.toString());
        }
        return new Selection(available, "auto-detected: every available backend, highest priority first");
    }

    private List<String> knownIds() {
        List<String> ids = new ArrayList<>();
        entries.values().forEach(e -> {
            if (e.provider() != null) ids.add(e.id());
        });
        return ids;
    }

    /** The backends a store will be built from, in order, and the reason they were chosen. */
    record Selection(List<Entry> entries, String why) {
        String describe() {
            List<String> ids = new ArrayList<>();
            entries.forEach(e -> ids.add(e.id()));
            return entries.size() == 1 ? ids.get(0) : "chain" + ids.toString().replace(" ", "");
        }
    }
}
