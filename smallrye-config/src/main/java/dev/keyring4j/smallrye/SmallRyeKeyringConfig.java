package dev.keyring4j.smallrye;

import dev.keyring4j.KeyringConfig;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.Optional;
import java.util.TreeSet;
import java.util.function.Function;
import org.eclipse.microprofile.config.Config;

/**
 * Which store the SmallRye adapters open: the keyring4j configuration an application's own
 * configuration gives, on top of keyring4j's usual layers.
 *
 * <p>Read from the application's configuration (so {@code application.properties}, profiles such as
 * {@code %test.}, system properties and, for the first two keys, environment variables all work):
 * <ul>
 *   <li>{@code keyring4j.backend}: a backend id or chain ({@code KEYRING4J_BACKEND} in the environment);</li>
 *   <li>{@code keyring4j.config}: a keyring4j properties file ({@code KEYRING4J_CONFIG});</li>
 *   <li>{@code keyring4j.<id>.<key>}: any backend setting, e.g. {@code keyring4j.kernel.namespace}.</li>
 * </ul>
 * They become the programmatic layer of {@link KeyringConfig}, the highest. With none of them
 * the store is exactly what {@code Keyring.open()} gives (keyring4j's system properties, environment and
 * files, else auto-detection). An unknown key or backend fails when the store is opened, with
 * keyring4j's {@code ConfigurationException} naming it.
 */
public final class SmallRyeKeyringConfig {
    static final String PREFIX = "keyring4j.";
    static final String BACKEND = PREFIX + "backend";
    static final String CONFIG = PREFIX + "config";

    private SmallRyeKeyringConfig() {
    }

    /** The keyring4j configuration {@code config} gives. */
    public static KeyringConfig of(Config config) {
        return of(config.getPropertyNames().iterator(), name -> config.getOptionalValue(name, String.class));
    }

    /**
     * From the property names of every source and a lookup that resolves a name as the configuration
     * does (active profile, precedence); names in a profile ({@code %test.keyring4j.…}) count under
     * their plain name, which the lookup resolves for the active profile.
     */
    static KeyringConfig of(Iterator<String> names, Function<String, Optional<String>> value) {
        KeyringConfig.Builder b = KeyringConfig.builder();
        value.apply(BACKEND).filter(v -> !v.isBlank()).ifPresent(b::backend);
        value.apply(CONFIG).filter(v -> !v.isBlank()).ifPresent(v -> b.configFile(Path.of(v)));
        TreeSet<String> settings = new TreeSet<>(); // sorted: the first unknown key reported is the same every run
        while (names.hasNext()) {
            String name = names.next();
            if (name.startsWith("%")) name = name.substring(name.indexOf('.') + 1);
            if (name.startsWith(PREFIX) && !name.equals(BACKEND) && !name.equals(CONFIG)) settings.add(name);
        }
        for (String name : settings) value.apply(name).ifPresent(v -> b.set(name.substring(PREFIX.length()), v));
        return b.build();
    }
}
