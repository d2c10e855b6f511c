package dev.teardown.sim;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A loopback HTTP server that hands every request to a cloud simulator. Only binds to loopback by
 * default: the simulators are meant for this machine (tests, sandbox, benchmark) or an explicitly
 * chosen address.
 */
public final class SimHttpServer implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(SimHttpServer.class);

  private final HttpServer server;
  private final ExecutorService executor;
  private final String name;

  public SimHttpServer(
      String name, String host, int port, Function<SimRequest, SimResponse> handler)
      throws IOException {
    this.name = name;
    this.server = HttpServer.create(new InetSocketAddress(host, port), 256);
    this.executor =
        Executors.newFixedThreadPool(
            16,
            r -> {
              Thread t = new Thread(r, "sim-" + name);
              t.setDaemon(true);
              return t;
            });
    server.setExecutor(executor);
    server.createContext("/", ex -> serve(ex, handler));
    server.start();
  }

  private void serve(HttpExchange ex, Function<SimRequest, SimResponse> handler)
      throws IOException {
    try (ex) {
      byte[] body;
      try (InputStream in = ex.getRequestBody()) {
        body = in.readAllBytes();
      }
      Map<String, List<String>> headers = new HashMap<>();
      ex.getRequestHeaders().forEach((k, v) -> headers.put(k.toLowerCase(), v));
      SimResponse resp;
      try {
        resp =
            handler.apply(new SimRequest(ex.getRequestMethod(), ex.getRequestURI(), headers, body));
      } catch (RuntimeException e) {
        log.warn("{} simulator failed on {}: {}", name, ex.getRequestURI(), e.toString());
        resp = SimResponse.json(500, "{\"error\":\"simulator failure\"}");
      }
      if (resp.delayMs() > 0) {
        try {
          TimeUnit.MILLISECONDS.sleep(
              resp.delayMs()); // simulated latency or lost response; simulator thread only
        } catch (InterruptedException ie) {
          Thread.currentThread().interrupt();
          return;
        }
      }
      if (resp.dropConnection()) {
        return; // closing without a response: the client sees a timeout or a broken connection
      }
      resp.headers().forEach((k, v) -> ex.getResponseHeaders().add(k, v));
      ex.sendResponseHeaders(resp.status(), resp.body().length == 0 ? -1 : resp.body().length);
      if (resp.body().length > 0) {
        try (OutputStream out = ex.getResponseBody()) {
          out.write(resp.body());
        }
      }
    }
  }

  public int port() {
    return server.getAddress().getPort();
  }

  public URI uri() {
    return URI.create("http://" + server.getAddress().getHostString() + ":" + port());
  }

  @Override
  public void close() {
    server.stop(0);
    executor.shutdownNow();
  }
}
