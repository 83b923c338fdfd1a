package io.kloop.ingest.spec;

import io.kloop.events.FeatureSpec;
import io.kloop.events.FeatureType;
import io.kloop.schemas.TextFeatures;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Which changes to a dataset spec keep every record valid under the old spec valid under the new one
 * (compatible: adding an optional feature, widening a range, adding a category or class, making a feature
 * optional, raising a text feature's maxLength, changing a description) and which do not (a text feature's
 * maxLength falling among them). An incompatible change is only accepted as an explicit new version.
 */
final class SpecEvolution {

  private SpecEvolution() {}

  /** Why records valid under {@code current} might be invalid under {@code next}; empty when compatible. */
  static List<String> incompatibilities(DatasetSpec current, DatasetSpec next) {
    List<String> changes = new ArrayList<>();
    if (!current.idField().equals(next.idField())) {
      changes.add("id field changes from '" + current.idField() + "' to '" + next.idField() + "'");
    }
    Map<String, FeatureSpec> before = current.featuresByName();
    Map<String, FeatureSpec> after = next.featuresByName();
    for (FeatureSpec old : before.values()) {
      FeatureSpec now = after.get(old.getName());
      if (now == null) {
        changes.add("feature '" + old.getName() + "' is removed");
        continue;
      }
      if (old.getType() != now.getType()) {
        changes.add("feature '" + old.getName() + "' changes type from " + old.getType() + " to " + now.getType());
        continue;
      }
      if (!old.getRequired() && now.getRequired()) {
        changes.add("feature '" + old.getName() + "' becomes required");
      }
      if (now.getMin() != null && (old.getMin() == null || now.getMin() > old.getMin())) {
        changes.add("feature '" + old.getName() + "' min rises to " + now.getMin());
      }
      if (now.getMax() != null && (old.getMax() == null || now.getMax() < old.getMax())) {
        changes.add("feature '" + old.getName() + "' max falls to " + now.getMax());
      }
      if (old.getType() == FeatureType.TEXT && TextFeatures.maxLength(now) < TextFeatures.maxLength(old)) {
        changes.add("feature '" + old.getName() + "' maxLength falls to " + TextFeatures.maxLength(now));
      }
      List<String> removed = new ArrayList<>(old.getCategories());
      removed.removeAll(now.getCategories());
      if (!removed.isEmpty()) {
        changes.add("feature '" + old.getName() + "' loses categories " + removed);
      }
    }
    for (FeatureSpec added : after.values()) {
      if (!before.containsKey(added.getName()) && added.getRequired()) {
        changes.add("new feature '" + added.getName() + "' is required");
      }
    }
    if (!current.label().getName().equals(next.label().getName())) {
      changes.add("label changes from '" + current.label().getName() + "' to '" + next.label().getName() + "'");
    }
    List<String> lostClasses = new ArrayList<>(current.label().getClasses());
    lostClasses.removeAll(next.label().getClasses());
    if (!lostClasses.isEmpty()) {
      changes.add("label loses classes " + lostClasses);
    }
    if (!current.label().getRequired() && next.label().getRequired()) {
      changes.add("label becomes required");
    }
    return changes;
  }
}
