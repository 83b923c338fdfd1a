package io.kloop.training.run;

import ai.onnx.proto.OnnxMl;
import io.kloop.events.ModelSignature;
import io.kloop.model.OnnxClassifier;
import java.util.List;
import java.util.Map;
import org.tribuo.Model;
import org.tribuo.ONNXExportable;
import org.tribuo.classification.Label;
import org.tribuo.classification.liblinear.LibLinearClassificationModel;
import org.tribuo.classification.sgd.linear.LinearSGDModel;
import org.tribuo.util.onnx.ONNXContext;
import org.tribuo.util.onnx.ONNXInitializer;
import org.tribuo.util.onnx.ONNXNode;
import org.tribuo.util.onnx.ONNXOperators;
import org.tribuo.util.onnx.ONNXPlaceholder;
import org.tribuo.util.onnx.ONNXRef;

/**
 * Writes the chosen model as one self-contained ONNX graph that takes raw encoded rows: missing values
 * (NaN) are replaced by the training means, the columns are standardized, then Tribuo's own graph for the
 * model computes the class probabilities. The export is then checked against Tribuo with ONNX Runtime.
 */
final class OnnxExport {

  static final String INPUT = "input";
  static final String PROBABILITIES = "probabilities";
  static final String DOMAIN = "io.kloop";
  /** The largest difference in any class probability allowed between Tribuo and ONNX Runtime. */
  static final double TOLERANCE = 1e-5;

  private OnnxExport() {}

  static byte[] export(Model<Label> model, Standardization standardization, String name, long version) {
    if (!(model instanceof ONNXExportable exportable)) {
      throw new TrainingFailure("export", model.getClass().getSimpleName() + " cannot be exported to ONNX");
    }
    int width = standardization.means().length;
    ONNXContext onnx = new ONNXContext();
    onnx.setName(name);
    ONNXPlaceholder input = onnx.floatInput(INPUT, width);
    ONNXPlaceholder output = onnx.floatOutput(PROBABILITIES, model.getOutputIDInfo().size());
    ONNXInitializer means = onnx.array("training_means", standardization.means());
    ONNXInitializer scales = onnx.array("training_scales", standardization.scales());
    // NaN is the only value not >= -infinity: where the comparison fails, take the mean.
    ONNXNode present = input.apply(ONNXOperators.GREATER_OR_EQUAL, onnx.constant("negative_infinity", Float.NEGATIVE_INFINITY));
    ONNXNode imputed = present.apply(ONNXOperators.WHERE, List.of(input, means));
    ONNXNode standardized = imputed.apply(ONNXOperators.SUB, means).apply(ONNXOperators.MUL, scales);
    ONNXNode probabilities = model instanceof LibLinearClassificationModel liblinear
        ? liblinearLogistic(liblinear, standardized, width)
        : exportable.writeONNXGraph(standardized);
    probabilities.assignTo(output);
    OnnxMl.ModelProto proto = ONNXExportable.buildModel(onnx, DOMAIN, version, model);
    if (additiveScores(model)) {
      proto = proto.toBuilder().addMetadataProps(OnnxMl.StringStringEntryProto.newBuilder()
          .setKey(OnnxClassifier.ADDITIVE_KEY).setValue(OnnxClassifier.ADDITIVE_VALUE)).build();
    }
    return proto.toByteArray();
  }

  /**
   * Whether the exported graph's class scores are additive in the inputs (see {@link OnnxClassifier#additive()}):
   * a softmax over linear decision values (logistic regression by SGD, LibLinear without probabilities) or a
   * sigmoid of one (binary LibLinear logistic regression); not LibLinear's normalised sigmoids for more than two
   * classes, nor a factorization machine's pairwise interactions.
   */
  static boolean additiveScores(Model<Label> model) {
    if (model instanceof LinearSGDModel) {
      return true;
    }
    if (model instanceof LibLinearClassificationModel liblinear) {
      de.bwaldvogel.liblinear.Model inner = liblinear.getInnerModels().get(0);
      return !inner.isProbabilityModel() || inner.getLabels().length == 2;
    }
    return false;
  }

  /**
   * LibLinear logistic regression, written here rather than by Tribuo: Tribuo 4.3's graph applies a softmax
   * to the decision values (for two classes to {@code [z, -z]}, which is {@code sigmoid(2z)}), while
   * LibLinear, and so Tribuo's own predictions, give {@code sigmoid(z)} to its first label for two classes
   * and, for more, each class's sigmoid divided by their sum. The verification below caught the difference.
   */
  private static ONNXNode liblinearLogistic(LibLinearClassificationModel model, ONNXNode input, int width) {
    de.bwaldvogel.liblinear.Model inner = model.getInnerModels().get(0);
    if (!inner.isProbabilityModel()) {
      return model.writeONNXGraph(input);
    }
    ONNXContext onnx = input.onnxContext();
    int[] labels = inner.getLabels();
    int classes = labels.length;
    // Binary models have one decision value (for labels[0]); multiclass ones one per class.
    int decisions = classes == 2 ? 1 : classes;
    ONNXInitializer weights = onnx.floatTensor("liblinear_weights", List.of(width, decisions), buffer -> {
      for (int feature = 1; feature <= width; feature++) {
        for (int d = 0; d < decisions; d++) {
          buffer.put(feature <= inner.getNrFeature() ? (float) inner.getDecfunCoef(feature, d) : 0f);
        }
      }
    });
    float[] biases = new float[decisions];
    for (int d = 0; d < decisions; d++) {
      biases[d] = (float) inner.getDecfunBias(d);
    }
    ONNXNode decision = input.apply(ONNXOperators.GEMM, List.of(weights, onnx.array("liblinear_biases", biases)));
    if (classes == 2) {
      ONNXNode first = decision.apply(ONNXOperators.SIGMOID);
      ONNXNode second = decision.apply(ONNXOperators.NEG).apply(ONNXOperators.SIGMOID);
      // Tribuo numbers LibLinear's first label inner.getLabels()[0].
      List<ONNXRef<?>> columns = labels[0] == 0 ? List.of(first, second) : List.of(second, first);
      return onnx.operation(ONNXOperators.CONCAT, columns, "liblinear_probabilities", Map.of("axis", 1));
    }
    // Column d of the decisions belongs to Tribuo's output id labels[d]; reorder into output id order.
    ONNXInitializer order = onnx.floatTensor("liblinear_label_order", List.of(classes, classes), buffer -> {
      for (int d = 0; d < classes; d++) {
        for (int id = 0; id < classes; id++) {
          buffer.put(labels[d] == id ? 1f : 0f);
        }
      }
    });
    ONNXNode sigmoids = decision.apply(ONNXOperators.SIGMOID);
    ONNXNode ordered = sigmoids.apply(ONNXOperators.GEMM, List.of(order, onnx.array("liblinear_no_bias", new float[classes])));
    ONNXNode total = ordered.apply(ONNXOperators.GEMM, List.of(onnx.floatTensor("liblinear_ones", List.of(classes, 1), buffer -> {
      for (int c = 0; c < classes; c++) {
        buffer.put(1f);
      }
    }), onnx.array("liblinear_zero", new float[] {0f})));
    return ordered.apply(ONNXOperators.DIV, total);
  }

  /**
   * Runs the exported file with ONNX Runtime on the raw rows and compares with Tribuo's probabilities (in the
   * signature's class order).
   *
   * @return the largest absolute difference found
   * @throws TrainingFailure when ONNX Runtime cannot load the file or any difference reaches {@link #TOLERANCE}
   */
  static double verify(byte[] onnx, ModelSignature signature, float[][] rawRows, double[][] tribuoProbabilities) {
    float[][] runtime;
    try (OnnxClassifier classifier = OnnxClassifier.load(onnx, signature)) {
      runtime = classifier.probabilities(rawRows);
    } catch (RuntimeException e) {
      throw new TrainingFailure("verify", "ONNX Runtime cannot run the exported model: " + e.getMessage(), e);
    }
    double worst = 0;
    for (int i = 0; i < rawRows.length; i++) {
      for (int c = 0; c < tribuoProbabilities[i].length; c++) {
        double difference = Math.abs(runtime[i][c] - tribuoProbabilities[i][c]);
        if (!(difference < TOLERANCE)) {
          throw new TrainingFailure("verify", "the ONNX export does not reproduce Tribuo: row " + i + ", class "
              + signature.getOutputClasses().get(c) + ": ONNX Runtime " + runtime[i][c] + ", Tribuo " + tribuoProbabilities[i][c]);
        }
        worst = Math.max(worst, difference);
      }
    }
    return worst;
  }
}
