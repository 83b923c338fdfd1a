package io.kloop.training.run;

/**
 * Per-column mean and scale of the training split's encoded rows. Missing values (NaN) are left out of the
 * statistics and replaced by the mean; a constant column gets scale 1. The same numbers are written into
 * the exported ONNX graph, so the model file takes raw encoded rows.
 */
record Standardization(float[] means, float[] scales) {

  static Standardization of(float[][] rows, int width) {
    double[] sum = new double[width];
    double[] sumOfSquares = new double[width];
    long[] count = new long[width];
    for (float[] row : rows) {
      for (int c = 0; c < width; c++) {
        if (!Float.isNaN(row[c])) {
          sum[c] += row[c];
          sumOfSquares[c] += (double) row[c] * row[c];
          count[c]++;
        }
      }
    }
    float[] means = new float[width];
    float[] scales = new float[width];
    for (int c = 0; c < width; c++) {
      double mean = count[c] == 0 ? 0 : sum[c] / count[c];
      double variance = count[c] == 0 ? 0 : Math.max(0, sumOfSquares[c] / count[c] - mean * mean);
      double std = Math.sqrt(variance);
      means[c] = (float) mean;
      scales[c] = std > 1e-12 ? (float) (1 / std) : 1f;
    }
    return new Standardization(means, scales);
  }

  /** What the ONNX graph computes in float arithmetic: missing → mean, then (x − mean) · scale. */
  double[] apply(float[] row) {
    double[] standardized = new double[row.length];
    for (int c = 0; c < row.length; c++) {
      float value = Float.isNaN(row[c]) ? means[c] : row[c];
      standardized[c] = (value - means[c]) * scales[c];
    }
    return standardized;
  }
}
