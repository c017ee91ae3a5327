package dev.keyring4j.encryptedfile;

import dev.keyring4j.Secret;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Child JVM for {@link MultiProcessTest}: {@code threads} threads each do {@code ops} sets and
 * deletes on ids of their own, then the process prints what each touched id must hold
 * ({@code S service account value} or {@code D service account}) and {@code END}.
 */
public final class ConcurrentWriter {
    private ConcurrentWriter() {
    }

    public static void main(String[] args) throws Exception {
        Path root = Path.of(args[0]);
        String protection = args[1];
        int proc = Integer.parseInt(args[2]);
        int threads = Integer.parseInt(args[3]);
        int ops = Integer.parseInt(args[4]);
        Map<String, String> finalState = new ConcurrentHashMap<>();
        try (EncryptedFileStore s = Fixtures.open(root, protection)) {
            Thread[] ts = new Thread[threads];
            Throwable[] failure = new Throwable[1];
            for (int t = 0; t < threads; t++) {
                int thread = t;
                ts[t] = new Thread(() -> {
                    try {
                        SplittableRandom r = new SplittableRandom(proc * 1000L + thread);
                        String service = "proc" + proc + ".t" + thread;
                        Map<String, String> mine = new HashMap<>();
                        for (int i = 0; i < ops; i++) {
                            String account = "a" + r.nextInt(8);
                            if (r.nextInt(4) < 3) {
                                String v = proc + "." + thread + "." + i;
                                s.set(service, account, Secret.of(v));
                                mine.put(account, v);
                            } else {
                                boolean had = s.delete(service, account);
                                if (had != (mine.get(account) != null)) throw new AssertionError("delete of " + service + "/" + account + " said " + had);
                                mine.put(account, null);
                            }
                        }
                        mine.forEach((a, v) -> finalState.put(service + " " + a, v == null ? "-" : v));
                    } catch (Throwable e) {
                        synchronized (failure) {
                            failure[0] = e;
                        }
                    }
                });
                ts[t].start();
            }
            for (Thread t : ts) t.join();
            if (failure[0] != null) {
                failure[0].printStackTrace();
                System.exit(2);
            }
        }
        for (Map.Entry<String, String> e : finalState.entrySet()) {
            List<String> parts = List.of(e.getKey().split(" "));
            System.out.println((e.getValue().equals("-") ? "D " : "S ") + parts.get(0) + " " + parts.get(1)
                    + (e.getValue().equals("-") ? "" : " " + e.getValue()));
        }
        System.out.println("END");
    }
}
