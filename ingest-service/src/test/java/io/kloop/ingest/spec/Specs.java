package io.kloop.ingest.spec;

import io.kloop.events.FeatureSpec;
import io.kloop.events.FeatureType;
import io.kloop.events.LabelSpec;
import java.util.ArrayList;
import java.util.List;

/** Specs for tests: a small tumour dataset, and ways to vary it. */
public final class Specs {

  private Specs() {}

  public static FeatureSpec numeric(String name, boolean required, Double min, Double max) {
    return FeatureSpec.newBuilder().setName(name).setType(FeatureType.NUMERIC).setRequired(required).setMin(min).setMax(max).build();
  }

  public static FeatureSpec categorical(String name, boolean required, String... categories) {
    return FeatureSpec.newBuilder().setName(name).setType(FeatureType.CATEGORICAL).setRequired(required)
        .setCategories(List.of(categories)).build();
  }

  public static FeatureSpec bool(String name, boolean required) {
    return FeatureSpec.newBuilder().setName(name).setType(FeatureType.BOOLEAN).setRequired(required).build();
  }

  /** A text feature; {@code maxLength} null for the platform's default. */
  public static FeatureSpec text(String name, boolean required, Integer maxLength) {
    return FeatureSpec.newBuilder().setName(name).setType(FeatureType.TEXT).setRequired(required).setMaxLength(maxLength).build();
  }

  public static LabelSpec label(String name, String... classes) {
    return LabelSpec.newBuilder().setName(name).setClasses(List.of(classes)).setRequired(true).build();
  }

  /** radius (numeric 0..50, required), site (a|b, optional), smoker (boolean, optional); label diagnosis. */
  public static DatasetSpec tumours(String dataset) {
    return new DatasetSpec(dataset, 1, "id",
        List.of(numeric("radius", true, 0.0, 50.0), categorical("site", false, "a", "b"), bool("smoker", false)),
        label("diagnosis", "benign", "malignant"));
  }

  public static DatasetSpec withFeatures(DatasetSpec spec, FeatureSpec... features) {
    return new DatasetSpec(spec.dataset(), spec.version(), spec.idField(), List.of(features), spec.label());
  }

  public static DatasetSpec plus(DatasetSpec spec, FeatureSpec feature) {
    List<FeatureSpec> features = new ArrayList<>(spec.features());
    features.add(feature);
    return new DatasetSpec(spec.dataset(), spec.version(), spec.idField(), features, spec.label());
  }
}
