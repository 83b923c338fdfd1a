package io.kloop.ingest.spec;

import io.kloop.events.DatasetSpecDeclared;
import io.kloop.events.FeatureSpec;
import io.kloop.events.FeatureType;
import io.kloop.events.LabelSpec;
import java.util.ArrayList;
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

  /** Problems with the spec itself (not with records): empty when it can be declared. */
  List<String> problems() {
    List<String> problems = new ArrayList<>();
    if (!dataset.matches("[a-z0-9][a-z0-9_-]{0,62}")) {
      problems.add("dataset name '" + dataset + "' must be 1-63 characters of a-z, 0-9, '_' and '-', starting with a letter or digit");
    }
    if (idField == null || idField.isBlank()) {
      problems.add("idField is required");
    }
    if (features.isEmpty()) {
      problems.add("at least one feature is required");
    }
    if (label == null) {
      problems.add("label is required");
      return problems;
    }
    List<String> names = new ArrayList<>();
    for (FeatureSpec feature : features) {
      String name = feature.getName();
      if (name == null || name.isBlank()) {
        problems.add("every feature needs a name");
        continue;
      }
      if (names.contains(name)) {
        problems.add("feature '" + name + "' is declared twice");
      }
      names.add(name);
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
      if (feature.getMin() != null && feature.getMax() != null && feature.getMin() > feature.getMax()) {
        problems.add("feature '" + name + "' has min " + feature.getMin() + " above max " + feature.getMax());
      }
      if (feature.getCategories().stream().distinct().count() != feature.getCategories().size()) {
        problems.add("feature '" + name + "' lists a category twice");
      }
    }
    if (label.getName() == null || label.getName().isBlank()) {
      problems.add("label needs a name");
    } else if (label.getName().equals(idField)) {
      problems.add("label and id field cannot share the name '" + idField + "'");
    }
    if (label.getClasses().size() < 2 || label.getClasses().stream().distinct().count() != label.getClasses().size()) {
      problems.add("label needs at least two distinct classes");
    }
    return problems;
  }
}
