package io.kloop.monitor.truth;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
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

  /**
   * How many bytes {@link #inputs} makes of the inputs, without making them: what {@code max-input-bytes} bounds,
   * checked for every prediction.
   */
  public static int inputsLength(Map<String, Object> inputs) {
    int length = countLength(inputs.size());
    for (Map.Entry<String, Object> input : inputs.entrySet()) {
      length += stringLength(input.getKey()) + 1;
      Object value = input.getValue();
      if (value instanceof Number) {
        length += 8;
      } else if (value != null && !(value instanceof Boolean)) {
        length += stringLength(value.toString());
      }
    }
    return length;
  }

  /** A pending prediction read back. */
  public static PendingPrediction pending(byte[] stored) {
    ByteBuffer in = ByteBuffer.wrap(stored);
    try {
      byte format = in.get();
      if (format != FORMAT) {
        throw new IllegalArgumentException("unknown format " + format + " of a pending prediction");
      }
      int version = in.getInt();
      long predictedAt = in.getLong();
      long deadline = in.getLong();
      String predictedClass = string(in);
      int classes = count(in);
      Map<String, Double> probabilities = new LinkedHashMap<>(classes * 2);
      for (int i = 0; i < classes; i++) {
        probabilities.put(name(in, i), in.getDouble());
      }
      Map<String, Object> inputs = null;
      if (in.get() != 0) {
        int count = count(in);
        inputs = new LinkedHashMap<>(count * 2);
        for (int i = 0; i < count; i++) {
          String name = name(in, classes + i);
          byte type = in.get();
          inputs.put(name, switch (type) {
            case NULL -> null;
            case FALSE -> Boolean.FALSE;
            case TRUE -> Boolean.TRUE;
            case LONG -> in.getLong();
            case DOUBLE -> in.getDouble();
            case TEXT -> string(in);
            default -> throw new IllegalArgumentException("unknown input type " + type + " in a pending prediction");
          });
        }
      }
      return new PendingPrediction(version, predictedAt, deadline, predictedClass, probabilities, inputs);
    } catch (BufferUnderflowException e) {
      throw new IllegalArgumentException("a pending prediction cut short (" + stored.length + " bytes)", e);
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

  private static String string(ByteBuffer in) {
    int length = count(in);
    String text = new String(in.array(), in.position(), length, StandardCharsets.UTF_8);
    in.position(in.position() + length);
    return text;
  }

  /**
   * A class or input name: the same string as the last one read at that place when its bytes are the same (a
   * model's predictions name the same classes and inputs in the same order), so that reading a waiting prediction
   * back does not make its names anew.
   */
  private static String name(ByteBuffer in, int place) {
    int length = count(in);
    byte[] bytes = in.array();
    int from = in.position();
    in.position(from + length);
    Names names = lastNames;
    if (place < names.bytes.length) {
      byte[] known = names.bytes[place];
      if (known != null && Arrays.equals(known, 0, known.length, bytes, from, from + length)) {
        return names.names[place];
      }
    }
    String name = new String(bytes, from, length, StandardCharsets.UTF_8);
    if (place < MAX_NAMES) {
      // Immutable copies, swapped whole: threads that race lose an update, never a name.
      Names next = new Names(Arrays.copyOf(names.names, Math.max(names.names.length, place + 1)),
          Arrays.copyOf(names.bytes, Math.max(names.bytes.length, place + 1)));
      next.names[place] = name;
      next.bytes[place] = Arrays.copyOfRange(bytes, from, from + length);
      lastNames = next;
    }
    return name;
  }

  /** The names last read, by place. */
  private record Names(String[] names, byte[][] bytes) {}

  /** Most names remembered: classes and inputs of a prediction, in order. */
  private static final int MAX_NAMES = 256;
  private static volatile Names lastNames = new Names(new String[0], new byte[0][]);

  private static int stringLength(String text) {
    int bytes = utf8Length(text);
    return countLength(bytes) + bytes;
  }

  private static int utf8Length(String text) {
    int bytes = 0;
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (c < 0x80) {
        bytes++;
      } else if (c < 0x800) {
        bytes += 2;
      } else if (Character.isHighSurrogate(c) && i + 1 < text.length() && Character.isLowSurrogate(text.charAt(i + 1))) {
        bytes += 4;
        i++;
      } else {
        // A lone surrogate is written as '?' by String.getBytes.
        bytes += Character.isSurrogate(c) ? 1 : 3;
      }
    }
    return bytes;
  }

  private static int countLength(int value) {
    int bytes = 1;
    for (int rest = value >>> 7; rest != 0; rest >>>= 7) {
      bytes++;
    }
    return bytes;
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

  private static int count(ByteBuffer in) {
    int value = 0;
    for (int shift = 0; shift < 35; shift += 7) {
      int b = in.get() & 0xff;
      value |= (b & 0x7f) << shift;
      if ((b & 0x80) == 0) {
        return value;
      }
    }
    throw new IllegalArgumentException("a count of more than 5 bytes in a pending prediction");
  }
}
