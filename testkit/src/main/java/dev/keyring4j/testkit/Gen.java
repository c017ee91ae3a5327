package dev.keyring4j.testkit;

import java.util.Objects;
import java.util.SplittableRandom;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.stream.Stream;

/**
 * A seeded generator of test values, with a way to propose smaller values when one fails.
 * See {@link Gens} for the ones keyring4j uses and {@link PropertyCheck} for running them.
 */
public interface Gen<T> {

    /** A value drawn from {@code random}; the same seed gives the same value. */
    T next(SplittableRandom random);

    /** Smaller candidates than {@code value}, most shrunk first; empty when it cannot shrink. */
    default Stream<T> shrink(T value) {
        return Stream.empty();
    }

    /** Values that satisfy {@code keep} (redraws; shrinks stay within it). */
    default Gen<T> filter(Predicate<T> keep) {
        Gen<T> self = this;
        return new Gen<>() {
            @Override
            public T next(SplittableRandom random) {
                for (int i = 0; i < 10_000; i++) {
                    T v = self.next(random);
                    if (keep.test(v)) return v;
                }
                throw new IllegalStateException("filter rejected 10000 values in a row");
            }

            @Override
            public Stream<T> shrink(T value) {
                return self.shrink(value).filter(keep);
            }
        };
    }

    /** A generator of {@code f(value)}; shrinks through {@code f} when given the inverse. */
    default <R> Gen<R> map(Function<T, R> f, Function<R, T> inverse) {
        Objects.requireNonNull(inverse);
        Gen<T> self = this;
        return new Gen<>() {
            @Override
            public R next(SplittableRandom random) {
                return f.apply(self.next(random));
            }

            @Override
            public Stream<R> shrink(R value) {
                return self.shrink(inverse.apply(value)).map(f);
            }
        };
    }
}
