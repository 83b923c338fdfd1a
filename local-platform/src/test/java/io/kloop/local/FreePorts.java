package io.kloop.local;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Launcher arguments for a platform in {@code home} on free ports, so tests never clash with a running ./kloop. */
final class FreePorts {

  private FreePorts() {}

  static String[] arguments(Path home) {
    List<String> args = new ArrayList<>(List.of("--home=" + home, "--kafka-port=0", "--controller-port=0"));
    LocalPlatform.SERVICES.forEach(s -> args.add("--" + s.name() + "-port=0"));
    return args.toArray(String[]::new);
  }
}
