package dev.keyring4j.support;

import java.util.function.Supplier;

/**
 * How keyring4j's JNA users (the kernel backend's syscalls, the command's prctl) bind libc: by its
 * soname, with JNA told where the dynamic loader looks. Without {@code jna.platform.library.path}, JNA
 * forks {@code ldconfig -p} the first time it loads a library, to learn those directories: a second
 * process, and about 10 ms, on every cold start. Holds no JNA type, so using it loads no JNA class.
 */
public final class NativeLibc {
    /** libc's soname on glibc Linux (x86_64, aarch64), which the dynamic loader finds by itself. */
    public static final String SONAME = "libc.so.6";

    private static final String PLATFORM_PATH = "jna.platform.library.path";

    private NativeLibc() {
    }

    /** Sets {@code jna.platform.library.path} to the loader's default directories unless it is set; before JNA loads a library. */
    private static void prepareJna() {
        if (System.getProperty(PLATFORM_PATH) == null) System.setProperty(PLATFORM_PATH, loaderDirectories());
    }

    /**
     * Runs a JNA binding ({@code NativeLibrary.getInstance(SONAME).getFunction(…)}) with JNA prepared: no
     * {@code ldconfig -p} child ({@link #prepareJna}), and JNA's native stub loaded from the per-user cache
     * ({@code ${XDG_CACHE_HOME:-~/.cache}/keyring4j/jna/}) rather than unpacked into a new temporary file, which
     * saves about 15 ms of a cold start. What the binding throws propagates.
     */
    public static <T> T bind(Supplier<T> binding) {
        prepareJna();
        if (!jnaStarted) {
            ClassLoader loader = NativeLibc.class.getClassLoader();
            // the stub properties exist only while JNA's Native initialises (it reads them then, once), so another
            // JNA in this JVM (another class loader or version) starting later never finds a stub not its own
            Runnable restore = JnaStubCache.use(loader);
            try {
                Class.forName("com.sun.jna.Native", true, loader);
            } catch (ClassNotFoundException e) {
                // no JNA: the binding fails with its own LinkageError, as without the cache
            } finally {
                restore.run();
                jnaStarted = true;
            }
        }
        return binding.get();
    }

    private static volatile boolean jnaStarted;

    /** The dynamic loader's default directories, the multiarch ones (Debian, Ubuntu) first. */
    static String loaderDirectories() {
        String arch = System.getProperty("os.arch", "");
        String triplet = switch (arch) {
            case "amd64", "x86_64" -> "x86_64-linux-gnu";
            case "aarch64" -> "aarch64-linux-gnu";
            default -> arch + "-linux-gnu";
        };
        return "/lib/" + triplet + ":/usr/lib/" + triplet + ":/lib64:/usr/lib64:/lib:/usr/lib";
    }
}
