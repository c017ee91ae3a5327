package dev.keyring4j.spring;

import dev.keyring4j.ConfigurationException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import org.springframework.boot.context.config.ConfigDataResource;

/**
 * One parsed {@code keyring4j:SERVICE[?backend=ID][&config=PATH]} location: the service whose
 * accounts become properties, and the store to read them from. Two locations that name the same
 * service in the same store are the same resource, so Boot loads it once.
 */
final class KeyringConfigDataResource extends ConfigDataResource {
    static final String PREFIX = "keyring4j:";
    private static final String BACKEND = "backend";
    private static final String CONFIG = "config";

    private final String service;
    private final StoreSpec store;
    private final boolean optional;

    private KeyringConfigDataResource(String service, StoreSpec store, boolean optional) {
        super(optional);
        this.service = service;
        this.store = store;
        this.optional = optional;
    }

    /**
     * Parses a location that starts with {@code keyring4j:} ({@code optional:} already removed).
     * Every mistake is a {@link ConfigurationException} saying what to write instead; nothing is opened here.
     */
    static KeyringConfigDataResource parse(String location, boolean optional) {
        String rest = location.substring(PREFIX.length());
        int q = rest.indexOf('?');
        String service = q < 0 ? rest : rest.substring(0, q);
        if (service.isEmpty()) {
            throw new ConfigurationException("the location names no service; write keyring4j:SERVICE, e.g. keyring4j:myapp");
        }
        Map<String, String> params = new LinkedHashMap<>();
        if (q >= 0) {
            for (String pair : rest.substring(q + 1).split("&", -1)) {
                int eq = pair.indexOf('=');
                String key = eq < 0 ? pair : pair.substring(0, eq);
                if (!key.equals(BACKEND) && !key.equals(CONFIG)) {
                    throw new ConfigurationException("unknown parameter '" + key + "'; accepted: backend=ID (one backend id)"
                            + " and config=PATH (a keyring4j properties file), joined by &");
                }
                if (eq < 0 || eq == pair.length() - 1) {
                    throw new ConfigurationException("parameter '" + key + "' has no value; write "
                            + (key.equals(BACKEND) ? "backend=ID, e.g. backend=kernel" : "config=PATH"));
                }
                if (params.put(key, pair.substring(eq + 1)) != null) {
                    throw new ConfigurationException("parameter '" + key + "' is given twice");
                }
            }
        }
        String config = params.get(CONFIG);
        return new KeyringConfigDataResource(service, new StoreSpec(params.get(BACKEND), config == null ? null : Path.of(config)), optional);
    }

    String service() {
        return service;
    }

    StoreSpec store() {
        return store;
    }

    boolean optional() {
        return optional;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof KeyringConfigDataResource r && r.service.equals(service) && r.store.equals(store);
    }

    @Override
    public int hashCode() {
        return Objects.hash(service, store);
    }

    /** The location as written, without {@code optional:}; also the property source's name. Holds no secret. */
    @Override
    public String toString() {
        return PREFIX + service + store.query();
    }

    /** Which store to open: what {@code backend=} and {@code config=} said (null when not given). */
    record StoreSpec(String backend, Path config) {
        String query() {
            String q = (backend == null ? "" : "&backend=" + backend) + (config == null ? "" : "&config=" + config);
            return q.isEmpty() ? "" : "?" + q.substring(1);
        }
    }
}
