package dev.teardown.sim;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

/** An HTTP request as a simulator sees it. Header names are lower-case. */
public record SimRequest(String method, URI uri, Map<String, List<String>> headers, byte[] body) {

  public String header(String name) {
    List<String> v = headers.get(name.toLowerCase());
    return v == null || v.isEmpty() ? null : v.get(0);
  }

  public String bodyText() {
    return new String(body, StandardCharsets.UTF_8);
  }
}
