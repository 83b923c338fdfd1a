package io.kloop.training.run;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;
import org.tribuo.Example;
import org.tribuo.Model;
import org.tribuo.MutableDataset;
import org.tribuo.Prediction;
import org.tribuo.classification.Label;
import org.tribuo.classification.LabelFactory;
import org.tribuo.impl.ArrayExample;
import org.tribuo.provenance.SimpleDataSourceProvenance;

/**
 * Standardized rows as Tribuo examples. Every example names every column explicitly (zeros included), and
 * the names sort in column order, so Tribuo's feature ids are the tensor's columns and the exported model
 * takes the encoded row as it is.
 */
final class TribuoData {

  static final LabelFactory LABELS = new LabelFactory();

  private final String[] names;

  TribuoData(int width) {
    this.names = IntStream.range(0, width).mapToObj(i -> String.format("c%06d", i)).toArray(String[]::new);
  }

  Example<Label> example(double[] row, String label) {
    return new ArrayExample<>(label == null ? LabelFactory.UNKNOWN_LABEL : new Label(label), names, row.clone());
  }

  MutableDataset<Label> dataset(List<double[]> rows, List<String> labels) {
    MutableDataset<Label> dataset = new MutableDataset<>(new SimpleDataSourceProvenance("kloop training split", LABELS), LABELS);
    for (int i = 0; i < rows.size(); i++) {
      dataset.add(example(rows.get(i), labels.get(i)));
    }
    return dataset;
  }

  List<Example<Label>> examples(List<double[]> rows, List<String> labels) {
    List<Example<Label>> examples = new ArrayList<>(rows.size());
    for (int i = 0; i < rows.size(); i++) {
      examples.add(example(rows.get(i), labels.get(i)));
    }
    return examples;
  }

  /** The model's output classes, in the order of its output ids (the ONNX probability tensor's order). */
  static List<String> outputClasses(Model<Label> model) {
    List<String> classes = new ArrayList<>();
    for (int id = 0; id < model.getOutputIDInfo().size(); id++) {
      classes.add(model.getOutputIDInfo().getOutput(id).getLabel());
    }
    return classes;
  }

  /** Class probabilities per example, in the order of {@code classes} (0 for a class the model does not know). */
  static double[][] probabilities(Model<Label> model, List<Example<Label>> examples, List<String> classes) {
    List<Prediction<Label>> predictions = model.predict(examples);
    double[][] probabilities = new double[predictions.size()][classes.size()];
    for (int i = 0; i < predictions.size(); i++) {
      var scores = predictions.get(i).getOutputScores();
      for (int c = 0; c < classes.size(); c++) {
        Label scored = scores.get(classes.get(c));
        probabilities[i][c] = scored == null ? 0 : scored.getScore();
      }
    }
    return probabilities;
  }
}
