package dev.keyring4j;

import dev.keyring4j.spi.Availability;
import dev.keyring4j.spi.BackendConfig;
import dev.keyring4j.spi.Candidate;
import dev.keyring4j.spi.CredentialStoreProvider;
import dev.keyring4j.spi.Setting;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
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
    /** A probe that never even starts asking its backend (classes still loading) is given up after this. */
    private static final Duration SETUP_LIMIT = Duration.ofSeconds(30);

    /**
     * One discovered backend and what it said. {@code provider} is null when it failed to load;
     * {@code candidate} is null when it was not probed or its probe gave no answer.
     */
    record Entry(String id, CredentialStoreProvider provider, Candidate candidate, BackendStatus status) {
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
        Map<String, Probe> probes = new LinkedHashMap<>();
        Map<String, BackendConfig> configs = new LinkedHashMap<>();
        for (CredentialStoreProvider p : byId.values()) {
            Probe probe = new Probe(p, timeoutFor(p.id(), settings, config));
            BackendConfig bc = sliceFor(p.id(), settings, config, probe::asked);
            configs.put(p.id(), bc);
            if (bc.get(ENABLED) && (named == null || named.contains(p.id()))) {
                probes.put(p.id(), probe.start(bc));
            }
        }
        Map<String, Entry> entries = new LinkedHashMap<>();
        for (CredentialStoreProvider p : byId.values()) {
            BackendConfig bc = configs.get(p.id());
            Probe probe = probes.get(p.id());
            Candidate c = probe != null ? probe.await() : null;
            Availability a = c != null ? c.availability()
                    : probe != null ? probe.failure()
                    : !bc.get(ENABLED) ? Availability.unavailable("disabled by " + p.id() + ".enabled (from " + bc.source("enabled") + ")")
                    : Availability.unavailable("not probed: the configuration names other backends");
            Optional<Integer> override = bc.find(PRIORITY);
            int priority = override.orElse(a.isAvailable() ? a.priority() : p.priority());
            String reason = a.reason();
            if (a.isAvailable() && override.isPresent()) {
                reason += " (priority from " + bc.source("priority") + ")";
            }
            Capabilities caps = c != null ? c.capabilities() : p.capabilities();
            Duration took = probe != null ? probe.took() : Duration.ZERO;
            entries.put(p.id(), new Entry(p.id(), p, c, new BackendStatus(p.id(), priority, a.isAvailable(), reason, caps,
                    a.isIndeterminate(), took)));
        }
        int n = 0;
        for (String failure : loadFailures) {
            String id = "<unloadable provider " + (++n) + ">";
            entries.put(id, new Entry(id, null, null, new BackendStatus(id, Integer.MIN_VALUE, false, failure, Capabilities.NONE)));
        }
        return new Backends(settings, entries);
    }

    private static final Setting<Integer> PRIORITY = common("priority", Integer.class);
    private static final Setting<Boolean> ENABLED = common("enabled", Boolean.class);
    private static final Setting<Duration> PROBE_TIMEOUT = common("probe-timeout", Duration.class);

    @SuppressWarnings("unchecked")
    private static <T> Setting<T> common(String key, Class<T> type) {
        return (Setting<T>) BackendConfig.COMMON.stream().filter(s -> s.key().equals(key)).findFirst().orElseThrow();
    }

    private static Duration timeoutFor(String id, Settings settings, KeyringConfig config) {
        return settings.get(id + ".probe-timeout").map(v -> sliceFor(id, settings, config, () -> { }).get(PROBE_TIMEOUT))
                .orElse(config.probeTimeout());
    }

    /** Releases what the probes hold of every candidate that was not opened (an opened one is not affected). */
    void discardUnopened() {
        for (Entry e : entries.values()) {
            if (e.candidate() != null) e.candidate().discard();
        }
    }

    /**
     * One probe on its own daemon thread, bounded by one limit: {@code timeout} from the moment the
     * provider starts asking its backend ({@link BackendConfig#startProbeClock()}, else from the call),
     * and {@link #SETUP_LIMIT} for getting that far. A probe that does not answer within it, or throws,
     * is indeterminate: it proves nothing about the backend.
     */
    private static final class Probe {
        private final CredentialStoreProvider provider;
        private final Duration timeout;
        private final CompletableFuture<Candidate> result = new CompletableFuture<>();
        private volatile long calledAt;
        private volatile long askedAt;
        private volatile long endedAt;
        private volatile Availability failure;

        Probe(CredentialStoreProvider provider, Duration timeout) {
            this.provider = provider;
            this.timeout = timeout;
        }

        void asked() {
            if (askedAt == 0) askedAt = System.nanoTime();
        }

        Probe start(BackendConfig bc) {
            calledAt = System.nanoTime();
            Thread t = new Thread(() -> {
                try {
                    Candidate c = provider.probe(bc);
                    result.complete(c != null ? c : Candidate.without(Availability.indeterminate("probe returned nothing"), provider.capabilities()));
                } catch (ConfigurationException e) {
                    result.completeExceptionally(e); // a configuration mistake fails open(), it is no answer about the backend
                } catch (Throwable e) {
                    result.complete(Candidate.without(Availability.indeterminate("probe failed: " + oneLine(e)), provider.capabilities()));
                } finally {
                    endedAt = System.nanoTime();
                }
            }, "keyring4j-probe-" + provider.id());
            t.setDaemon(true); // a stuck probe must not keep the JVM alive
            t.start();
            return this;
        }

        /** The candidate, or null when the probe was given up (then {@link #failure()} says why). */
        Candidate await() {
            try {
                while (true) {
                    long asked = askedAt;
                    long deadline = asked != 0 ? asked + timeout.toNanos() : calledAt + Math.max(timeout.toNanos(), SETUP_LIMIT.toNanos());
                    long wait = deadline - System.nanoTime();
                    if (wait <= 0) break;
                    try {
                        return result.get(asked != 0 ? wait : Math.min(wait, TimeUnit.MILLISECONDS.toNanos(50)), TimeUnit.NANOSECONDS);
                    } catch (TimeoutException again) {
                        // the clock may have started meanwhile: recompute the deadline
                    }
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                failure = Availability.indeterminate("interrupted while probing");
                return null;
            } catch (ExecutionException e) {
                if (e.getCause() instanceof ConfigurationException mistake) throw mistake;
                failure = Availability.indeterminate("probe failed: " + oneLine(e.getCause()));
                return null;
            }
            Candidate late = result.getNow(null);
            if (late != null) return late;
            result.thenAccept(Candidate::discard); // an answer that comes after we gave up releases what it holds
            failure = Availability.indeterminate(askedAt != 0
                    ? "no answer within " + timeout.toMillis() + " ms of being asked (" + provider.id() + ".probe-timeout); it may still hold credentials"
                    : "its probe did not start asking within " + SETUP_LIMIT.toSeconds() + " s; it may still hold credentials");
            return null;
        }

        Availability failure() {
            return failure;
        }

        Duration took() {
            long end = endedAt != 0 ? endedAt : System.nanoTime();
            return Duration.ofNanos(Math.max(0, end - calledAt));
        }
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

    /**
     * A key the message may quote: one that reads like a typo of a real key. Anything else is
     * described, not shown, because a configuration variable that names the wrong file (a token
     * file, a key file) would otherwise print that file's first line in an error.
     */
    static String shownKey(String key, Map<String, CredentialStoreProvider> byId) {
        boolean keyShaped = key.matches("[a-z][a-z0-9-]{0,31}(\\.[a-z0-9<>_.-]{1,64})?");
        String first = key.contains(".") ? key.substring(0, key.indexOf('.')) : key;
        boolean typo = byId.containsKey(first) || key.contains(".") || editDistance(key, Settings.BACKEND) <= 2;
        if (keyShaped && typo) return "'" + key + "'";
        return "of " + key.length() + " characters (not shown: it does not look like a keyring4j key;"
                + " is this file a keyring4j configuration?)";
    }

    /** A backend id the message may quote: one shaped like an id (a token or key never is: it has capitals or is long). */
    static String shownId(String id) {
        return id.matches("[a-z][a-z0-9-]{0,31}") ? "'" + id + "'"
                : "of " + id.length() + " characters (not shown: it does not look like a backend id; is this file a keyring4j configuration?)";
    }

    private static int editDistance(String a, String b) {
        if (Math.abs(a.length() - b.length()) > 2) return 3;
        int[] prev = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) prev[j] = j;
        for (int i = 1; i <= a.length(); i++) {
            int[] cur = new int[b.length() + 1];
            cur[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int sub = prev[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1);
                cur[j] = Math.min(sub, Math.min(prev[j], cur[j - 1]) + 1);
            }
            prev = cur;
        }
        return prev[b.length()];
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
                throw new ConfigurationException("unknown configuration key " + shownKey(key, byId) + " (from " + e.getValue().source()
                        + "); keys are 'backend' or '<backend id>.<key>', backends here: " + byId.keySet());
            }
            String id = key.substring(0, dot);
            String sub = key.substring(dot + 1);
            CredentialStoreProvider p = byId.get(id);
            if (p == null) {
                throw new ConfigurationException("unknown backend " + shownId(id) + " in a configuration key (from "
                        + e.getValue().source() + "); backends discovered here: " + byId.keySet()
                        + "; add the backend's jar to the class path or remove the key");
            }
            Optional<Setting<?>> declared = declaration(p, sub);
            if (declared.isEmpty()) {
                Set<String> known = new java.util.TreeSet<>();
                BackendConfig.COMMON.forEach(c -> known.add(c.key()));
                p.settings().forEach(c -> known.add(c.key()));
                throw new ConfigurationException("unknown configuration key " + shownKey(key, byId) + " (from " + e.getValue().source()
                        + "); the " + id + " backend understands " + known);
            }
            // a malformed value fails here, before anything is probed
            BackendConfig one = BackendConfig.builder(id).set(sub, e.getValue().value(), e.getValue().source()).build();
            Setting<?> d = declared.get();
            if (d.isPattern()) {
                one.names(d).forEach(name -> one.find(d, name));
            } else {
                one.find(d);
            }
        }
    }

    /** The declaration of {@code key} (relative to the backend): a common one or the backend's own. */
    static Optional<Setting<?>> declaration(CredentialStoreProvider p, String key) {
        for (Setting<?> s : BackendConfig.COMMON) if (s.matches(key)) return Optional.of(s);
        for (Setting<?> s : p.settings()) if (s.matches(key)) return Optional.of(s);
        return Optional.empty();
    }

    private static BackendConfig sliceFor(String id, Settings settings, KeyringConfig config, Runnable probeClock) {
        BackendConfig.Builder b = BackendConfig.builder(id)
                .probeClock(probeClock)
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
                if (e.status().indeterminate()) {
                    throw new BackendUnavailableException("backend '" + id + "' named by " + spec.source()
                            + " did not give a definite answer: " + e.status().reason()
                            + "; retry, or raise the limit the reason names (" + id + ".probe-timeout unless it names another) if the machine is busy");
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
        // only a definite "unavailable" leaves a backend out: an indeterminate one stays, as a member that fails
        List<Entry> available = new ArrayList<>();
        for (Entry e : entries.values()) {
            if (e.usable() || (e.provider() != null && e.status().indeterminate())) available.add(e);
        }
        available.sort(Comparator.comparingInt((Entry e) -> e.status().priority()).reversed().thenComparing(Entry::id));
        if (available.stream().noneMatch(Entry::usable)) {
            StringBuilder why = new StringBuilder("no credential backend is available here");
            entries.values().forEach(e -> why.append("; ").append(e.id()).append(": ").append(e.status().reason()));
            if (entries.isEmpty()) why.append("; no backend jar is on the class path or module path");
            throw new BackendUnavailableException(why.toString());
        }
        boolean unsure = available.stream().anyMatch(e -> e.status().indeterminate());
        return new Selection(available, "auto-detected: every available backend, highest priority first"
                + (unsure ? "; a backend whose probe gave no definite answer stays in, failing every call, so that nothing is"
                        + " written past it or read from behind it" : ""));
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
