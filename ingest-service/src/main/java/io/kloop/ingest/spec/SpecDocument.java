package io.kloop.ingest.spec;

import io.kloop.events.FeatureSpec;
import io.kloop.events.FeatureType;
import io.kloop.events.LabelSpec;
import io.kloop.ingest.validation.TextRules;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A dataset spec as JSON, for {@code PUT /v1/datasets/{name}} and the {@code GET}s.
 *
 * <pre>{@code
 * {"version": 2,                       // optional: needed only for an incompatible change
 *  "idField": "id",
 *  "features": [{"name": "radius", "type": "numeric", "required": true, "min": 0, "max": 50},
 *               {"name": "site", "type": "categorical", "categories": ["a", "b"], "required": false},
 *               {"name": "smoker", "type": "boolean"},
 *               {"name": "notes", "type": "text", "maxLength": 5000}],
 *  "label": {"name": "diagnosis", "classes": ["benign", "malignant"], "required": true}}
 * }</pre>
 *
 * {@code required} defaults to true for features and for the label; a text feature's {@code maxLength}
 * (characters) defaults to {@value io.kloop.schemas.TextFeatures#DEFAULT_MAX_LENGTH}.
 */
record SpecDocument(String dataset, Integer version, String idField, List<Feature> features, Label label, List<Integer> versions) {

  /** A feature as JSON; built in code by name: {@code Feature.named("radius", "numeric").withRange(0.0, 50.0)}. */
  record Feature(String name, String type, Boolean required, Double min, Double max, List<String> categories, Integer maxLength,
      String description) {

    /** A feature with its name and type, nothing else said (each part absent, as in a document that leaves it out). */
    static Feature named(String name, String type) {
      return new Feature(name, type, null, null, null, null, null, null);
    }

    Feature withRequired(Boolean newRequired) {
      return new Feature(name, type, newRequired, min, max, categories, maxLength, description);
    }

    Feature withRange(Double newMin, Double newMax) {
      return new Feature(name, type, required, newMin, newMax, categories, maxLength, description);
    }

    Feature withCategories(List<String> newCategories) {
      return new Feature(name, type, required, min, max, newCategories, maxLength, description);
    }

    Feature withMaxLength(Integer newMaxLength) {
      return new Feature(name, type, required, min, max, categories, newMaxLength, description);
    }

    Feature withDescription(String newDescription) {
      return new Feature(name, type, required, min, max, categories, maxLength, newDescription);
    }
  }

  record Label(String name, List<String> classes, Boolean required) {}

  static SpecDocument of(DatasetSpec spec, List<Integer> versions) {
    List<Feature> features = spec.features().stream()
        .map(f -> Feature.named(f.getName(), f.getType().name().toLowerCase(Locale.ROOT)).withRequired(f.getRequired())
            .withRange(f.getMin(), f.getMax()).withCategories(f.getCategories()).withMaxLength(f.getMaxLength())
            .withDescription(f.getDescription()))
        .toList();
    LabelSpec label = spec.label();
    return new SpecDocument(spec.dataset(), spec.version(), spec.idField(), features,
        new Label(label.getName(), label.getClasses(), label.getRequired()), versions);
  }

  /**
   * The spec this document declares for the named dataset; problems with the document itself (a feature
   * that is {@code null} or has no known type, a {@code null} category or class, no label) are thrown, all
   * at once. Names, categories and classes are trimmed: record values are trimmed before they are compared.
   */
  DatasetSpec toSpec(String dataset) {
    List<String> problems = new ArrayList<>();
    List<FeatureSpec> featureSpecs = new ArrayList<>();
    List<Feature> declared = features == null ? List.of() : features;
    for (int i = 0; i < declared.size(); i++) {
      Feature feature = declared.get(i);
      if (feature == null) {
        problems.add("features[" + i + "] is null; a feature is an object: {\"name\": ..., \"type\": ...}");
        continue;
      }
      String name = TextRules.echo(feature.name());
      FeatureType type = null;
      try {
        type = feature.type() == null ? null : FeatureType.valueOf(feature.type().trim().toUpperCase(Locale.ROOT));
      } catch (IllegalArgumentException e) {
        // reported below
      }
      if (type == null) {
        problems.add("feature '" + name + "' needs a type: numeric, categorical, boolean or text (got " + TextRules.echo(feature.type()) + ")");
        continue;
      }
      List<String> categories = values(problems, "feature '" + name + "'", "categories", feature.categories());
      featureSpecs.add(FeatureSpec.newBuilder()
          .setName(feature.name() == null ? "" : feature.name().trim())
          .setType(type)
          .setRequired(feature.required() == null || feature.required())
          .setMin(feature.min())
          .setMax(feature.max())
          .setCategories(categories)
          .setMaxLength(feature.maxLength())
          .setDescription(feature.description())
          .build());
    }
    if (label == null) {
      problems.add("label is required: {\"name\": ..., \"classes\": [...]}");
    }
    List<String> classes = label == null ? List.of() : values(problems, "label", "classes", label.classes());
    if (!problems.isEmpty()) {
      throw new InvalidSpecException(problems);
    }
    LabelSpec labelSpec = LabelSpec.newBuilder()
        .setName(label.name() == null ? "" : label.name().trim())
        .setClasses(classes)
        .setRequired(label.required() == null || label.required())
        .build();
    return new DatasetSpec(dataset, version == null ? 0 : version, idField == null ? "" : idField.trim(), featureSpecs, labelSpec);
  }

  /** Categories or classes, trimmed; a {@code null} among them is a problem. */
  private static List<String> values(List<String> problems, String owner, String what, List<String> values) {
    if (values == null) {
      return List.of();
    }
    List<String> trimmed = new ArrayList<>(values.size());
    for (int i = 0; i < values.size(); i++) {
      if (values.get(i) == null) {
        problems.add(owner + ": " + what + "[" + i + "] is null");
      } else {
        trimmed.add(values.get(i).trim());
      }
    }
    return trimmed;
  }
}
