package io.kloop.test;

import ai.onnx.proto.OnnxMl.AttributeProto;
import ai.onnx.proto.OnnxMl.GraphProto;
import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import ai.onnx.proto.OnnxMl.OperatorSetIdProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import ai.onnx.proto.OnnxMl.TensorShapeProto;
import ai.onnx.proto.OnnxMl.TypeProto;
import ai.onnx.proto.OnnxMl.ValueInfoProto;
import com.google.protobuf.ByteString;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Small ONNX graphs written with ONNX's protobuf classes, for tests that need inputs Tribuo's helpers do
 * not make (int64, double and string tensors, ONNX-ML operators, ZipMap outputs).
 */
public final class OnnxGraphs {

  public static final int FLOAT = TensorProto.DataType.FLOAT_VALUE;
  public static final int DOUBLE = TensorProto.DataType.DOUBLE_VALUE;
  public static final int INT64 = TensorProto.DataType.INT64_VALUE;
  public static final int STRING = TensorProto.DataType.STRING_VALUE;

  private final GraphProto.Builder graph = GraphProto.newBuilder().setName("test");
  private String producer = "";
  private String producerVersion = "";

  public OnnxGraphs producer(String name, String version) {
    this.producer = name;
    this.producerVersion = version;
    return this;
  }

  /** An input of shape {@code [N, width]}, or {@code [N]} when width is 0. */
  public OnnxGraphs input(String name, int type, int width) {
    graph.addInput(ValueInfoProto.newBuilder().setName(name).setType(tensorType(type, width)));
    return this;
  }

  public OnnxGraphs tensorOutput(String name, int type, int width) {
    graph.addOutput(ValueInfoProto.newBuilder().setName(name).setType(tensorType(type, width)));
    return this;
  }

  /** A ZipMap output: a sequence of maps from the key type to float. */
  public OnnxGraphs zipMapOutput(String name, int keyType) {
    TypeProto map = TypeProto.newBuilder().setMapType(TypeProto.Map.newBuilder().setKeyType(keyType)
        .setValueType(TypeProto.newBuilder().setTensorType(TypeProto.Tensor.newBuilder().setElemType(FLOAT)))).build();
    graph.addOutput(ValueInfoProto.newBuilder().setName(name)
        .setType(TypeProto.newBuilder().setSequenceType(TypeProto.Sequence.newBuilder().setElemType(map))));
    return this;
  }

  public OnnxGraphs floats(String name, List<Long> dims, float... values) {
    TensorProto.Builder tensor = TensorProto.newBuilder().setName(name).setDataType(FLOAT).addAllDims(dims);
    for (float value : values) {
      tensor.addFloatData(value);
    }
    graph.addInitializer(tensor);
    return this;
  }

  public OnnxGraphs longs(String name, long... values) {
    TensorProto.Builder tensor = TensorProto.newBuilder().setName(name).setDataType(INT64).addDims(values.length);
    for (long value : values) {
      tensor.addInt64Data(value);
    }
    graph.addInitializer(tensor);
    return this;
  }

  public OnnxGraphs node(String op, List<String> inputs, List<String> outputs, AttributeProto... attributes) {
    return node("", op, inputs, outputs, attributes);
  }

  public OnnxGraphs node(String domain, String op, List<String> inputs, List<String> outputs, AttributeProto... attributes) {
    graph.addNode(NodeProto.newBuilder().setDomain(domain).setOpType(op).setName(op + graph.getNodeCount())
        .addAllInput(inputs).addAllOutput(outputs).addAllAttribute(List.of(attributes)));
    return this;
  }

  public static AttributeProto attribute(String name, long value) {
    return AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.INT).setI(value).build();
  }

  public static AttributeProto attribute(String name, float value) {
    return AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.FLOAT).setF(value).build();
  }

  public static AttributeProto floatsAttribute(String name, float... values) {
    AttributeProto.Builder attribute = AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.FLOATS);
    for (float value : values) {
      attribute.addFloats(value);
    }
    return attribute.build();
  }

  public static AttributeProto longsAttribute(String name, long... values) {
    AttributeProto.Builder attribute = AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.INTS);
    for (long value : values) {
      attribute.addInts(value);
    }
    return attribute.build();
  }

  public static AttributeProto stringsAttribute(String name, String... values) {
    AttributeProto.Builder attribute = AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.STRINGS);
    for (String value : values) {
      attribute.addStrings(ByteString.copyFrom(value, StandardCharsets.UTF_8));
    }
    return attribute.build();
  }

  public byte[] build() {
    return ModelProto.newBuilder().setIrVersion(8).setProducerName(producer).setProducerVersion(producerVersion)
        .addOpsetImport(OperatorSetIdProto.newBuilder().setDomain("").setVersion(13))
        .addOpsetImport(OperatorSetIdProto.newBuilder().setDomain("ai.onnx.ml").setVersion(2))
        .setGraph(graph).build().toByteArray();
  }

  private static TypeProto tensorType(int type, int width) {
    TensorShapeProto.Builder shape = TensorShapeProto.newBuilder().addDim(TensorShapeProto.Dimension.newBuilder().setDimParam("N"));
    if (width > 0) {
      shape.addDim(TensorShapeProto.Dimension.newBuilder().setDimValue(width));
    }
    return TypeProto.newBuilder().setTensorType(TypeProto.Tensor.newBuilder().setElemType(type).setShape(shape)).build();
  }
}
