package io.kloop.model;

import ai.onnxruntime.MapInfo;
import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.SequenceInfo;
import ai.onnxruntime.TensorInfo;
import ai.onnxruntime.ValueInfo;
import io.kloop.events.TensorElementType;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * What an ONNX file takes and gives, as ONNX Runtime reads it: its inputs and outputs with their types and
 * shapes, and who produced it. For inspecting a file before there is a signature for it (an import).
 *
 * @param inputs the graph's inputs (initializers left out), in the graph's order
 * @param outputs the graph's outputs, in the graph's order
 * @param producerName the exporter's name ({@code skl2onnx}, {@code pytorch}, ...), empty when not set
 * @param producerVersion the exporter's version, empty when not set
 * @param metadata the model's custom metadata properties
 */
public record OnnxModelInfo(List<Port> inputs, List<Port> outputs, String producerName, String producerVersion, Map<String, String> metadata) {

  static {
    OnnxNativeLibraries.prepare();
  }

  /** What kind of value an input or output holds. */
  public enum Kind {
    TENSOR,
    /** A sequence of maps, as scikit-learn's ZipMap gives class probabilities. */
    SEQUENCE_OF_MAPS,
    /** Anything else (a sequence of tensors, a map, an optional or opaque value). */
    OTHER
  }

  /**
   * One input or output of the graph.
   *
   * @param elementType a tensor's element type, or a sequence of maps' value type, as ONNX names it
   *     ({@code FLOAT}, {@code DOUBLE}, {@code INT64}, {@code STRING}, {@code INT32}, {@code BOOL}, ...); empty
   *     for OTHER
   * @param keyType a sequence of maps' key type ({@code STRING} or {@code INT64}); empty otherwise
   * @param shape a tensor's dimensions, -1 for a dynamic one (such as the batch); empty otherwise
   */
  public record Port(String name, Kind kind, String elementType, String keyType, List<Long> shape) {

    public Port {
      shape = List.copyOf(shape);
    }

    /** The signature's element type for this tensor, when it is one the platform serves. */
    public Optional<TensorElementType> servedType() {
      if (kind != Kind.TENSOR) {
        return Optional.empty();
      }
      return switch (elementType) {
        case "FLOAT" -> Optional.of(TensorElementType.FLOAT);
        case "DOUBLE" -> Optional.of(TensorElementType.DOUBLE);
        case "INT64" -> Optional.of(TensorElementType.INT64);
        case "STRING" -> Optional.of(TensorElementType.STRING);
        default -> Optional.empty();
      };
    }

    /** E.g. {@code FLOAT [-1, 4]} or {@code sequence of maps STRING -> FLOAT}. */
    @Override
    public String toString() {
      return name + ": " + switch (kind) {
        case TENSOR -> elementType + " " + shape;
        case SEQUENCE_OF_MAPS -> "sequence of maps " + keyType + " -> " + elementType;
        case OTHER -> "not a tensor";
      };
    }
  }

  public OnnxModelInfo {
    inputs = List.copyOf(inputs);
    outputs = List.copyOf(outputs);
    metadata = Map.copyOf(metadata);
  }

  /**
   * Reads a model's inputs, outputs and producer with ONNX Runtime (a session made and closed here).
   *
   * @throws OnnxClassifier.ModelLoadException when ONNX Runtime cannot load the bytes
   */
  public static OnnxModelInfo read(byte[] model) {
    OrtEnvironment environment = OrtEnvironment.getEnvironment();
    try (OrtSession.SessionOptions options = new OrtSession.SessionOptions()) {
      options.setIntraOpNumThreads(1);
      try (OrtSession session = environment.createSession(model, options)) {
        var metadata = session.getMetadata();
        return new OnnxModelInfo(ports(session.getInputInfo()), ports(session.getOutputInfo()), metadata.getProducerName(),
            producerVersion(model), metadata.getCustomMetadata());
      }
    } catch (OrtException e) {
      throw new OnnxClassifier.ModelLoadException("ONNX Runtime cannot load the model: " + e.getMessage(), e);
    }
  }

  /** The input or output of that name. */
  public Optional<Port> input(String name) {
    return inputs.stream().filter(port -> port.name().equals(name)).findFirst();
  }

  public Optional<Port> output(String name) {
    return outputs.stream().filter(port -> port.name().equals(name)).findFirst();
  }

  private static List<Port> ports(Map<String, NodeInfo> nodes) {
    List<Port> ports = new ArrayList<>(nodes.size());
    for (NodeInfo node : nodes.values()) {
      ValueInfo info = node.getInfo();
      if (info instanceof TensorInfo tensor) {
        ports.add(new Port(node.getName(), Kind.TENSOR, typeName(tensor.type), "", Arrays.stream(tensor.getShape()).boxed().toList()));
      } else if (info instanceof SequenceInfo sequence && sequence.isSequenceOfMaps()) {
        MapInfo map = sequence.mapInfo;
        ports.add(new Port(node.getName(), Kind.SEQUENCE_OF_MAPS, typeName(map.valueType), typeName(map.keyType), List.of()));
      } else {
        ports.add(new Port(node.getName(), Kind.OTHER, "", "", List.of()));
      }
    }
    return ports;
  }

  /** ONNX's name of an element type ({@code FLOAT}, {@code INT64}, ...). */
  static String typeName(OnnxJavaType type) {
    return type.name();
  }

  /** A shape as {@code [-1, 4]}. */
  static String shapeText(long[] shape) {
    return Arrays.stream(shape).mapToObj(Long::toString).collect(Collectors.joining(", ", "[", "]"));
  }

  /**
   * The model's {@code producer_version} (field 3 of ONNX's {@code ModelProto}), which ONNX Runtime does not
   * report: read from the top-level fields of the protobuf, skipping the others; empty when absent or unreadable.
   * Written out (protobuf's wire format: varint keys, lengths and skips) because no protobuf library is on
   * model-support's classpath: ONNX Runtime's jar carries none, protobuf-java comes only with Tribuo (training's
   * classpath and the tests'), and adding it with ONNX's generated classes to every service that serves models
   * for one string field would cost more than these few lines.
   */
  static String producerVersion(byte[] model) {
    int[] at = {0};
    try {
      while (at[0] < model.length) {
        long key = varint(model, at);
        int field = (int) (key >>> 3);
        switch ((int) (key & 7)) {
          case 0 -> varint(model, at);
          case 1 -> at[0] += 8;
          case 5 -> at[0] += 4;
          case 2 -> {
            long length = varint(model, at);
            if (length < 0 || length > model.length - at[0]) {
              return "";
            }
            if (field == 3) {
              return new String(model, at[0], (int) length, StandardCharsets.UTF_8);
            }
            at[0] += (int) length;
          }
          default -> {
            return "";
          }
        }
      }
    } catch (ArrayIndexOutOfBoundsException e) {
      return "";
    }
    return "";
  }

  private static long varint(byte[] bytes, int[] at) {
    long value = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      byte b = bytes[at[0]++];
      value |= (long) (b & 0x7F) << shift;
      if (b >= 0) {
        return value;
      }
    }
    return value;
  }
}
