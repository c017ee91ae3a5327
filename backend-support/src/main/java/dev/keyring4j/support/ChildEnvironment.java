package dev.keyring4j.support;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The one rule for which environment variables are keyring4j's own, and the environment a child
 * process (the command of {@code keyring4j exec}, a command backend's token command) gets without
 * them. Immutable.
 *
 * <p>What {@link #apply} guarantees: the result is the parent environment minus every variable whose
 * name starts with {@code KEYRING4J_} in any letter case ({@code KEYRING4J_PASSPHRASE},
 * {@code KEYRING4J_CONFIG}, the env backend's {@code KEYRING4J_<service>_<account>} secrets in
 * their UPPERCASE and lowercase spellings) and every variable under a prefix added with
 * {@link #alsoScrubbing}, except the variables named (exactly, case-sensitively) with
 * {@link #passing}. Nothing else is removed or changed. A caller sets the variables it injects on
 * top of the result.
 */
public final class ChildEnvironment {
    /** The prefix of every variable keyring4j reads (configuration, passphrase, env backend secrets). */
    public static final String OWN_PREFIX = "KEYRING4J_";
    private static final Pattern NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");

    private final List<String> prefixes; // upper case
    private final Set<String> passed;

    private ChildEnvironment(List<String> prefixes, Set<String> passed) {
        this.prefixes = prefixes;
        this.passed = passed;
    }

    /** Scrubs {@code KEYRING4J_*} (any case), passes nothing of it through. */
    public static ChildEnvironment standard() {
        return new ChildEnvironment(List.of(OWN_PREFIX), Set.of());
    }

    /**
     * Also scrubs every variable starting with {@code <prefix>_} in any letter case: for an env
     * backend configured with another {@code env.prefix}. {@code prefix} is spelled as the variable
     * names spell it (letters, digits, {@code _}).
     */
    public ChildEnvironment alsoScrubbing(String prefix) {
        if (!NAME.matcher(Objects.requireNonNull(prefix, "prefix")).matches()) {
            throw new IllegalArgumentException("not a variable-name prefix: " + prefix);
        }
        List<String> more = new ArrayList<>(prefixes);
        more.add(prefix.toUpperCase(Locale.ROOT) + "_");
        return new ChildEnvironment(List.copyOf(more), passed);
    }

    /**
     * Passes these variables through although they are keyring4j's own (when the parent has them).
     * Each must be a variable name ({@code [A-Za-z_][A-Za-z0-9_]*}); the match is exact.
     */
    public ChildEnvironment passing(Collection<String> names) {
        for (String n : names) {
            if (!isVariableName(n)) throw new IllegalArgumentException("not a variable name: " + n);
        }
        Set<String> more = new HashSet<>(passed);
        more.addAll(names);
        return new ChildEnvironment(prefixes, Set.copyOf(more));
    }

    /** Whether {@code name} is a well-formed environment variable name ({@code [A-Za-z_][A-Za-z0-9_]*}). */
    public static boolean isVariableName(String name) {
        return name != null && NAME.matcher(name).matches();
    }

    /** Whether {@code name} is one of keyring4j's own variables under this rule (regardless of {@link #passing}). */
    public boolean isOwn(String name) {
        String upper = name.toUpperCase(Locale.ROOT);
        for (String p : prefixes) {
            if (upper.startsWith(p)) return true;
        }
        return false;
    }

    /** The environment for a child: {@code parent} minus keyring4j's own variables, except those passed by name. */
    public Map<String, String> apply(Map<String, String> parent) {
        Map<String, String> out = new LinkedHashMap<>();
        parent.forEach((k, v) -> {
            if (!isOwn(k) || passed.contains(k)) out.put(k, v);
        });
        return out;
    }

    @Override
    public String toString() {
        return "ChildEnvironment[scrubs=" + prefixes + "*, passes=" + passed + "]";
    }
}
