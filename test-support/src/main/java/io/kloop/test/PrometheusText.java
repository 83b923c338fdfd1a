package io.kloop.test;

import java.util.ArrayList;
import java.util.List;

/** Reads samples out of a Prometheus text exposition, as {@code /actuator/prometheus} serves it. */
public final class PrometheusText {

  private PrometheusText() {}

  /**
   * The value of the one sample of {@code name} whose labels contain every given {@code label="value"} text.
   *
   * @throws AssertionError when no sample or more than one matches, naming the meter and labels
   */
  public static double value(String metrics, String name, String... labels) {
    List<Double> values = values(metrics, name, labels);
    if (values.size() != 1) {
      throw new AssertionError(values.size() + " samples of " + name + " with " + List.of(labels) + ", expected one");
    }
    return values.get(0);
  }

  /** The values of every sample of {@code name} whose labels contain every given {@code label="value"} text, in order. */
  public static List<Double> values(String metrics, String name, String... labels) {
    List<Double> values = new ArrayList<>();
    for (String line : metrics.split("\n")) {
      if (line.startsWith(name + "{") || line.startsWith(name + " ")) {
        String labelText = line.indexOf('{') > 0 ? line.substring(line.indexOf('{'), line.lastIndexOf('}') + 1) : "";
        if (List.of(labels).stream().allMatch(labelText::contains)) {
          values.add(Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1)));
        }
      }
    }
    return values;
  }
}
