package io.kloop.ingest.spec;

import io.kloop.events.DatasetSpecDeclared;
import io.kloop.events.FeatureSpec;
import io.kloop.events.FeatureType;
import io.kloop.events.LabelSpec;
import io.kloop.ingest.validation.TextRules;
import io.kloop.schemas.TextFeatures;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Set;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * One version of a dataset's declared contract: the id field, the features with their types and allowed
 * values, and the label with its classes. Immutable; built from a {@link DatasetSpecDeclared} event or from
 * a validated HTTP declaration.
 */
public record DatasetSpec(String dataset, int version, String idField, List<FeatureSpec> features, LabelSpec label) {

  public DatasetSpec {
    features = List.copyOf(features);
  }

  public static DatasetSpec of(DatasetSpecDeclared event) {
    return new DatasetSpec(event.getDataset(), event.getVersion(), event.getIdField(), event.getFeatures(), event.getLabel());
  }

  /** The same contract under another version number. */
  DatasetSpec withVersion(int newVersion) {
    return new DatasetSpec(dataset, newVersion, idField, features, label);
  }

  /** Features by name, in declaration order. */
  public Map<String, FeatureSpec> featuresByName() {
    Map<String, FeatureSpec> byName = new LinkedHashMap<>();
    features.forEach(f -> byName.put(f.getName(), f));
    return byName;
  }

  public Optional<FeatureSpec> feature(String name) {
    return features.stream().filter(f -> f.getName().equals(name)).findFirst();
  }

  /** True when both declare the same contract, whatever their version numbers. */
  boolean sameContractAs(DatasetSpec other) {
    return idField.equals(other.idField) && features.equals(other.features) && label.equals(other.label);
  }

  /** Most features a spec may declare. */
  public static final int MAX_FEATURES = 1_000;

  /** Most categories of a categorical feature, and most classes of the label. */
  public static final int MAX_VALUES = 1_000;

  private static final java.util.regex.Pattern DATASET_NAME = java.util.regex.Pattern.compile("[a-z0-9][a-z0-9_-]{0,62}");

  /** What is wrong with a dataset name; null when it is a valid one. */
  public static String nameProblem(String dataset) {
    return dataset != null && DATASET_NAME.matcher(dataset).matches() ? null
        : "dataset name '" + TextRules.echo(dataset, 64) + "' must be 1-63 characters of a-z, 0-9, '_' and '-', starting with a letter or digit";
  }

  /** Problems with the spec itself (not with records): empty when it can be declared. */
  List<String> problems() {
    List<String> problems = new ArrayList<>();
    String badName = nameProblem(dataset);
    if (badName != null) {
      problems.add(badName);
    }
    if (idField == null || idField.isBlank()) {
      problems.add("idField is required");
    } else {
      addIfBad(problems, TextRules.identifierProblem("idField", idField, TextRules.MAX_NAME_CHARS));
    }
    if (features.isEmpty()) {
      problems.add("at least one feature is required");
    }
    if (features.size() > MAX_FEATURES) {
      problems.add("a spec declares at most " + MAX_FEATURES + " features, not " + features.size());
    }
    if (label == null) {
      problems.add("label is required");
      return problems;
    }
    Set<String> names = new HashSet<>();
    for (FeatureSpec feature : features) {
      String name = feature.getName();
      if (name == null || name.isBlank()) {
        problems.add("every feature needs a name");
        continue;
      }
      String badFeatureName = TextRules.identifierProblem("feature name '" + TextRules.echo(name) + "'", name, TextRules.MAX_NAME_CHARS);
      if (badFeatureName != null) {
        problems.add(badFeatureName);
        continue;
      }
      if (!names.add(name)) {
        problems.add("feature '" + name + "' is declared twice");
      }
      if (name.equals(idField) || name.equals(label.getName())) {
        problems.add("feature '" + name + "' has the name of the " + (name.equals(idField) ? "id field" : "label"));
      }
      if (feature.getType() == FeatureType.CATEGORICAL && feature.getCategories().isEmpty()) {
        problems.add("categorical feature '" + name + "' needs its categories");
      }
      if (feature.getType() != FeatureType.CATEGORICAL && !feature.getCategories().isEmpty()) {
        problems.add("feature '" + name + "' is " + feature.getType().name().toLowerCase() + " and cannot have categories");
      }
      if (feature.getType() != FeatureType.NUMERIC && (feature.getMin() != null || feature.getMax() != null)) {
        problems.add("feature '" + name + "' is " + feature.getType().name().toLowerCase() + " and cannot have min or max");
      }
      if ((feature.getMin() != null && !Double.isFinite(feature.getMin())) || (feature.getMax() != null && !Double.isFinite(feature.getMax()))) {
        problems.add("feature '" + name + "' needs a finite min and max (or none)");
      } else if (feature.getMin() != null && feature.getMax() != null && feature.getMin() > feature.getMax()) {
        problems.add("feature '" + name + "' has min " + feature.getMin() + " above max " + feature.getMax());
      }
      if (feature.getMaxLength() != null && feature.getType() != FeatureType.TEXT) {
        problems.add("feature '" + name + "' is " + feature.getType().name().toLowerCase() + " and cannot have a maxLength");
      } else if (feature.getMaxLength() != null
          && (feature.getMaxLength() < 1 || feature.getMaxLength() > TextFeatures.MAX_LENGTH_LIMIT)) {
        problems.add("text feature '" + name + "' needs a maxLength from 1 to " + TextFeatures.MAX_LENGTH_LIMIT + " characters (or none for "
            + TextFeatures.DEFAULT_MAX_LENGTH + "), not " + feature.getMaxLength());
      }
      valuesProblems(problems, "feature '" + name + "'", "categories", feature.getCategories());
      if (feature.getDescription() != null) {
        addIfBad(problems, TextRules.freeTextProblem("the description of feature '" + name + "'", feature.getDescription(),
            TextRules.MAX_DESCRIPTION_CHARS));
      }
    }
    if (label.getName() == null || label.getName().isBlank()) {
      problems.add("label needs a name");
    } else if (label.getName().equals(idField)) {
      problems.add("label and id field cannot share the name '" + TextRules.echo(idField) + "'");
    } else {
      addIfBad(problems, TextRules.identifierProblem("label name", label.getName(), TextRules.MAX_NAME_CHARS));
    }
    if (label.getClasses().size() < 2 || label.getClasses().stream().distinct().count() != label.getClasses().size()) {
      problems.add("label needs at least two distinct classes");
    }
    valuesProblems(problems, "label", "classes", label.getClasses());
    return problems;
  }

  /** Categories or classes: at most {@link #MAX_VALUES}, none blank, twice, too long or with control characters. */
  private static void valuesProblems(List<String> problems, String owner, String what, List<String> values) {
    if (values.size() > MAX_VALUES) {
      problems.add(owner + " has " + values.size() + " " + what + "; at most " + MAX_VALUES + " are allowed");
      return;
    }
    Set<String> seen = new HashSet<>();
    for (String value : values) {
      if (value.isBlank()) {
        problems.add(owner + " has a blank entry in its " + what + " (a blank value is a missing one)");
      } else if (!seen.add(value) && what.equals("categories")) {
        problems.add(owner + " lists a category twice");
      } else {
        addIfBad(problems, TextRules.identifierProblem(owner + " " + what + " entry '" + TextRules.echo(value) + "'", value,
            TextRules.MAX_VALUE_CHARS));
      }
    }
  }

  private static void addIfBad(List<String> problems, String problem) {
    if (problem != null) {
      problems.add(problem);
    }
  }
}
