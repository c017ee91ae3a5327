package dev.keyring4j;

import java.util.ArrayList;
import java.util.List;

/**
 * The entry point: open the configured or auto-detected credential store, and find out which
 * backends exist here and why one was chosen.
 *
 * <pre>{@code
 * try (CredentialStore store = Keyring.open()) {
 *     store.set("github.com", "alice", Secret.of(token));
 *     Optional<Secret> s = store.get("github.com", "alice");
 * }
 * }</pre>
 *
 * <p>Backends are discovered with {@link java.util.ServiceLoader} (class path and module path),
 * configured by the layers described in {@link KeyringConfig}, and probed without prompting or
 * writing. A configured backend that is unknown or unavailable fails fast with the reason and the
 * source of the setting: nothing ever falls back silently to a weaker store.
 */
public final class Keyring {
    private Keyring() {
    }

    /** The store that configuration names, or else every available backend as a chain in priority order. */
    public static CredentialStore open() {
        return open(KeyringConfig.defaults());
    }

    /** The store named by {@code spec}: a backend id ({@code "kernel"}) or a comma list forming a chain. */
    public static CredentialStore open(String spec) {
        return open(KeyringConfig.builder().backend(spec).backendSource("Keyring.open(\"" + spec + "\")").build());
    }

    /** The store this configuration selects. */
    public static CredentialStore open(KeyringConfig config) {
        Backends backends = Backends.discover(config, false);
        List<CredentialStore> opened = new ArrayList<>();
        try {
            for (Backends.Entry e : backends.select().entries()) {
                // each store is built from what its probe found: nothing is parsed, probed or connected twice
                opened.add(e.status().available() ? e.candidate().open()
                        : new IndeterminateStore(e.id(), e.status().capabilities(), e.status().reason()));
            }
        } catch (RuntimeException e) {
            opened.forEach(CredentialStore::close);
            throw e;
        } finally {
            backends.discardUnopened();
        }
        return InstrumentedStore.wrap(opened.size() == 1 ? opened.get(0) : new ChainStore(opened));
    }

    /**
     * A chain of already opened stores, in the order given (see DESIGN.md, "The chain"). Closing
     * the chain closes the members.
     */
    public static CredentialStore chain(CredentialStore... members) {
        return InstrumentedStore.wrap(new ChainStore(List.of(members)));
    }

    /**
     * The current value of {@code (service, account)} in {@code store}: cached, and refreshed when
     * the store reports a change or a {@code RESYNC} (see {@link CredentialStore#watch}); on a store
     * that cannot watch, read from the store on every {@link CurrentSecret#get()}. Close it when
     * done; closing does not close the store.
     *
     * <pre>{@code
     * CurrentSecret password = Keyring.current(store, "db.example.com", "app");
     * dataSource.setPassword(password.get().asString()); // always the rotated value
     * }</pre>
     */
    public static CurrentSecret current(CredentialStore store, String service, String account) {
        return new CurrentSecret(store, service, account);
    }

    /**
     * Registers a listener that is told about every operation on every store this class returns
     * (backend id, operation, outcome, duration; never a name or a secret). For metrics code.
     * Every store operation is also recorded as the JFR event {@code dev.keyring4j.Operation}.
     */
    public static void addListener(KeyringListener listener) {
        InstrumentedStore.LISTENERS.add(java.util.Objects.requireNonNull(listener, "listener"));
    }

    /** Unregisters a listener added with {@link #addListener}; true if it was registered. */
    public static boolean removeListener(KeyringListener listener) {
        return InstrumentedStore.LISTENERS.remove(listener);
    }

    /** Every discovered backend with its priority, availability, reason and capabilities, available ones first. */
    public static List<BackendStatus> backends() {
        return backends(KeyringConfig.defaults());
    }

    /** As {@link #backends()}, under this configuration. */
    public static List<BackendStatus> backends(KeyringConfig config) {
        Backends b = Backends.discover(config);
        b.discardUnopened();
        return b.statuses();
    }

    /** A human-readable report: configuration sources, every backend, and what {@link #open()} would return and why. */
    public static String diagnose() {
        return diagnose(KeyringConfig.defaults());
    }

    /**
     * The configuration reference in Markdown: every key of every discovered backend with its type,
     * default and description, as the backends declare them ({@code docs/configuration.md} is this text).
     */
    public static String configurationReference() {
        return ConfigurationReference.markdown();
    }

    /** As {@link #diagnose()}, under this configuration. Never throws for a configuration problem: it reports it. */
    public static String diagnose(KeyringConfig config) {
        return diagnosis(config).report();
    }

    /**
     * What {@link #diagnose(KeyringConfig)} reports, as data (for the command's {@code diagnose --json}). Never
     * throws for a configuration problem: {@link Diagnosis#configurationError()} or {@link Diagnosis#openFailure()} holds it.
     */
    public static Diagnosis diagnosis(KeyringConfig config) {
        Backends backends;
        try {
            backends = Backends.discover(config);
        } catch (KeyringException e) {
            return new Diagnosis(e.getMessage(), List.of(), List.of(), List.of(), List.of(), null, null);
        }
        backends.discardUnopened();
        List<Diagnosis.SettingInEffect> settings = new ArrayList<>();
        backends.settings.all().forEach((k, v) -> settings.add(new Diagnosis.SettingInEffect(k, displayValue(backends, k, v.value()), v.source())));
        List<BackendStatus> statuses = backends.statuses();
        List<Diagnosis.Watching> watching = new ArrayList<>();
        for (Backends.Entry e : backends.entries.values()) {
            if (e.provider() == null) continue;
            watching.add(new Diagnosis.Watching(e.id(), e.status().capabilities().watchable(),
                    e.candidate() != null ? e.candidate().watchMechanism() : ""));
        }
        try {
            Backends.Selection sel = backends.select();
            List<String> ids = new ArrayList<>();
            List<Capabilities> caps = new ArrayList<>();
            sel.entries().forEach(e -> {
                ids.add(e.id() + (e.status().indeterminate() ? " (indeterminate: fails every call)" : ""));
                caps.add(e.status().capabilities());
            });
            Routing routing = Routing.of(caps); // the rule the chain itself follows
            int p = routing.persistentTarget();
            int x = routing.expiryTarget();
            Diagnosis.Selection selection = new Diagnosis.Selection(sel.describe(), sel.why(), ids, p < 0 ? null : ids.get(p),
                    p >= 0 && caps.get(p).persistent(), x < 0 ? null : ids.get(x));
            return new Diagnosis(null, backends.settings.consulted(), settings, statuses, watching, selection, null);
        } catch (KeyringException e) {
            return new Diagnosis(null, backends.settings.consulted(), settings, statuses, watching, null, e.getMessage());
        }
    }

    /** A setting's value as its declaration shows it ({@link dev.keyring4j.spi.Setting#display}): masked where it may carry a secret. */
    private static String displayValue(Backends backends, String key, String value) {
        int dot = key.indexOf('.');
        Backends.Entry e = dot < 0 ? null : backends.entries.get(key.substring(0, dot));
        if (e == null || e.provider() == null) return value;
        return Backends.declaration(e.provider(), key.substring(dot + 1)).map(d -> d.display(value)).orElse("[not shown]");
    }
}
