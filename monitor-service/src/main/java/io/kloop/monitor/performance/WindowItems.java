package io.kloop.monitor.performance;

import java.nio.ByteBuffer;

/**
 * The stored form of one prediction in an open window: the true class's index (-1 when the window holds served
 * predictions), the served class's index (two bytes each) and the probabilities in signature order (eight bytes
 * each, as served, so calibration steps fall exactly where they did): 4 + 8k bytes, 20 for two classes.
 */
final class WindowItems {

  /** The most classes an index of two bytes can name. */
  static final int MAX_CLASSES = Short.MAX_VALUE;

  private WindowItems() {}

  /**
   * A prediction of a window.
   *
   * @param truth the true class's index, or -1
   * @param predicted the served class's index
   * @param probabilities the probabilities, in signature order
   */
  record Item(int truth, int predicted, double[] probabilities) {}

  static byte[] encode(int truth, int predicted, double[] probabilities) {
    if (truth < -1 || truth >= MAX_CLASSES || predicted < 0 || predicted >= MAX_CLASSES || probabilities.length > MAX_CLASSES) {
      throw new IllegalArgumentException("class indices must be in [0, " + MAX_CLASSES + ") (the truth may be -1); got " + truth + " and " + predicted);
    }
    ByteBuffer buffer = ByteBuffer.allocate(4 + 8 * probabilities.length);
    buffer.putShort((short) truth).putShort((short) predicted);
    for (double p : probabilities) {
      buffer.putDouble(p);
    }
    return buffer.array();
  }

  static Item decode(byte[] bytes) {
    if (bytes.length < 4 || (bytes.length - 4) % 8 != 0) {
      throw new IllegalArgumentException("a stored prediction has 4 + 8k bytes, not " + bytes.length);
    }
    ByteBuffer buffer = ByteBuffer.wrap(bytes);
    int truth = buffer.getShort();
    int predicted = buffer.getShort();
    double[] probabilities = new double[(bytes.length - 4) / 8];
    for (int c = 0; c < probabilities.length; c++) {
      probabilities[c] = buffer.getDouble();
    }
    return new Item(truth, predicted, probabilities);
  }
}
