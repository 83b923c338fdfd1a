package io.kloop.monitor.truth;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The join's own compact encodings of what it keeps per prediction, which are most of its state: a
 * {@link PendingPrediction} and a {@link Marker} as bytes.
 *
 * <p>A pending prediction is {@code 1} format byte, the version (4 bytes), the prediction's time and deadline (8
 * each), the predicted class, the number of classes and per class its name and probability (8), one byte saying
 * whether inputs follow, and then the number of inputs and per input its name, a type byte and its value (a
 * boolean or null in the type byte, a whole number or a double in 8 bytes, text as a string). A string is its
 * UTF-8 length as a variable-length number (1 byte up to 127) and its UTF-8 bytes; counts are variable-length
 * numbers too. So {@code 21 + s(class) + 1 + Σ(s(class name) + 8) + 1} bytes, plus {@code 1 + Σ(s(name) + 1 + 8)}
 * for numeric inputs, where {@code s(x) = 1 + bytes(x)} for names under 128 bytes. A marker is its kind and its
 * time: 9 bytes.
 */
public final class TruthCodecs {

  private static final byte FORMAT = 1;
  private static final byte NULL = 0;
  private static final byte FALSE = 1;
  private static final byte TRUE = 2;
  private static final byte LONG = 3;
  private static final byte DOUBLE = 4;
  private static final byte TEXT = 5;

  private TruthCodecs() {}

  /** The pending prediction as stored. */
  public static byte[] pending(PendingPrediction prediction) {
    try {
      ByteArrayOutputStream bytes = new ByteArrayOutputStream(128);
      DataOutputStream out = new DataOutputStream(bytes);
      out.writeByte(FORMAT);
      out.writeInt(prediction.version());
      out.writeLong(prediction.predictedAt());
      out.writeLong(prediction.deadline());
      string(out, prediction.predictedClass());
      count(out, prediction.probabilities().size());
      for (Map.Entry<String, Double> p : prediction.probabilities().entrySet()) {
        string(out, p.getKey());
        out.writeDouble(p.getValue());
      }
      out.writeBoolean(prediction.inputs() != null);
      if (prediction.inputs() != null) {
        out.write(inputs(prediction.inputs()));
      }
      return bytes.toByteArray();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The inputs part of a stored pending prediction: what {@code max-input-bytes} bounds. */
  public static byte[] inputs(Map<String, Object> inputs) {
    try {
      ByteArrayOutputStream bytes = new ByteArrayOutputStream(64 + 16 * inputs.size());
      DataOutputStream out = new DataOutputStream(bytes);
      count(out, inputs.size());
      for (Map.Entry<String, Object> input : inputs.entrySet()) {
        string(out, input.getKey());
        Object value = input.getValue();
        if (value == null) {
          out.writeByte(NULL);
        } else if (value instanceof Boolean b) {
          out.writeByte(b ? TRUE : FALSE);
        } else if (value instanceof Long || value instanceof Integer) {
          out.writeByte(LONG);
          out.writeLong(((Number) value).longValue());
        } else if (value instanceof Number n) {
          out.writeByte(DOUBLE);
          out.writeDouble(n.doubleValue());
        } else {
          out.writeByte(TEXT);
          string(out, value.toString());
        }
      }
      return bytes.toByteArray();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** A pending prediction read back. */
  public static PendingPrediction pending(byte[] stored) {
    try {
      DataInputStream in = new DataInputStream(new java.io.ByteArrayInputStream(stored));
      byte format = in.readByte();
      if (format != FORMAT) {
        throw new IllegalArgumentException("unknown format " + format + " of a pending prediction");
      }
      int version = in.readInt();
      long predictedAt = in.readLong();
      long deadline = in.readLong();
      String predictedClass = string(in);
      int classes = count(in);
      Map<String, Double> probabilities = new LinkedHashMap<>(classes * 2);
      for (int i = 0; i < classes; i++) {
        probabilities.put(string(in), in.readDouble());
      }
      Map<String, Object> inputs = null;
      if (in.readBoolean()) {
        int count = count(in);
        inputs = new LinkedHashMap<>(count * 2);
        for (int i = 0; i < count; i++) {
          String name = string(in);
          byte type = in.readByte();
          inputs.put(name, switch (type) {
            case NULL -> null;
            case FALSE -> Boolean.FALSE;
            case TRUE -> Boolean.TRUE;
            case LONG -> in.readLong();
            case DOUBLE -> in.readDouble();
            case TEXT -> string(in);
            default -> throw new IllegalArgumentException("unknown input type " + type + " in a pending prediction");
          });
        }
      }
      return new PendingPrediction(version, predictedAt, deadline, predictedClass, probabilities, inputs);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The marker as stored. */
  public static byte[] marker(Marker marker) {
    byte[] bytes = new byte[9];
    bytes[0] = (byte) marker.kind().ordinal();
    long until = marker.until();
    for (int i = 8; i >= 1; i--) {
      bytes[i] = (byte) until;
      until >>>= 8;
    }
    return bytes;
  }

  /** A marker read back. */
  public static Marker marker(byte[] stored) {
    long until = 0;
    for (int i = 1; i <= 8; i++) {
      until = (until << 8) | (stored[i] & 0xff);
    }
    return new Marker(Marker.Kind.values()[stored[0]], until);
  }

  private static void string(DataOutputStream out, String text) throws IOException {
    byte[] utf8 = text.getBytes(StandardCharsets.UTF_8);
    count(out, utf8.length);
    out.write(utf8);
  }

  private static String string(DataInputStream in) throws IOException {
    byte[] utf8 = new byte[count(in)];
    in.readFully(utf8);
    return new String(utf8, StandardCharsets.UTF_8);
  }

  /** A non-negative number in 7-bit groups, low first, the high bit saying that more follow. */
  private static void count(DataOutputStream out, int value) throws IOException {
    int rest = value;
    while ((rest & ~0x7f) != 0) {
      out.writeByte((rest & 0x7f) | 0x80);
      rest >>>= 7;
    }
    out.writeByte(rest);
  }

  private static int count(DataInputStream in) throws IOException {
    int value = 0;
    for (int shift = 0; shift < 35; shift += 7) {
      int b = in.readUnsignedByte();
      value |= (b & 0x7f) << shift;
      if ((b & 0x80) == 0) {
        return value;
      }
    }
    throw new IllegalArgumentException("a count of more than 5 bytes in a pending prediction");
  }
}
