package dev.keyring4j;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

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
        Backends.Selection selection = Backends.discover(config, false).select();
        List<CredentialStore> opened = new ArrayList<>();
        try {
            for (Backends.Entry e : selection.entries()) {
                opened.add(e.provider().open(e.config()));
            }
        } catch (RuntimeException e) {
            opened.forEach(CredentialStore::close);
            throw e;
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
        return Backends.discover(config).statuses();
    }

    /** A human-readable report: configuration sources, every backend, and what {@link #open()} would return and why. */
    public static String diagnose() {
        return diagnose(KeyringConfig.defaults());
    }

    /** As {@link #diagnose()}, under this configuration. Never throws for a configuration problem: it reports it. */
    public static String diagnose(KeyringConfig config) {
        StringBuilder out = new StringBuilder("keyring4j diagnose\n\n");
        Backends backends;
        try {
            backends = Backends.discover(config);
        } catch (KeyringException e) {
            return out.append("Configuration error: ").append(e.getMessage()).append('\n').toString();
        }
        out.append("Configuration sources (highest precedence first):\n");
        backends.settings.consulted().forEach(s -> out.append("  ").append(s).append('\n'));
        out.append("\nSettings in effect:\n");
        if (backends.settings.all().isEmpty()) out.append("  none (auto-detection)\n");
        backends.settings.all().forEach((k, v) ->
                out.append("  ").append(k).append(" = ").append(displayValue(backends, k, v.value())).append("   (from ").append(v.source()).append(")\n"));
        out.append("\nBackends (discovered through ServiceLoader):\n");
        out.append(String.format(Locale.ROOT, "  %-16s %8s  %-9s  %-44s %s%n", "id", "priority", "available", "capabilities", "reason"));
        for (BackendStatus s : backends.statuses()) {
            out.append(String.format(Locale.ROOT, "  %-16s %8s  %-9s  %-44s %s%n", s.id(),
                    s.available() ? Integer.toString(s.priority()) : "-", s.available() ? "yes" : "no",
                    s.capabilities().describe(), s.reason()));
        }
        out.append('\n');
        try {
            Backends.Selection sel = backends.select();
            out.append("Keyring.open() returns: ").append(sel.describe()).append('\n');
            out.append("  because ").append(sel.why()).append('\n');
            ChainPlan plan = new ChainPlan(sel);
            out.append("  writes without a ttl go to: ").append(plan.persistentTarget).append('\n');
            out.append("  writes with a ttl go to: ").append(plan.expiryTarget).append('\n');
            out.append("  reads try, in order: ").append(plan.readOrder).append('\n');
        } catch (KeyringException e) {
            out.append("Keyring.open() fails: ").append(e.getMessage()).append('\n');
        }
        return out.toString();
    }

    /** A setting's value as its backend wants it shown ({@link dev.keyring4j.spi.CredentialStoreProvider#displayValue}). */
    private static String displayValue(Backends backends, String key, String value) {
        int dot = key.indexOf('.');
        Backends.Entry e = dot < 0 ? null : backends.entries.get(key.substring(0, dot));
        if (e == null || e.provider() == null) return value;
        try {
            String shown = e.provider().displayValue(key.substring(dot + 1), value);
            return shown != null ? shown : "[not shown]";
        } catch (RuntimeException failed) {
            return "[not shown]"; // the backend meant to mask it and could not: show nothing rather than the secret
        }
    }

    /** Where a chain over the selection would send writes, computed from capabilities without opening anything. */
    private static final class ChainPlan {
        final String persistentTarget;
        final String expiryTarget;
        final String readOrder;

        ChainPlan(Backends.Selection sel) {
            String persistent = null;
            String anyWritable = null;
            String expiry = null;
            List<String> order = new ArrayList<>();
            for (Backends.Entry e : sel.entries()) {
                Capabilities c = e.status().capabilities();
                order.add(e.id());
                if (c.writable() && c.persistent() && persistent == null) persistent = e.id();
                if (c.writable() && anyWritable == null) anyWritable = e.id();
                if (c.writable() && c.expiry() && expiry == null) expiry = e.id();
            }
            this.persistentTarget = persistent != null ? persistent
                    : anyWritable != null ? anyWritable + " (WARNING: not persistent, lost at reboot)"
                    : "nowhere (every selected backend is read-only)";
            this.expiryTarget = expiry != null ? expiry : "nowhere (no selected backend can expire credentials)";
            this.readOrder = String.join(" -> ", order);
        }
    }
}
