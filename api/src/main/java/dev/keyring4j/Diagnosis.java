package dev.keyring4j;

import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * What {@link Keyring#diagnose(KeyringConfig)} reports, as data: the configuration sources consulted, the
 * settings in effect (values masked as their declarations say), every discovered backend, and what
 * {@link Keyring#open(KeyringConfig)} returns and how the store it returns routes writes and reads.
 * It never holds a secret: settings that may carry one are shown as their declaration displays them.
 *
 * @param configurationError the configuration mistake that stopped discovery (then every other part is empty), or null
 * @param sources            every configuration source consulted, highest precedence first, with what it said
 * @param settings           every setting in effect, in key order
 * @param backends           every discovered backend, available ones first
 * @param watching           for every discovered backend, whether and how {@link CredentialStore#watch} learns of changes
 * @param selection          what {@code open()} returns, or null when it fails ({@code openFailure} says why)
 * @param openFailure        why {@code open()} fails under this configuration, or null
 */
public record Diagnosis(String configurationError, List<String> sources, List<SettingInEffect> settings,
                        List<BackendStatus> backends, List<Watching> watching, Selection selection, String openFailure) {

    /** Copies the lists. */
    public Diagnosis {
        sources = List.copyOf(sources);
        settings = List.copyOf(settings);
        backends = List.copyOf(backends);
        watching = List.copyOf(watching);
    }

    /**
     * Whether a backend's {@link CredentialStore#watch} works, and how it learns of changes.
     *
     * @param backend   the backend id
     * @param watchable whether {@code watch} reports changes (otherwise it throws {@link UnsupportedOperationException})
     * @param how       how changes are learnt of, e.g. {@code polls every 5 s}; empty when not watchable, when the
     *                  backend is not available here (its probe found nothing to watch), or not said
     */
    public record Watching(String backend, boolean watchable, String how) {
        /** Checks the parts are present. */
        public Watching {
            Objects.requireNonNull(backend, "backend");
            Objects.requireNonNull(how, "how");
        }
    }

    /**
     * One setting and where it came from.
     *
     * @param key    {@code backend} or {@code <id>.<key>}
     * @param value  the value as its declaration displays it ({@code [not shown]} where it may carry a secret)
     * @param source the configuration source that set it
     */
    public record SettingInEffect(String key, String value, String source) {
        /** Checks the parts are present. */
        public SettingInEffect {
            Objects.requireNonNull(key, "key");
            Objects.requireNonNull(value, "value");
            Objects.requireNonNull(source, "source");
        }
    }

    /**
     * What {@code open()} returns and the plan its store follows.
     *
     * @param store            the store's id: one backend id, or {@code chain[a,b,…]}
     * @param because          why these backends were chosen
     * @param members          the member ids in read order; an indeterminate member is marked so
     * @param writesWithoutTtl where a write without a ttl goes, or null when nowhere (every member is read-only)
     * @param persistentWrites whether that target survives a reboot
     * @param writesWithTtl    where a write with a ttl goes, or null when no member can expire credentials
     */
    public record Selection(String store, String because, List<String> members, String writesWithoutTtl, boolean persistentWrites,
                            String writesWithTtl) {
        /** Copies the list. */
        public Selection {
            members = List.copyOf(members);
        }
    }

    /** Whether {@code open()} fails under this configuration (a configuration mistake, or no usable backend). */
    public boolean openFails() {
        return configurationError != null || openFailure != null;
    }

    /** The human-readable report {@link Keyring#diagnose(KeyringConfig)} returns. */
    public String report() {
        StringBuilder out = new StringBuilder("keyring4j diagnose\n\n");
        if (configurationError != null) return out.append("Configuration error: ").append(configurationError).append('\n').toString();
        out.append("Configuration sources (highest precedence first):\n");
        sources.forEach(s -> out.append("  ").append(s).append('\n'));
        out.append("\nSettings in effect:\n");
        if (settings.isEmpty()) out.append("  none (auto-detection)\n");
        settings.forEach(s -> out.append("  ").append(s.key()).append(" = ").append(s.value()).append("   (from ").append(s.source()).append(")\n"));
        out.append("\nBackends (discovered through ServiceLoader):\n");
        String row = "  %-16s %8s  %-13s %7s  %-44s %s%n";
        out.append(String.format(Locale.ROOT, row, "id", "priority", "state", "probe", "capabilities", "reason"));
        for (BackendStatus s : backends) {
            out.append(String.format(Locale.ROOT, row, s.id(), s.available() ? Integer.toString(s.priority()) : "-", s.state(),
                    s.probeTime().isZero() ? "-" : s.probeTime().toMillis() + " ms", s.capabilities().describe(), s.reason()));
        }
        out.append("\nWatching (CredentialStore.watch, docs/watch.md):\n");
        for (Watching w : watching) {
            out.append("  ").append(String.format(Locale.ROOT, "%-16s ", w.backend()))
                    .append(!w.watchable() ? "not watchable" : w.how().isEmpty() ? "watchable" : w.how()).append('\n');
        }
        out.append('\n');
        if (selection == null) return out.append("Keyring.open() fails: ").append(openFailure).append('\n').toString();
        out.append("Keyring.open() returns: ").append(selection.store()).append('\n');
        out.append("  because ").append(selection.because()).append('\n');
        out.append("  writes without a ttl go to: ").append(selection.writesWithoutTtl() == null ? "nowhere (every selected backend is read-only)"
                : selection.writesWithoutTtl() + (selection.persistentWrites() ? "" : " (WARNING: not persistent, lost at reboot)")).append('\n');
        out.append("  writes with a ttl go to: ").append(selection.writesWithTtl() == null ? "nowhere (no selected backend can expire credentials)"
                : selection.writesWithTtl()).append('\n');
        out.append("  reads try, in order: ").append(String.join(" -> ", selection.members())).append('\n');
        return out.toString();
    }
}
