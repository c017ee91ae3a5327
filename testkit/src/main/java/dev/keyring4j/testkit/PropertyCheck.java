package dev.keyring4j.testkit;

import java.util.Iterator;
import java.util.SplittableRandom;
import org.opentest4j.AssertionFailedError;

/**
 * A small property runner (the project does not use jqwik): draws {@code tries} values from a
 * seeded {@link Gen}, runs the property on each, and on a failure shrinks to the smallest failing
 * value it can find and fails with the seed, so the run can be repeated exactly with
 * {@code -Dkeyring4jtest.seed=<seed>}. {@code -Dkeyring4jtest.tries=<n>} changes the number of tries
 * (default 200).
 */
public final class PropertyCheck {
    /** What a property does with one value; throwing (an assertion, anything) means it fails. */
    @FunctionalInterface
    public interface Property<T> {
        void check(T value) throws Exception;
    }

    private static final int DEFAULT_TRIES = 200;
    private static final int MAX_SHRINK_STEPS = 500;

    private PropertyCheck() {
    }

    /** Runs {@code property} on {@code tries()} values of {@code gen}. */
    public static <T> void forAll(String name, Gen<T> gen, Property<T> property) {
        forAll(name, tries(DEFAULT_TRIES), gen, property);
    }

    /** Runs {@code property} on {@code tries} values of {@code gen} (overridden by {@code -Dkeyring4jtest.tries}). */
    public static <T> void forAll(String name, int tries, Gen<T> gen, Property<T> property) {
        long seed = seed();
        int n = tries(tries);
        SplittableRandom random = new SplittableRandom(seed);
        for (int i = 0; i < n; i++) {
            T value = gen.next(random);
            Throwable failure = run(property, value);
            if (failure != null) {
                Shrunk<T> smallest = shrink(gen, property, value, failure);
                throw new AssertionFailedError("property '" + name + "' failed on try " + (i + 1) + " of " + n
                        + " with seed " + seed + " (rerun: -Dkeyring4jtest.seed=" + seed + ")\n"
                        + "  smallest failing input (after " + smallest.steps + " shrink steps): " + describe(smallest.value) + "\n"
                        + "  original failing input: " + describe(value) + "\n"
                        + "  failure: " + smallest.failure, smallest.failure);
            }
        }
    }

    private record Shrunk<T>(T value, Throwable failure, int steps) {
    }

    private static <T> Shrunk<T> shrink(Gen<T> gen, Property<T> property, T value, Throwable failure) {
        T current = value;
        Throwable currentFailure = failure;
        int steps = 0;
        boolean progress = true;
        while (progress && steps < MAX_SHRINK_STEPS) {
            progress = false;
            Iterator<T> candidates = gen.shrink(current).iterator();
            while (candidates.hasNext() && steps < MAX_SHRINK_STEPS) {
                T c = candidates.next();
                steps++;
                Throwable f = run(property, c);
                if (f != null) {
                    current = c;
                    currentFailure = f;
                    progress = true;
                    break;
                }
            }
        }
        return new Shrunk<>(current, currentFailure, steps);
    }

    private static <T> Throwable run(Property<T> property, T value) {
        try {
            property.check(value);
            return null;
        } catch (Throwable t) {
            if (t instanceof VirtualMachineError) throw (VirtualMachineError) t;
            return t;
        }
    }

    /** The seed: {@code -Dkeyring4jtest.seed}, else a fresh random one (printed on failure). */
    public static long seed() {
        String s = System.getProperty("keyring4jtest.seed", "");
        if (!s.isBlank()) {
            try {
                return Long.parseLong(s.trim());
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("-Dkeyring4jtest.seed must be a long, got " + s);
            }
        }
        return new SplittableRandom().nextLong();
    }

    /** {@code -Dkeyring4jtest.tries}, else {@code fallback}. */
    public static int tries(int fallback) {
        String s = System.getProperty("keyring4jtest.tries", "");
        if (s.isBlank()) return fallback;
        return Integer.parseInt(s.trim());
    }

    /** Shows a value so that invisible and non-ASCII characters are visible (escapes beyond printable ASCII). */
    static String describe(Object value) {
        if (value instanceof byte[] b) return "byte[" + b.length + "]";
        if (value instanceof String s) return quote(s);
        if (value instanceof java.util.Map.Entry<?, ?> e) return describe(e.getKey()) + " = " + describe(e.getValue());
        if (value instanceof dev.keyring4j.CredentialId id) return "(" + quote(id.service()) + ", " + quote(id.account()) + ")";
        if (value instanceof Iterable<?> it) {
            StringBuilder b = new StringBuilder("[");
            for (Object o : it) b.append(b.length() > 1 ? ", " : "").append(describe(o));
            return b.append(']').toString();
        }
        return String.valueOf(value);
    }

    private static String quote(String s) {
        StringBuilder b = new StringBuilder("\"");
        s.codePoints().forEach(cp -> {
            if (cp >= 0x20 && cp < 0x7f) b.appendCodePoint(cp);
            else b.append(String.format("\\u{%X}", cp));
        });
        return b.append('"').toString();
    }
}
