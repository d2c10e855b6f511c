package dev.teardown.sandbox;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs the kubectl built with the real API server (bounded), capturing its output. */
public final class Kubectl {
  private Kubectl() {}

  /** Exit code and combined output. */
  public record Result(int code, String out) {}

  public static Result run(Path kubeconfig, Path scratch, String... args)
      throws IOException, InterruptedException {
    List<String> cmd =
        new ArrayList<>(
            List.of(RealKube.kubectl().toString(), "--kubeconfig", kubeconfig.toString()));
    cmd.addAll(List.of(args));
    Path out = Files.createTempFile(scratch, "kubectl", ".out");
    Process p =
        new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(out.toFile()).start();
    if (!p.waitFor(60, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new AssertionError("kubectl " + String.join(" ", args) + " did not return within 60 s");
    }
    return new Result(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8));
  }
}
