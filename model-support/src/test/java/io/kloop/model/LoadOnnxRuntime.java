package io.kloop.model;

import java.util.List;
import java.util.Map;

/** Runs a model once in a JVM of its own, for {@link OnnxClassifierTest}. */
public final class LoadOnnxRuntime {

  private LoadOnnxRuntime() {}

  public static void main(String[] args) {
    io.kloop.schemas.EventCatalog.trustEventClasses();
    try (OnnxClassifier classifier = OnnxClassifier.load(OnnxClassifierTest.model(), OnnxClassifierTest.signature("input", "probabilities"))) {
      classifier.probabilities(classifier.encoding().encodeAll(List.of(Map.of("x", 1.0, "colour", "red"))));
    }
    System.out.println("loaded");
  }
}
