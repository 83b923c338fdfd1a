package io.kloop.local;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * How the local platform runs. Every setting has a default; command-line options override them:
 * {@code --home=DIR} (default {@code $KLOOP_HOME} or {@code ./.kloop}: Kafka's data and the artifact
 * store live there and survive restarts), {@code --kafka-port=N} (9092), {@code --controller-port=N}
 * (9093) and {@code --<service>-port=N} (8081 to 8085; 0 picks a free port). {@code --demo} drives the closed
 * loop once after the start, in a home of its own ({@code <default home>/demo}, emptied at every start) unless
 * {@code --home} names one.
 */
record LocalPlatformSettings(Path home, int kafkaPort, int controllerPort, Map<String, Integer> servicePorts, boolean demo,
    boolean demoHomeIsOwn) {

  static final String USAGE = """
      Usage: ./kloop [--demo] [--home=DIR] [--kafka-port=N] [--controller-port=N] [--<service>-port=N]...
        --demo                after the start, drive the closed loop once: data, first model, stationary and
                              drifted traffic, drift, retraining, the new model served. Runs in DIR/demo (default
                              ./.kloop/demo), emptied at every start, unless --home is given
        --home=DIR            Kafka's data and the artifact store (default $KLOOP_HOME or ./.kloop); kept between runs
        --kafka-port=N        Kafka client port on 127.0.0.1 (default 9092)
        --controller-port=N   Kafka controller port on 127.0.0.1 (default 9093)
        --<service>-port=N    HTTP port of one service, e.g. --inference-service-port=9084 (defaults 8081-8085)
      A port of 0 picks a free one.""";

  static LocalPlatformSettings parse(String... args) {
    String envHome = System.getenv("KLOOP_HOME");
    Path home = Path.of(envHome == null || envHome.isBlank() ? ".kloop" : envHome);
    int kafkaPort = 9092;
    int controllerPort = 9093;
    Map<String, Integer> servicePorts = new HashMap<>();
    boolean demo = false;
    boolean homeGiven = false;
    for (String arg : args) {
      if (arg.equals("--demo")) {
        demo = true;
        continue;
      }
      if (!arg.startsWith("--") || !arg.contains("=")) {
        throw new IllegalArgumentException("unknown argument " + arg + "\n" + USAGE);
      }
      String key = arg.substring(2, arg.indexOf('='));
      String value = arg.substring(arg.indexOf('=') + 1);
      switch (key) {
        case "home" -> {
          home = Path.of(value);
          homeGiven = true;
        }
        case "kafka-port" -> kafkaPort = port(key, value);
        case "controller-port" -> controllerPort = port(key, value);
        default -> {
          String service = key.endsWith("-port") ? key.substring(0, key.length() - "-port".length()) : null;
          if (service == null || LocalPlatform.SERVICES.stream().noneMatch(s -> s.name().equals(service))) {
            throw new IllegalArgumentException("unknown option --" + key + "\n" + USAGE);
          }
          servicePorts.put(service, port(key, value));
        }
      }
    }
    boolean demoHomeIsOwn = demo && !homeGiven;
    if (demoHomeIsOwn) {
      home = home.resolve("demo");
    }
    return new LocalPlatformSettings(home.toAbsolutePath().normalize(), kafkaPort, controllerPort, Map.copyOf(servicePorts), demo,
        demoHomeIsOwn);
  }

  int servicePort(String service, int defaultPort) {
    return servicePorts.getOrDefault(service, defaultPort);
  }

  private static int port(String option, String value) {
    try {
      int port = Integer.parseInt(value);
      if (port < 0 || port > 65535) {
        throw new NumberFormatException();
      }
      return port;
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("--" + option + " needs a port number, not '" + value + "'");
    }
  }
}
