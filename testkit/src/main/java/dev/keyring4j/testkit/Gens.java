package dev.keyring4j.testkit;

import dev.keyring4j.CredentialId;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.BiFunction;
import java.util.stream.IntStream;
import java.util.stream.Stream;

/**
 * The generators the contract's properties use: names with Unicode (astral, combining, RTL),
 * separators ({@code : / _ @} and spaces) and case variants; secrets from empty to huge.
 */
public final class Gens {
    private Gens() {
    }

    private static final String[] FRAGMENTS = {
        "a", "B", "z", "0", "9", ":", "/", "_", "@", " ", ".", "-", "%", "+", "=",
        "é", "e\u0301", "ß", "Ω", "ж", "ש", "ם", "\u0627\u0644", "\u200F", "中", "日本",
        "😀", "𝄞", "👩\u200D💻", "\u0301", "\u05B7", "İ", "ı", "ǅ", "\uD83C\uDDFA\uD83C\uDDF3",
    };

    /**
     * A non-empty name of 1 to {@code maxChars} fragments. Includes astral, combining and RTL
     * characters, separators and case-only variants.
     */
    public static Gen<String> names(int maxFragments) {
        return new Gen<>() {
            @Override
            public String next(SplittableRandom r) {
                int n = 1 + r.nextInt(maxFragments);
                StringBuilder b = new StringBuilder();
                boolean ascii = r.nextInt(4) == 0; // a quarter plain ASCII, so case-variant collisions are likely
                for (int i = 0; i < n; i++) {
                    if (ascii) {
                        b.append((char) ((r.nextBoolean() ? 'a' : 'A') + r.nextInt(3)));
                    } else {
                        b.append(FRAGMENTS[r.nextInt(FRAGMENTS.length)]);
                    }
                }
                return b.toString();
            }

            @Override
            public Stream<String> shrink(String v) {
                return shrinkString(v).filter(s -> !s.isEmpty());
            }
        };
    }

    /** Names as {@link #names(int)} with at most 6 fragments. */
    public static Gen<String> names() {
        return names(6);
    }

    /** Ids built from {@link #names()}. */
    public static Gen<CredentialId> ids() {
        return pairs(names(), names(), CredentialId::new, id -> id.service(), id -> id.account());
    }

    /** Secrets of 0 to {@code maxBytes} bytes: mostly short, sometimes empty, sometimes the largest allowed. */
    public static Gen<byte[]> secrets(int maxBytes) {
        return new Gen<>() {
            @Override
            public byte[] next(SplittableRandom r) {
                int kind = r.nextInt(20);
                int len = kind == 0 ? 0 : kind == 1 ? maxBytes : kind == 2 ? r.nextInt(maxBytes + 1) : r.nextInt(Math.min(64, maxBytes) + 1);
                byte[] b = new byte[len];
                if (r.nextBoolean()) {
                    for (int i = 0; i < len; i++) b[i] = (byte) r.nextInt(256);
                } else {
                    for (int i = 0; i < len; i++) b[i] = (byte) (' ' + r.nextInt(95));
                }
                return b;
            }

            @Override
            public Stream<byte[]> shrink(byte[] v) {
                if (v.length == 0) return Stream.empty();
                return Stream.of(new byte[0], java.util.Arrays.copyOf(v, v.length / 2), java.util.Arrays.copyOf(v, v.length - 1))
                        .filter(s -> s.length < v.length);
            }
        };
    }

    /** Lists of 0 to {@code max} elements; shrinks by dropping halves, then single elements, then shrinking one. */
    public static <T> Gen<List<T>> lists(Gen<T> element, int max) {
        return new Gen<>() {
            @Override
            public List<T> next(SplittableRandom r) {
                int n = r.nextInt(max + 1);
                List<T> out = new ArrayList<>(n);
                for (int i = 0; i < n; i++) out.add(element.next(r));
                return out;
            }

            @Override
            public Stream<List<T>> shrink(List<T> v) {
                if (v.isEmpty()) return Stream.empty();
                Stream<List<T>> halves = Stream.of(v.subList(0, v.size() / 2), v.subList(v.size() / 2, v.size()))
                        .filter(h -> h.size() < v.size()).map(ArrayList::new);
                Stream<List<T>> drops = IntStream.range(0, v.size()).mapToObj(i -> {
                    List<T> c = new ArrayList<>(v);
                    c.remove(i);
                    return c;
                });
                Stream<List<T>> shrunkElements = IntStream.range(0, v.size()).boxed().flatMap(i ->
                        element.shrink(v.get(i)).limit(3).map(s -> {
                            List<T> c = new ArrayList<>(v);
                            c.set(i, s);
                            return c;
                        }));
                return Stream.concat(Stream.concat(halves, drops), shrunkElements);
            }
        };
    }

    /** Pairs of two independent values combined by {@code make}; shrinks each side. */
    public static <A, B, P> Gen<P> pairs(Gen<A> a, Gen<B> b, BiFunction<A, B, P> make,
                                         java.util.function.Function<P, A> first, java.util.function.Function<P, B> second) {
        return new Gen<>() {
            @Override
            public P next(SplittableRandom r) {
                return make.apply(a.next(r), b.next(r));
            }

            @Override
            public Stream<P> shrink(P v) {
                return Stream.concat(
                        a.shrink(first.apply(v)).map(x -> make.apply(x, second.apply(v))),
                        b.shrink(second.apply(v)).map(y -> make.apply(first.apply(v), y)));
            }
        };
    }

    /** One of the given values, uniformly. */
    @SafeVarargs
    public static <T> Gen<T> oneOf(T... values) {
        return r -> values[r.nextInt(values.length)];
    }

    /** Shorter strings: empty, halves, then each code point removed (never splitting a surrogate pair). */
    static Stream<String> shrinkString(String v) {
        int[] cps = v.codePoints().toArray();
        if (cps.length == 0) return Stream.empty();
        Stream<String> halves = Stream.of(new String(cps, 0, cps.length / 2), new String(cps, cps.length / 2, cps.length - cps.length / 2));
        Stream<String> drops = IntStream.range(0, cps.length).mapToObj(i -> {
            StringBuilder b = new StringBuilder();
            for (int j = 0; j < cps.length; j++) if (j != i) b.appendCodePoint(cps[j]);
            return b.toString();
        });
        return Stream.concat(halves, drops).filter(s -> s.length() < v.length()).distinct();
    }
}
