package dev.keyring4j.cli;

import dev.keyring4j.BackendStatus;
import dev.keyring4j.Capabilities;
import dev.keyring4j.CredentialId;
import dev.keyring4j.Diagnosis;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The shapes of the command's {@code --json} output, once, so {@code list}, {@code find}, {@code backends} and
 * {@code diagnose} describe a backend or an id the same way. The schema is documented in docs/cli.md and
 * is stable: fields are added, never renamed or removed.
 */
final class JsonOutput {
    private JsonOutput() {
    }

    /** An object of these key/value pairs, in this order. */
    static Map<String, Object> object(Object... kv) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) m.put((String) kv[i], kv[i + 1]);
        return m;
    }

    static Map<String, Object> id(CredentialId id) {
        return object("service", id.service(), "account", id.account());
    }

    /** Capability flags as lower-case words: writable, persistent, encrypted-at-rest, expiry, listable (and any added later). */
    static List<Object> capabilities(Capabilities c) {
        List<Object> out = new ArrayList<>();
        c.flags().forEach(f -> out.add(f.name().toLowerCase(Locale.ROOT).replace('_', '-')));
        return out;
    }

    static List<Object> backends(List<BackendStatus> all) {
        List<Object> out = new ArrayList<>();
        for (BackendStatus s : all) {
            out.add(object("id", s.id(), "state", s.state(), "available", s.available(),
                    "priority", s.available() ? s.priority() : null,
                    "probeMillis", s.probeTime().isZero() ? null : s.probeTime().toMillis(),
                    "capabilities", capabilities(s.capabilities()), "reason", s.reason()));
        }
        return out;
    }

    static Map<String, Object> diagnosis(Diagnosis d) {
        List<Object> settings = new ArrayList<>();
        d.settings().forEach(s -> settings.add(object("key", s.key(), "value", s.value(), "source", s.source())));
        Diagnosis.Selection sel = d.selection();
        Object open = sel == null ? null : object("store", sel.store(), "because", sel.because(), "reads", List.copyOf(sel.members()),
                "writesWithoutTtl", sel.writesWithoutTtl(), "persistentWrites", sel.persistentWrites(), "writesWithTtl", sel.writesWithTtl());
        List<Object> watching = new ArrayList<>();
        d.watching().forEach(w -> watching.add(object("backend", w.backend(), "watchable", w.watchable(), "how", w.how())));
        return object("configurationError", d.configurationError(), "sources", List.copyOf(d.sources()), "settings", settings,
                "backends", backends(d.backends()), "watching", watching, "open", open, "openFailure", d.openFailure());
    }
}
