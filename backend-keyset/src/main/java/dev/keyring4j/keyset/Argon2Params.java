package dev.keyring4j.keyset;

/**
 * Argon2id cost parameters. The default is OWASP's current recommendation (m=19 MiB, t=2, p=1);
 * anything weaker than OWASP's table of equivalent settings is refused, and absurdly large values
 * read from a file are refused too, so a crafted file cannot make opening it exhaust memory.
 */
public record Argon2Params(int memoryKib, int iterations, int parallelism) {
    /** OWASP's recommendation. */
    public static final Argon2Params DEFAULT = new Argon2Params(19 * 1024, 2, 1);

    // OWASP's weakest equivalent row is m=7 MiB, t=5; every row has m*t >= 35840 KiB
    static final int MIN_MEMORY_KIB = 7 * 1024;
    static final long MIN_MEMORY_TIMES_ITERATIONS = 35_840L;
    static final int MAX_MEMORY_KIB = 1024 * 1024; // 1 GiB: a crafted file must not exhaust memory
    static final int MAX_ITERATIONS = 64;
    static final int MAX_PARALLELISM = 16;

    /** Why these parameters are refused, or null when they are acceptable. */
    public String weakness() {
        if (memoryKib < MIN_MEMORY_KIB) return "Argon2id memory " + memoryKib + " KiB is below the minimum " + MIN_MEMORY_KIB + " KiB";
        if (memoryKib > MAX_MEMORY_KIB) return "Argon2id memory " + memoryKib + " KiB is above the maximum " + MAX_MEMORY_KIB + " KiB";
        if (iterations < 1 || iterations > MAX_ITERATIONS) return "Argon2id iterations must be 1.." + MAX_ITERATIONS;
        if (parallelism < 1 || parallelism > MAX_PARALLELISM) return "Argon2id parallelism must be 1.." + MAX_PARALLELISM;
        if ((long) memoryKib * iterations < MIN_MEMORY_TIMES_ITERATIONS) {
            return "Argon2id memory x iterations below OWASP's minimum (e.g. 19456 KiB x 2, or 47104 KiB x 1)";
        }
        if (memoryKib < 8 * parallelism) return "Argon2id memory must be at least 8 KiB per lane";
        return null;
    }
}
