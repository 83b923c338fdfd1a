package io.kloop.model;

import java.util.List;

/**
 * The binning rule of reference profiles, shared by training (which makes the bins) and the monitor
 * (which counts live values into them): {@code n} ascending inner edges make {@code n + 1} bins, and bin
 * {@code k} holds the values {@code v} with {@code edges[k-1] < v <= edges[k]}; the outer bins are open.
 */
public final class Bins {

  private Bins() {}

  public static int index(List<Double> edges, double value) {
    int low = 0;
    int high = edges.size();
    while (low < high) {
      int middle = (low + high) >>> 1;
      if (value <= edges.get(middle)) {
        high = middle;
      } else {
        low = middle + 1;
      }
    }
    return low;
  }

  /** Share of the values in each bin (all zeros when there are none). */
  public static double[] proportions(List<Double> edges, double[] values) {
    double[] proportions = new double[edges.size() + 1];
    for (double value : values) {
      proportions[index(edges, value)]++;
    }
    if (values.length > 0) {
      for (int i = 0; i < proportions.length; i++) {
        proportions[i] /= values.length;
      }
    }
    return proportions;
  }
}
