package dev.keyring4j.maven;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;

/**
 * A Maven repository on 127.0.0.1: plain files under a directory, served over HTTP to GET/HEAD and
 * stored on PUT, every request demanding Basic auth with one user and password. It records what each
 * request carried (method, path, and whether the credentials were right), never the password.
 */
final class RepositoryServer implements AutoCloseable {
    record Request(String method, String path, boolean authorized, boolean sentCredentials) {
    }

    private final HttpServer server;
    private final Path root;
    private final String expected;
    final List<Request> requests = new CopyOnWriteArrayList<>();

    RepositoryServer(Path root, String user, String password) throws IOException {
        this.root = root;
        this.expected = "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", this::handle);
        server.setExecutor(Executors.newFixedThreadPool(4));
        server.start();
    }

    String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/repo";
    }

    int port() {
        return server.getAddress().getPort();
    }

    /** Requests whose credentials were right, for this method. */
    long authorized(String method) {
        return requests.stream().filter(r -> r.authorized() && r.method().equals(method)).count();
    }

    private void handle(HttpExchange ex) throws IOException {
        try (ex) {
            String auth = ex.getRequestHeaders().getFirst("Authorization");
            boolean ok = expected.equals(auth);
            String path = ex.getRequestURI().getPath();
            requests.add(new Request(ex.getRequestMethod(), path, ok, auth != null));
            if (!ok) {
                ex.getResponseHeaders().add("WWW-Authenticate", "Basic realm=\"keyring4j-test\"");
                ex.sendResponseHeaders(401, -1);
                return;
            }
            if (!path.startsWith("/repo/") || path.contains("..")) {
                ex.sendResponseHeaders(404, -1);
                return;
            }
            Path file = root.resolve(path.substring("/repo/".length()));
            switch (ex.getRequestMethod()) {
                case "PUT" -> {
                    Files.createDirectories(file.getParent());
                    try (InputStream in = ex.getRequestBody()) {
                        Files.write(file, in.readAllBytes());
                    }
                    ex.sendResponseHeaders(201, -1);
                }
                case "GET", "HEAD" -> {
                    if (!Files.isRegularFile(file)) {
                        ex.sendResponseHeaders(404, -1);
                        return;
                    }
                    byte[] body = Files.readAllBytes(file);
                    boolean head = ex.getRequestMethod().equals("HEAD");
                    ex.sendResponseHeaders(200, head ? -1 : body.length);
                    if (!head) {
                        try (OutputStream out = ex.getResponseBody()) {
                            out.write(body);
                        }
                    }
                }
                default -> ex.sendResponseHeaders(405, -1);
            }
        }
    }

    @Override
    public void close() {
        server.stop(0);
        ((java.util.concurrent.ExecutorService) server.getExecutor()).shutdownNow();
    }
}
