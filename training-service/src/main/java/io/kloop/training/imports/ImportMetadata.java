package io.kloop.training.imports;

import io.kloop.service.json.JsonMessages;
import io.kloop.service.web.StrictJson;
import io.kloop.training.spec.Texts;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.json.JsonMapper;

/**
 * The {@code metadata} part of an import: which dataset the model predicts for, and what the importer says of it.
 * Read strictly (unknown, misspelt or duplicate keys are refused, as for every body of the API).
 *
 * @param dataset the dataset (as declared on ingest) the model predicts for; required, and it must be the model spec's
 * @param description what the model is, for people; at most {@value Texts#MAX_FREE_TEXT} characters
 * @param framework what it was trained with (e.g. {@code scikit-learn}, {@code xgboost}, {@code pytorch}); at most
 *     {@value #MAX_FRAMEWORK} characters
 * @param classes the class of each column of the model's probability output, or of each int64 key of its ZipMap with the
 *     keys sorted ascending (skl2onnx's keys are the training labels, e.g. 1, 2, 3 or -1, 1: the smallest key is the
 *     first class); every class of the dataset once. Left out: the dataset's declared class order
 * @param inputs from the model's input names to the dataset's feature names, for inputs not named after their feature;
 *     at most {@value #MAX_INPUTS} entries
 * @param importedBy who imports it (until requests are authenticated, the caller says so); {@code anonymous} when left out
 */
public record ImportMetadata(String dataset, String description, String framework, List<String> classes, Map<String, String> inputs,
    String importedBy) {

  /** The longest metadata part read, in bytes. */
  public static final int MAX_BYTES = 64 * 1024;
  public static final int MAX_FRAMEWORK = 100;
  /** The most entries of {@code inputs} (and of {@code classes}). */
  public static final int MAX_INPUTS = 10_000;
  /** Who imported a model when the metadata does not say. */
  public static final String ANONYMOUS = "anonymous";

  private static final JsonMapper JSON = StrictJson.mapper();

  public ImportMetadata {
    classes = classes == null ? null : java.util.Collections.unmodifiableList(new ArrayList<>(classes));
    inputs = inputs == null ? Map.of() : java.util.Collections.unmodifiableMap(new LinkedHashMap<>(inputs));
  }

  /** Who imported the model, as its origin records it. */
  public String who() {
    return importedBy == null ? ANONYMOUS : importedBy.strip();
  }

  /**
   * Reads and checks the part.
   *
   * @throws ImportRefusedException naming every problem, when it is not JSON of this shape or breaks a rule
   */
  public static ImportMetadata parse(byte[] json) {
    if (json.length > MAX_BYTES) {
      throw new ImportRefusedException("the metadata part has " + json.length + " bytes; at most " + MAX_BYTES + " are read");
    }
    ImportMetadata metadata;
    try {
      metadata = JSON.readValue(json, ImportMetadata.class);
    } catch (JacksonException e) {
      throw new ImportRefusedException("the metadata part is not valid: " + JsonMessages.describe(e));
    }
    if (metadata == null) {
      throw new ImportRefusedException("the metadata part is not valid: it is null; send a JSON object with at least \"dataset\"");
    }
    List<String> problems = metadata.problems();
    if (!problems.isEmpty()) {
      throw new ImportRefusedException("the metadata part is not valid: " + String.join("; ", problems));
    }
    return metadata;
  }

  /** Convenience for tests and callers with text. */
  public static ImportMetadata parse(String json) {
    return parse(json.getBytes(StandardCharsets.UTF_8));
  }

  /** What breaks the rules; empty when nothing does. */
  List<String> problems() {
    List<String> problems = new ArrayList<>();
    if (dataset == null) {
      problems.add("dataset is required");
    } else if (!dataset.matches(Texts.DATASET_NAME)) {
      problems.add("dataset '" + Texts.shown(dataset) + "' is not a dataset name (1-63 lower-case letters, digits, '_' or '-')");
    }
    Texts.freeText("description", description, Texts.MAX_FREE_TEXT, problems);
    Texts.identifier("framework", framework, MAX_FRAMEWORK, problems);
    Texts.identifier("importedBy", importedBy, Texts.MAX_IDENTIFIER, problems);
    if (classes != null) {
      if (classes.size() > MAX_INPUTS) {
        problems.add("classes must have at most " + MAX_INPUTS + " entries (it has " + classes.size() + ")");
      } else {
        Set<String> seen = new HashSet<>();
        for (String name : classes) {
          if (name == null) {
            problems.add("classes must not hold null");
          } else if (!seen.add(name)) {
            problems.add("classes names '" + Texts.shown(name) + "' twice");
          }
        }
      }
    }
    if (inputs.size() > MAX_INPUTS) {
      problems.add("inputs must have at most " + MAX_INPUTS + " entries (it has " + inputs.size() + ")");
    } else {
      inputs.forEach((input, feature) -> {
        if (feature == null) {
          problems.add("inputs maps '" + Texts.shown(input) + "' to null; give a feature name");
        }
      });
    }
    return problems;
  }
}
