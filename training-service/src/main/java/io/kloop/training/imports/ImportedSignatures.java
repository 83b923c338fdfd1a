package io.kloop.training.imports;

import io.kloop.events.DatasetSpecDeclared;
import io.kloop.events.FeatureSpec;
import io.kloop.events.FeatureType;
import io.kloop.events.ModelSignature;
import io.kloop.events.ProbabilityFormat;
import io.kloop.events.SignatureField;
import io.kloop.events.SignatureTensor;
import io.kloop.events.TensorElementType;
import io.kloop.model.OnnxModelInfo;
import io.kloop.model.OnnxModelInfo.Port;
import io.kloop.training.spec.Texts;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The signature of an imported ONNX model, read off its inputs and outputs and matched to its dataset's spec.
 *
 * <p>Inputs: either one tensor per feature, named after it (or mapped to it by the metadata's {@code inputs}), of shape
 * {@code [N, 1]} or {@code [N]}: STRING for categorical and text features, FLOAT, DOUBLE or INT64 for numeric and
 * boolean ones; or a model with ONE input that names no feature, a FLOAT, DOUBLE or INT64 tensor {@code [N, F]} holding
 * the dataset's numeric and boolean features in the spec's order, F their count. The first dimension must be dynamic
 * (the platform scores many rows at once). An INT64 tensor cannot hold a missing value, so its features must be required
 * (and whole numbers: a fraction fails the model's trial). An input that maps to no feature is refused naming it. A
 * feature the model does not take is left out of the signature (the model does not use it).
 *
 * <p>Output: a ZipMap (a sequence of maps from class to probability, as scikit-learn's converters write it) or a FLOAT
 * or DOUBLE tensor {@code [N, C]}, C the number of classes; a ZipMap is preferred, then a tensor whose name holds "prob". The class
 * order is the metadata's {@code classes}, else the dataset's declared order: the tensor's columns, or a ZipMap's int64
 * keys sorted ascending (skl2onnx writes {@code classlabels_int64s = model.classes_}, e.g. {@code {1, 2, 3}} or
 * {@code {-1, 1}}), correspond to the classes in that order; a ZipMap's string keys are the class names themselves.
 * That the values are probabilities, and a ZipMap's keys the dataset's classes, only a trial on rows can tell.
 *
 * <p>A model with a label output besides its probabilities (skl2onnx's {@code output_label}, onnxmltools' {@code label}: a
 * rank-1 INT64 or STRING tensor) names it in {@link Built#labelOutput()}, so that the trial can check that the label
 * is the most probable class: a wrong class order shows there.
 */
public final class ImportedSignatures {

  /**
   * The signature and what the model leaves out of the dataset.
   *
   * @param labelOutput the model's label output (a rank-1 INT64 or STRING tensor beside the probabilities), or null
   */
  public record Built(ModelSignature signature, List<String> unusedFeatures, String labelOutput) {}

  private ImportedSignatures() {}

  /**
   * @param model the file's inputs and outputs, as ONNX Runtime reads them
   * @throws ImportRefusedException saying why the model does not fit the dataset or outputs no class probabilities
   */
  public static Built of(OnnxModelInfo model, DatasetSpecDeclared dataset, ImportMetadata metadata) {
    if (model.inputs().isEmpty()) {
      // Without tensors a signature would read as the platform's own encoding, whose input tensor the model lacks.
      throw new ImportRefusedException("the model has no inputs; it must take the dataset's features (one tensor per feature, or one [N, F])");
    }
    Map<String, Port> inputs = byName(model.inputs());
    Map<String, Port> outputs = byName(model.outputs());
    List<String> outputClasses = outputClasses(dataset, metadata);
    Map<String, FeatureSpec> features = new LinkedHashMap<>();
    dataset.getFeatures().forEach(feature -> features.put(feature.getName(), feature));
    List<SignatureTensor> tensors = tensors(inputs, features, dataset, metadata);
    Set<String> taken = tensors.stream().flatMap(tensor -> tensor.getFeatures().stream()).collect(Collectors.toSet());
    List<SignatureField> fields = new ArrayList<>();
    List<String> unused = new ArrayList<>();
    for (FeatureSpec feature : dataset.getFeatures()) {
      if (taken.contains(feature.getName())) {
        fields.add(SignatureField.newBuilder().setName(feature.getName()).setType(feature.getType())
            .setCategories(List.copyOf(feature.getCategories())).setMaxLength(feature.getMaxLength()).build());
      } else {
        unused.add(feature.getName());
      }
    }
    Map.Entry<String, ProbabilityFormat> output = probabilityOutput(outputs, outputClasses.size());
    ModelSignature signature = ModelSignature.newBuilder().setInputs(fields).setOutputClasses(outputClasses).setInputTensor("")
        .setProbabilityTensor(output.getKey()).setTensors(tensors).setProbabilityFormat(output.getValue()).build();
    return new Built(signature, unused, labelOutput(outputs, output.getKey()));
  }

  /** The model's label output: a rank-1 INT64 or STRING tensor other than the probabilities, one named for labels first. */
  static String labelOutput(Map<String, Port> outputs, String probabilities) {
    String label = null;
    for (Map.Entry<String, Port> output : outputs.entrySet()) {
      Port port = output.getValue();
      boolean labels = port.kind() == OnnxModelInfo.Kind.TENSOR && List.of("INT64", "STRING").contains(port.elementType())
          && (port.shape().size() == 1 || (port.shape().size() == 2 && port.shape().get(1) == 1));
      if (labels && !output.getKey().equals(probabilities)
          && (label == null || (!label.toLowerCase(Locale.ROOT).contains("label") && output.getKey().toLowerCase(Locale.ROOT).contains("label")))) {
        label = output.getKey();
      }
    }
    return label;
  }

  private static List<String> outputClasses(DatasetSpecDeclared dataset, ImportMetadata metadata) {
    List<String> declared = List.copyOf(dataset.getLabel().getClasses());
    if (metadata.classes() == null) {
      return declared;
    }
    if (metadata.classes().size() != declared.size() || !new HashSet<>(metadata.classes()).equals(new HashSet<>(declared))) {
      throw new ImportRefusedException("the metadata's classes " + shown(metadata.classes()) + " are not the classes of dataset "
          + dataset.getDataset() + " " + shown(declared) + "; list each of them once, in the order of the model's probability output");
    }
    return List.copyOf(metadata.classes());
  }

  private static Map<String, Port> byName(List<Port> ports) {
    return ports.stream().collect(Collectors.toMap(Port::name, Function.identity(), (a, b) -> a, LinkedHashMap::new));
  }

  private static List<SignatureTensor> tensors(Map<String, Port> inputs, Map<String, FeatureSpec> features, DatasetSpecDeclared dataset,
      ImportMetadata metadata) {
    List<String> notInputs = metadata.inputs().keySet().stream().filter(name -> !inputs.containsKey(name)).toList();
    if (!notInputs.isEmpty()) {
      throw new ImportRefusedException("the metadata's inputs name " + shown(notInputs) + ", which the model does not have (its inputs: "
          + describe(inputs) + ")");
    }
    Map<String, String> featureOf = new LinkedHashMap<>();
    List<String> unmapped = new ArrayList<>();
    for (String input : inputs.keySet()) {
      String feature = metadata.inputs().getOrDefault(input, input);
      if (metadata.inputs().containsKey(input) && !features.containsKey(feature)) {
        throw new ImportRefusedException("the metadata maps input '" + Texts.shown(input) + "' to feature '" + Texts.shown(feature)
            + "', which dataset " + dataset.getDataset() + " does not have (its features: " + shown(List.copyOf(features.keySet())) + ")");
      }
      if (features.containsKey(feature)) {
        featureOf.put(input, feature);
      } else {
        unmapped.add(input);
      }
    }
    if (inputs.size() == 1 && unmapped.size() == 1) {
      return List.of(matrix(unmapped.get(0), inputs.get(unmapped.get(0)), dataset));
    }
    if (!unmapped.isEmpty()) {
      throw new ImportRefusedException("the model's inputs " + shown(unmapped) + " are no features of dataset " + dataset.getDataset()
          + " (its features: " + shown(List.copyOf(features.keySet())) + "); name each input after its feature, map it with the metadata's "
          + "inputs, or give the model one input [N, F] holding the dataset's numeric and boolean features in order");
    }
    Map<String, String> inputOf = new LinkedHashMap<>();
    List<SignatureTensor> tensors = new ArrayList<>();
    for (Map.Entry<String, String> entry : featureOf.entrySet()) {
      String previous = inputOf.put(entry.getValue(), entry.getKey());
      if (previous != null) {
        throw new ImportRefusedException("inputs '" + Texts.shown(previous) + "' and '" + Texts.shown(entry.getKey()) + "' both take feature '"
            + entry.getValue() + "'; each feature goes into one input");
      }
      tensors.add(perFeature(entry.getKey(), inputs.get(entry.getKey()), features.get(entry.getValue())));
    }
    return tensors;
  }

  private static SignatureTensor perFeature(String input, Port tensor, FeatureSpec feature) {
    long[] shape = shape(input, tensor);
    boolean column = shape.length == 1 || (shape.length == 2 && (shape[1] == 1 || shape[1] < 0));
    if (!column) {
      throw new ImportRefusedException("input '" + Texts.shown(input) + "' for feature '" + feature.getName() + "' has shape " + shape(shape)
          + "; an input of one feature has shape [N, 1] or [N]");
    }
    requireDynamicBatch(input, shape);
    TensorElementType type = elementType(input, tensor);
    boolean text = feature.getType() == FeatureType.CATEGORICAL || feature.getType() == FeatureType.TEXT;
    if (text != (type == TensorElementType.STRING)) {
      throw new ImportRefusedException("input '" + Texts.shown(input) + "' is a " + type + " tensor but feature '" + feature.getName() + "' is "
          + feature.getType() + "; " + (text ? "categorical and text features go into STRING tensors"
          : "numeric and boolean features go into FLOAT, DOUBLE or INT64 tensors"));
    }
    if (type == TensorElementType.INT64 && !feature.getRequired()) {
      throw new ImportRefusedException(int64Optional(input, List.of(feature.getName())));
    }
    return SignatureTensor.newBuilder().setName(input).setElementType(type).setFeatures(List.of(feature.getName())).setRank(shape.length).build();
  }

  private static SignatureTensor matrix(String input, Port tensor, DatasetSpecDeclared dataset) {
    List<String> numeric = dataset.getFeatures().stream()
        .filter(feature -> feature.getType() == FeatureType.NUMERIC || feature.getType() == FeatureType.BOOLEAN).map(FeatureSpec::getName).toList();
    long[] shape = shape(input, tensor);
    TensorElementType type = elementType(input, tensor);
    String expected = "the model's one input '" + Texts.shown(input) + "' names no feature of dataset " + dataset.getDataset()
        + ", so it must be a FLOAT, DOUBLE or INT64 tensor [N, " + numeric.size() + "] holding the dataset's " + numeric.size()
        + " numeric and boolean features in the spec's order";
    if (type == TensorElementType.STRING || shape.length != 2 || numeric.isEmpty() || (shape[1] >= 0 && shape[1] != numeric.size())) {
      throw new ImportRefusedException(expected + "; it is a " + type + " tensor " + shape(shape)
          + (numeric.isEmpty() ? " and the dataset has no numeric or boolean features" : ""));
    }
    requireDynamicBatch(input, shape);
    List<String> optional = dataset.getFeatures().stream().filter(feature -> numeric.contains(feature.getName()) && !feature.getRequired())
        .map(FeatureSpec::getName).toList();
    if (type == TensorElementType.INT64 && !optional.isEmpty()) {
      throw new ImportRefusedException(int64Optional(input, optional));
    }
    return SignatureTensor.newBuilder().setName(input).setElementType(type).setFeatures(numeric).setRank(2).build();
  }

  private static String int64Optional(String input, List<String> optional) {
    return "input '" + Texts.shown(input) + "' is an INT64 tensor, which cannot hold a missing value, but features " + shown(optional)
        + " are optional in the dataset; export the input as FLOAT or DOUBLE (a missing value is NaN there), or make the features required";
  }

  private static void requireDynamicBatch(String input, long[] shape) {
    if (shape.length > 0 && shape[0] >= 0) {
      throw new ImportRefusedException("input '" + Texts.shown(input) + "' has a fixed batch size of " + shape[0] + " (shape " + shape(shape)
          + "); export it with a dynamic first dimension (torch.onnx.export(..., dynamic_axes={'" + Texts.shown(input) + "': {0: 'N'}}); "
          + "skl2onnx's [None, ...] shapes are dynamic)");
    }
  }

  private static long[] shape(String input, Port port) {
    if (port.kind() != OnnxModelInfo.Kind.TENSOR) {
      throw new ImportRefusedException("input '" + Texts.shown(input) + "' is " + describe(port) + ", not a tensor");
    }
    return port.shape().stream().mapToLong(Long::longValue).toArray();
  }

  private static TensorElementType elementType(String input, Port tensor) {
    return tensor.servedType().orElseThrow(() -> new ImportRefusedException("input '" + Texts.shown(input) + "' is a "
        + tensor.elementType() + " tensor; the platform fills FLOAT, DOUBLE, INT64 and STRING tensors"));
  }

  private static Map.Entry<String, ProbabilityFormat> probabilityOutput(Map<String, Port> outputs, int classes) {
    String tensor = null;
    for (Map.Entry<String, Port> output : outputs.entrySet()) {
      Port port = output.getValue();
      if (port.kind() == OnnxModelInfo.Kind.SEQUENCE_OF_MAPS && List.of("STRING", "INT64").contains(port.keyType())
          && List.of("FLOAT", "DOUBLE").contains(port.elementType())) {
        return Map.entry(output.getKey(), ProbabilityFormat.ZIPMAP);
      }
      if (port.kind() == OnnxModelInfo.Kind.TENSOR && List.of("FLOAT", "DOUBLE").contains(port.elementType()) && port.shape().size() == 2
          && (port.shape().get(1) == classes || port.shape().get(1) < 0)
          && (tensor == null || (!tensor.toLowerCase(Locale.ROOT).contains("prob") && output.getKey().toLowerCase(Locale.ROOT).contains("prob")))) {
        tensor = output.getKey();
      }
    }
    if (tensor == null) {
      throw new ImportRefusedException("the model outputs no class probabilities: it needs a FLOAT or DOUBLE tensor [N, " + classes
          + "] or a ZipMap (a sequence of maps from class to probability) for the dataset's " + classes + " classes; its outputs are "
          + describe(outputs));
    }
    return Map.entry(tensor, ProbabilityFormat.TENSOR);
  }

  /** The model's values as people read them: {@code name FLOAT [N, 13]}, at most 20 of them. */
  static String describe(Map<String, Port> values) {
    String listed = values.values().stream().limit(20).map(port -> Texts.shown(port.name()) + " " + describe(port))
        .collect(Collectors.joining(", "));
    return values.size() > 20 ? listed + " and " + (values.size() - 20) + " more" : values.isEmpty() ? "none" : listed;
  }

  private static String describe(Port port) {
    return switch (port.kind()) {
      case TENSOR -> port.elementType() + " " + shape(port.shape().stream().mapToLong(Long::longValue).toArray());
      case SEQUENCE_OF_MAPS -> "a sequence of maps from " + port.keyType() + " to " + port.elementType();
      case OTHER -> "neither a tensor nor a sequence of maps";
    };
  }

  private static String shape(long[] shape) {
    List<String> dims = new ArrayList<>();
    for (int i = 0; i < shape.length; i++) {
      dims.add(shape[i] >= 0 ? Long.toString(shape[i]) : i == 0 ? "N" : "?");
    }
    return "[" + String.join(", ", dims) + "]";
  }

  private static String shown(List<String> names) {
    String listed = names.stream().limit(20).map(Texts::shown).collect(Collectors.joining(", "));
    return "[" + listed + (names.size() > 20 ? ", and " + (names.size() - 20) + " more" : "") + "]";
  }
}
