package dev.keyring4j.bench;

import dev.keyring4j.CredentialStore;
import dev.keyring4j.Keyring;
import java.util.Arrays;
import java.util.Locale;

/**
 * {@code Keyring.open()} as an application meets it, timed plainly (JMH would hide the figure that
 * matters most: the first call of a fresh JVM). Run in a fresh JVM, with every backend on the class
 * path (the CLI jar), by {@code bench/cli-latency.sh}:
 * {@code java -cp cli/target/keyring4j.jar:bench/target/classes dev.keyring4j.bench.OpenLatency SPEC SERVICE ACCOUNT N}
 * where SPEC is a backend id, a chain, or {@code auto} ({@code Keyring.open()}). Prints one line:
 * the first open, the first get on it, the median and 90th percentile of N further opens, and the median
 * of closing each of them again (timed apart: the targets are for {@code open}), in milliseconds.
 */
public final class OpenLatency {
    private OpenLatency() {
    }

    public static void main(String[] args) {
        String spec = args[0];
        String service = args[1];
        String account = args[2];
        int n = Integer.parseInt(args[3]);
        long t0 = System.nanoTime();
        CredentialStore first = open(spec);
        long t1 = System.nanoTime();
        boolean found = first.get(service, account).isPresent();
        long t2 = System.nanoTime();
        first.close();
        double[] warm = new double[n];
        double[] closing = new double[n];
        for (int i = 0; i < n; i++) {
            long s = System.nanoTime();
            CredentialStore store = open(spec);
            long opened = System.nanoTime();
            store.close();
            warm[i] = (opened - s) / 1e6;
            closing[i] = (System.nanoTime() - opened) / 1e6;
        }
        Arrays.sort(warm);
        Arrays.sort(closing);
        System.out.printf(Locale.ROOT, "%s first-open %.1f ms, first-get %.1f ms (found: %s), warm open median %.2f ms, p90 %.2f ms,"
                + " then close median %.2f ms (n=%d)%n", spec, (t1 - t0) / 1e6, (t2 - t1) / 1e6, found, warm[n / 2], warm[(int) (n * 0.9)],
                closing[n / 2], n);
    }

    private static CredentialStore open(String spec) {
        return spec.equals("auto") ? Keyring.open() : Keyring.open(spec);
    }
}
