package io.kloop.deployment;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Which configuration property an environment variable sets, by Spring Boot's relaxed binding: dots become
 * underscores, and dashes are either dropped ({@code SPRING_KAFKA_BOOTSTRAPSERVERS}, the canonical form) or
 * become underscores too ({@code SPRING_KAFKA_BOOTSTRAP_SERVERS}, the form Boot also accepts); a map key
 * ({@code *}) is one upper-case word, which Boot binds lower-cased. {@link EnvironmentBindingTest} checks
 * these rules against Spring Boot's own property source for every variable the deployment files set.
 */
final class EnvironmentBinding {

  /**
   * Environment variables that are not Spring properties but that the services' runtime reads: the
   * OpenTelemetry SDK's standard variables (the tracing contract of issue 8) and the JVM's own.
   */
  static final Set<String> NOT_SPRING_PROPERTIES = Set.of(
      "OTEL_SERVICE_NAME",
      "OTEL_EXPORTER_OTLP_ENDPOINT",
      "OTEL_EXPORTER_OTLP_PROTOCOL",
      "OTEL_TRACES_EXPORTER",
      "OTEL_METRICS_EXPORTER",
      "OTEL_LOGS_EXPORTER",
      "JAVA_TOOL_OPTIONS");

  private EnvironmentBinding() {}

  /** A property an environment variable sets, with the map key it stands for (if the property is a map's). */
  record Binding(String variable, String propertyPattern, String property) {}

  /** The property of {@code properties} that {@code variable} binds to, if any. */
  static Optional<Binding> binding(String variable, Set<String> properties) {
    for (String pattern : properties) {
      Optional<String> property = bind(variable, pattern);
      if (property.isPresent()) {
        return Optional.of(new Binding(variable, pattern, property.get()));
      }
    }
    return Optional.empty();
  }

  /** The concrete property name {@code variable} sets when it binds to {@code pattern}. */
  static Optional<String> bind(String variable, String pattern) {
    if (pattern.contains("[")) {
      return Optional.empty(); // indexed or bracketed names cannot be written as environment variables
    }
    String[] segments = pattern.split("\\.");
    StringBuilder regex = new StringBuilder();
    for (int i = 0; i < segments.length; i++) {
      if (i > 0) {
        regex.append('_');
      }
      String segment = segments[i];
      if (segment.equals("*")) {
        regex.append("([A-Z0-9]+)");
      } else {
        String upper = segment.toUpperCase(Locale.ROOT);
        regex.append("(?:").append(Pattern.quote(upper.replace("-", ""))).append('|')
            .append(Pattern.quote(upper.replace('-', '_'))).append(')');
      }
    }
    Matcher matcher = Pattern.compile(regex.toString()).matcher(variable);
    if (!matcher.matches()) {
      return Optional.empty();
    }
    List<String> keys = new ArrayList<>();
    for (int g = 1; g <= matcher.groupCount(); g++) {
      keys.add(matcher.group(g).toLowerCase(Locale.ROOT));
    }
    StringBuilder property = new StringBuilder();
    int key = 0;
    for (int i = 0; i < segments.length; i++) {
      if (i > 0) {
        property.append('.');
      }
      property.append(segments[i].equals("*") ? keys.get(key++) : segments[i]);
    }
    return Optional.of(property.toString());
  }

  /** Variables of {@code environment} that neither bind to a property of the service nor are allowed otherwise. */
  static List<String> unknown(Map<String, String> environment, PlatformService service) {
    return environment.keySet().stream()
        .filter(variable -> !NOT_SPRING_PROPERTIES.contains(variable))
        .filter(variable -> binding(variable, service.properties()).isEmpty())
        .sorted()
        .toList();
  }

  /** The environment variable that sets a property in the form the deployment files use (dashes as underscores). */
  static String variable(String property) {
    return property.toUpperCase(Locale.ROOT).replace('.', '_').replace('-', '_');
  }
}
